"""The audit log: one row per agent or admin action, written once, never changed.

Rows name people by id (the agent's or admin's user id, the API token's id) and things by type
and id. They hold no shopper's personal data (no names, addresses, message text or object
descriptions), so erasing a customer leaves the log whole and the log keeps nothing erased.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        ASSIGN = "conversation.assign", _("assigned a conversation")
        TRANSFER = "conversation.transfer", _("transferred a conversation")
        UNASSIGN = "conversation.unassign", _("unassigned a conversation")
        RESOLVE = "conversation.resolve", _("resolved a conversation")
        MERGE = "customer.merge", _("merged contacts")
        EXPORT = "customer.export", _("exported a customer's data")
        ERASE = "customer.erase", _("erased a customer's data")
        TOKEN_CREATED = "token.created", _("created an API token")
        REPORT_EXPORT = "report.export", _("downloaded a report")
        ADMIN_ADD = "admin.add", _("added in the admin")
        ADMIN_CHANGE = "admin.change", _("changed in the admin")
        ADMIN_DELETE = "admin.delete", _("deleted in the admin")

    class ActorKind(models.TextChoices):
        USER = "user", _("user")
        TOKEN = "token", _("API token")
        SYSTEM = "system", _("the desk")

    at = models.DateTimeField(_("time"), db_index=True)
    action = models.CharField(_("action"), max_length=40, choices=Action.choices, db_index=True)
    actor_kind = models.CharField(
        _("actor kind"), max_length=10, choices=ActorKind.choices, default=ActorKind.USER
    )
    # Ids, not foreign keys: an entry outlives the user or token it names.
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    target_type = models.CharField(_("target type"), max_length=100)
    target_id = models.CharField(_("target id"), max_length=64, blank=True, db_index=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name or self.actor_kind} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Audit entries are written once and never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("Audit entries are never deleted one by one.")
