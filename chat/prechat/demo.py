"""A demo pre-chat form for the web widget, switched off: the admin shows how one reads."""

from __future__ import annotations

from collections.abc import Callable

from helpdesk.demo import register


@register(18, "pre-chat form")
def load_prechat(log: Callable[[str], None]) -> None:
    from ..models import AttributeDefinition, PrechatForm
    from ..models.inbox import default_web_channel_id

    fields = [{"field": "name", "required": True}, {"field": "email", "required": True}]
    if AttributeDefinition.objects.filter(applies_to="conversation", key="topic").exists():
        fields.append({"field": "conversation.topic", "required": False})
    PrechatForm.objects.get_or_create(
        channel_id=default_web_channel_id(), defaults={"enabled": False, "fields": fields}
    )
    log("  pre-chat form: name, email, topic (off; switch it on in the admin)")
