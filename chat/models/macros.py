"""Macros (code in ``chat/macros.py``): one click runs several actions on a conversation."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .conversations import Conversation
from .labels import Label


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
        macro_actions_check(self.actions)


ACTION_TYPES = ("reply", "note", "label", "assign_me", "priority", "resolve")
MAX_ACTIONS = 10
# The protocol's names of the priorities, as chat/priority/services.py names them.
_PRIORITY_NAMES = tuple(p.name.lower() for p in Conversation.Priority)


def macro_actions_check(actions: Any) -> list[dict[str, Any]]:
    """The actions, or a ValidationError saying which one is wrong (the admin shows it)."""
    if not isinstance(actions, list) or not 1 <= len(actions) <= MAX_ACTIONS:
        raise ValidationError({"actions": f"A list of 1 to {MAX_ACTIONS} actions."})
    for n, action in enumerate(actions, 1):
        kind = action.get("type") if isinstance(action, dict) else None
        if kind not in ACTION_TYPES:
            raise ValidationError({"actions": f"Action {n}: type is one of {ACTION_TYPES}."})
        if kind in ("reply", "note"):
            text = action.get("text")
            if not isinstance(text, str) or not text.strip() or len(text) > 4000:
                raise ValidationError({"actions": f"Action {n}: text of 1 to 4000 characters."})
        if kind == "priority" and action.get("priority") not in _PRIORITY_NAMES:
            raise ValidationError(
                {"actions": f"Action {n}: priority is one of {', '.join(_PRIORITY_NAMES)}."}
            )
        if kind == "label":
            name = action.get("label")
            if not isinstance(name, str) or not Label.objects.filter(name=name).exists():
                raise ValidationError({"actions": f"Action {n}: no label named {name!r}."})
    return actions
