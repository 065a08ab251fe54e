"""Canned replies (chat/canned/): saved answers agents insert with a shortcut."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CannedReply(models.Model):
    """A saved answer. ``owner`` null means shared (managed in the admin)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="canned_replies",
        verbose_name=_("owner"),
        help_text=_("Empty for a reply shared by every agent."),
    )
    shortcut = models.SlugField(_("shortcut"), max_length=40, allow_unicode=True)
    title = models.CharField(_("title"), max_length=120, blank=True)
    body = models.TextField(_("text"), max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["shortcut"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "shortcut"],
                condition=Q(owner__isnull=False),
                name="canned_personal_shortcut",
            ),
            models.UniqueConstraint(
                fields=["shortcut"], condition=Q(owner__isnull=True), name="canned_shared_shortcut"
            ),
        ]

    def __str__(self) -> str:
        return f"/{self.shortcut}"
