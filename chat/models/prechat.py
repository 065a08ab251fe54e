"""The pre-chat form (code in ``chat/prechat/``): per web channel, the fields a shopper fills
in before the first message, and what each shopper sent."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from helpdesk.model_validators import model_validate

from .conversations import Conversation
from .inbox import Channel
from .people import Visitor


class PrechatForm(models.Model):
    """``fields`` is a list of ``{"field": "name" | "email" | "phone" |
    "<conversation|contact>.<attribute key>", "required": bool, "label"?: str}``, shown in
    that order (``label``: the manager's own wording, else the field's or attribute's).
    ``intro`` replaces the default line above the fields when set."""

    channel = models.OneToOneField(
        Channel, on_delete=models.CASCADE, related_name="prechat_form", verbose_name=_("channel")
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    intro = models.CharField(_("intro"), max_length=300, blank=True)
    fields = models.JSONField(_("fields"), default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pre-chat form")
        verbose_name_plural = _("pre-chat forms")

    def __str__(self) -> str:
        return str(self.channel)

    def clean(self) -> None:
        # chat/prechat/services.py: prechat_form_validate, registered from the chat app's ready().
        model_validate(self)


class PrechatSubmission(models.Model):
    """A shopper's answers. Name, email and contact attributes are stored on the visitor (or
    their customer) at once; conversation attributes wait in ``values`` for the conversation
    the first message opens, which then fills ``conversation``."""

    visitor = models.ForeignKey(
        Visitor, on_delete=models.CASCADE, related_name="prechat_submissions"
    )
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    values = models.JSONField(default=dict)
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pre-chat answers")
        verbose_name_plural = _("pre-chat answers")
        indexes = [models.Index(fields=["visitor", "-created_at"], name="prechat_visitor")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.visitor}"
