"""Channels in the admin: type, team, business hours, greeting, bot on/off, and each kind's
settings (checked by the kind's adapter). Secrets are never shown back."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from chat.models import Channel

from . import registry
from .api.tokens import token_issue
from .models import EmailDetail, ExternalMessage, OutboundDelivery

SECRET_KEYS = (
    "smtp_password",
    "imap_password",
    "webhook_secret",
    "token_hash",
    "app_secret",
    "access_token",
    "encoding_aes_key",
    "secret",
)
KEPT = "(unchanged)"


class ChannelForm(forms.ModelForm):
    config = forms.CharField(
        label=_("settings (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 80, "style": "font-family: monospace"}),
        help_text=_(
            'Email: {"address": "support@shop.example", "smtp_host": …, "imap_host": …}; '
            'API: {"webhook_url": "https://app.example/helpdesk"}. Secrets show as "(unchanged)": '
            "leave them so to keep them. See docs/channels.md."
        ),
    )

    class Meta:
        model = Channel
        fields = [
            "name",
            "kind",
            "team",
            "schedule",
            "greeting",
            "closed_message",
            "bot_enabled",
            "active",
            "is_default",
            "config",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        shown = {
            k: (KEPT if k in SECRET_KEYS and v else v)
            for k, v in (self.instance.config or {}).items()
        }
        self.initial["config"] = json.dumps(shown, indent=2, ensure_ascii=False)
        if self.instance.pk:
            self.fields["kind"].disabled = True  # conversations of one kind stay that kind

    def clean_config(self) -> dict[str, Any]:
        text = self.cleaned_data.get("config") or "{}"
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(_("Not valid JSON: %(error)s") % {"error": exc}) from None
        if not isinstance(data, dict):
            raise ValidationError(_("The settings must be a JSON object."))
        old = self.instance.config or {}
        for key in SECRET_KEYS:
            if data.get(key) == KEPT:
                if key in old:
                    data[key] = old[key]
                else:
                    data.pop(key)
        kind = self.cleaned_data.get("kind") or self.instance.kind
        try:
            return registry.config_check(kind, data)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    form = ChannelForm
    list_display = ["name", "kind", "team", "bot_enabled", "active", "is_default", "created_at"]
    list_filter = ["kind", "active", "team"]
    search_fields = ["name"]
    readonly_fields = ["public_id", "state"]
    actions = ["issue_token"]

    @admin.action(description=_("Issue a new API token (shown once)"))
    def issue_token(self, request: HttpRequest, queryset: Any) -> None:
        for channel in queryset.filter(kind=Channel.Kind.API):
            token = token_issue(channel)
            self.message_user(
                request,
                _("Token for %(name)s (copy it now, it is not shown again): %(token)s")
                % {"name": channel.name, "token": token},
                messages.WARNING,
            )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Conversations keep their channel: switch a channel off instead of deleting it.
        if obj is not None and obj.conversations.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(OutboundDelivery)
class OutboundDeliveryAdmin(admin.ModelAdmin):
    list_display = ["message", "channel", "status", "attempts", "error", "updated_at"]
    list_filter = ["status", "channel"]
    raw_id_fields = ["message"]
    readonly_fields = [f.name for f in OutboundDelivery._meta.fields]


@admin.register(ExternalMessage)
class ExternalMessageAdmin(admin.ModelAdmin):
    list_display = ["external_id", "channel", "direction", "conversation", "note", "created_at"]
    list_filter = ["direction", "channel", "note"]
    search_fields = ["external_id"]
    raw_id_fields = ["message", "conversation"]


@admin.register(EmailDetail)
class EmailDetailAdmin(admin.ModelAdmin):
    list_display = ["subject", "from_address", "direction", "created_at"]
    search_fields = ["subject", "mail_id"]
    raw_id_fields = ["message"]
    exclude = ["html"]
