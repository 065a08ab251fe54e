"""Channels (inboxes): where a conversation came from and where its replies go.

Every conversation and every visitor belongs to one channel. The model lives with the
conversations because they point at it; what each kind of channel does (parse a provider's
event, send a reply, its messaging window) lives in the ``inboxes`` app, which reads ``kind``
and ``config``. The app is not called ``channels``: that name is Django Channels'.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Channel(models.Model):
    class Kind(models.TextChoices):
        WEB = "web", _("Web widget")
        EMAIL = "email", _("Email")
        API = "api", _("API (the shop's app)")
        WHATSAPP = "whatsapp", _("WhatsApp Business")
        WECHAT = "wechat", _("WeChat Official Account")

    # Names the channel in URLs and tokens without exposing the sequential id.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    team = models.ForeignKey(
        "chat.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="channels",
        verbose_name=_("team"),
        help_text=_("New conversations of this channel go to this team's queue."),
    )
    schedule = models.ForeignKey(
        "chat.Schedule",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="channels",
        verbose_name=_("business hours"),
        help_text=_("Empty: the team's business hours (or the desk's)."),
    )
    greeting = models.TextField(
        _("greeting"),
        blank=True,
        help_text=_("Sent when a conversation opens in this channel. Empty: none."),
    )
    closed_message = models.TextField(
        _("out-of-hours message"),
        blank=True,
        help_text=_(
            "Sent instead of the greeting when a conversation opens outside business hours."
        ),
    )
    bot_enabled = models.BooleanField(_("bot answers"), default=True)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("An inactive channel accepts and sends nothing.")
    )
    is_default = models.BooleanField(
        _("default web channel"),
        default=False,
        help_text=_("The widget's channel when the storefront names none."),
    )
    # Settings of this kind of channel (addresses, servers, tokens), checked by its adapter.
    config = models.JSONField(_("settings"), default=dict, blank=True)
    # What the adapter remembers between runs (e.g. the IMAP cursor); never edited by hand.
    state = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=Q(is_default=True), name="channel_one_default_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


def default_web_channel_id() -> int:
    """The default web channel's id, made on first use. The default of ``Visitor.channel``
    and ``Conversation.channel``: a browser that names no channel talks to this one."""
    channel, _created = Channel.objects.get_or_create(
        kind=Channel.Kind.WEB, is_default=True, defaults={"name": "Website"}
    )
    return channel.pk
