"""Labels on conversations (code in ``chat/labels.py``): a name and a colour, set by hand or
in bulk from the workspace list, and a filter of that list."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .conversations import Conversation

COLOR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour as #RRGGBB."))


class Label(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)
    color = models.CharField(_("colour"), max_length=7, default="#64748b", validators=[COLOR])
    # Declared here, so the conversation model stays as it is: ``conversation.labels``.
    conversations = models.ManyToManyField(
        Conversation, related_name="labels", blank=True, verbose_name=_("conversations")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("label")
        verbose_name_plural = _("labels")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
