"""Approved templates: what an agent may send a WhatsApp customer outside the 24-hour window.

The channel's settings list the templates approved in WhatsApp Manager (name, language, the
text with ``{{1}}`` placeholders). ``template_send`` stores the agent's message as the text
the customer will read and marks its delivery as that template, so the window gate lets it
pass and the sender posts it as a ``template`` message.
"""

from __future__ import annotations

import contextvars
import uuid
from typing import Any

from django.db import transaction

from chat.access import Actor, access_conversation
from chat.models import Channel, Message
from chat.services.message_send import message_send
from helpdesk.errors import BadRequest

from ..models import OutboundDelivery
from .config import template_render

# Set while an approved template is being sent: the window gate lets it through.
template_sending: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "whatsapp_template_sending", default=False
)


def channel_templates(channel: Channel) -> list[dict[str, Any]]:
    if channel.kind != Channel.Kind.WHATSAPP:
        return []
    return list(channel.config.get("templates") or [])


def template_send(
    *,
    actor: Actor,
    conversation_id: int,
    name: str,
    language: str = "",
    params: list[Any] | None = None,
    client_id: str = "",
) -> tuple[Message, bool]:
    """Send the channel's approved template ``name`` (with ``params``) as the agent's reply."""
    conversation = access_conversation(actor=actor, conversation_id=conversation_id)
    channel = conversation.channel
    if channel.kind != Channel.Kind.WHATSAPP:
        raise BadRequest("Templates are for WhatsApp conversations.")
    candidates = [
        t
        for t in channel_templates(channel)
        if t["name"] == name and (not language or t["language"] == language)
    ]
    if not candidates:
        raise BadRequest("No such approved template.", fields={"name": ["Unknown."]})
    template = candidates[0]
    values = [str(p).strip() for p in (params or [])]
    if len(values) != template["params"] or any(not v or len(v) > 1000 for v in values):
        raise BadRequest(
            f"The template takes {template['params']} values, none empty.",
            fields={"params": [f"{template['params']} values."]},
        )
    token = template_sending.set(True)
    try:
        with transaction.atomic():
            message, created = message_send(
                actor=actor,
                client_id=client_id or f"tpl-{uuid.uuid4().hex}",
                body=template_render(template, values),
                conversation_id=conversation.pk,
            )
            if created:
                OutboundDelivery.objects.filter(message_id=message.pk).update(
                    template={
                        "name": template["name"],
                        "language": template["language"],
                        "params": values,
                    }
                )
    finally:
        template_sending.reset(token)
    return message, created
