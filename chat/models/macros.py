"""Macros (code in ``chat/macros.py``): one click runs several actions on a conversation."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Macro(models.Model):
    """``actions`` is a list run in order, each one of ``{"type": "reply", "text": …}`` (a
    public reply; placeholders as in canned replies), ``{"type": "note", "text": …}``,
    ``{"type": "label", "label": <name>}``, ``{"type": "assign_me"}``,
    ``{"type": "priority", "priority": "none|low|medium|high|urgent"}``, ``{"type": "resolve"}``."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    actions = models.JSONField(_("actions"), default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("macro")
        verbose_name_plural = _("macros")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from chat.macros import check_actions

        check_actions(self.actions)
