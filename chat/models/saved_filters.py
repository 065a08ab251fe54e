"""Saved list filters, optionally shared with the team (code: ``chat/saved_filters/``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SavedFilter(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters"
    )
    name = models.CharField(_("name"), max_length=80)
    # Shown to every agent, not only the owner (only the owner changes or deletes it).
    shared = models.BooleanField(_("shared with the team"), default=False)
    # The list's query parameters: view, status, channel, label, priority, sort, q.
    filters = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_filter_name_once"),
        ]
        indexes = [
            models.Index(
                fields=["shared"], condition=models.Q(shared=True), name="saved_filter_shared"
            )
        ]

    def __str__(self) -> str:
        return self.name
