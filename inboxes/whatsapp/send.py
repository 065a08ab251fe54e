"""An agent's or the bot's message to a WhatsApp customer (the kind's sender, run in Celery).

Text as a ``text`` message; an attachment is uploaded to the Cloud API's media endpoint and
sent as ``image`` / ``audio`` / ``video`` / ``document`` (the message's text as its caption);
a message an agent sent as an approved template goes out as ``template`` with its values.
"""

from __future__ import annotations

from typing import Any

from chat.models import Message

from ..models import OutboundDelivery
from ..registry import SendContext, SendError
from . import graph

_TYPES = {"image": "image", "audio": "audio", "video": "video"}


def _to(address: str) -> str:
    return address.lstrip("+")


def _template_payload(template: dict[str, Any]) -> dict[str, Any]:
    params = [str(p) for p in template.get("params") or []]
    body: dict[str, Any] = {
        "name": template["name"],
        "language": {"code": template["language"]},
    }
    if params:
        body["components"] = [
            {"type": "body", "parameters": [{"type": "text", "text": p} for p in params]}
        ]
    return {"type": "template", "template": body}


def whatsapp_send(ctx: SendContext) -> str:
    message: Message = ctx.message
    channel = ctx.channel
    to = _to(ctx.conversation.visitor.address)
    if not to:
        raise SendError("The customer has no WhatsApp number (erased?).", retry=False)
    delivery = getattr(message, "delivery", None)  # selected with the message
    if delivery is None:
        delivery = OutboundDelivery.objects.filter(message_id=message.pk).first()
    template = delivery.template if delivery is not None else None
    if template:
        return graph.message_post(channel, {"to": to, **_template_payload(template)})
    attachment = getattr(message, "attachment", None) if message.kind != Message.Kind.TEXT else None
    if attachment is None:
        if not message.body.strip():
            raise SendError("The message is empty.", retry=False)
        text = {"body": message.body, "preview_url": False}
        return graph.message_post(channel, {"to": to, "type": "text", "text": text})
    with attachment.file.open("rb") as handle:
        content = handle.read()
    media_id = graph.media_upload(
        channel, name=attachment.name, content=content, content_type=attachment.content_type
    )
    kind = _TYPES.get(str(attachment.kind), "document")
    media: dict[str, Any] = {"id": media_id}
    if kind != "audio" and message.body.strip():
        media["caption"] = message.body
    if kind == "document":
        media["filename"] = attachment.name
    return graph.message_post(channel, {"to": to, "type": kind, kind: media})
