"""A stored WhatsApp event becomes a message (the queue's processor for WhatsApp channels).

Text, images, audio and voice notes, video, documents and stickers map to our message and
attachments; media is fetched from the Graph API first (at most the admin's limit for its
kind, so an oversize file is refused with a note without being downloaded) and then goes
through the media pipeline like any upload. Locations, contacts, button and list answers
become text. Reactions and unsupported types open nothing and are recorded (a retry is quiet).
"""

from __future__ import annotations

import json
import mimetypes
from typing import Any

from django.utils.translation import gettext as _

from chat.attachments.selectors import limits_get
from chat.models import Channel

from ..inbound import Inbound, InboundAttachment, inbound_receive, record_dropped, refusal_note
from .graph import MediaTooLarge, media_fetch

MEDIA_TYPES = ("image", "audio", "video", "document", "sticker")
_KIND = {"image": "image", "sticker": "image", "audio": "audio", "video": "video"}


def _text_of(message: dict[str, Any]) -> str:
    kind = message.get("type")
    if kind == "text":
        return str((message.get("text") or {}).get("body") or "")
    if kind == "button":
        return str((message.get("button") or {}).get("text") or "")
    if kind == "interactive":
        inner = message.get("interactive") or {}
        reply = inner.get("button_reply") or inner.get("list_reply") or {}
        return str(reply.get("title") or "")
    if kind == "location":
        place = message.get("location") or {}
        label = " ".join(str(place.get(k) or "") for k in ("name", "address")).strip()
        where = f"{place.get('latitude')}, {place.get('longitude')}"
        return f"📍 {label} ({where})" if label else f"📍 {where}"
    if kind == "contacts":
        names = []
        for card in message.get("contacts") or []:
            name = (card.get("name") or {}).get("formatted_name") or ""
            phones = ", ".join(p.get("phone", "") for p in card.get("phones") or [])
            names.append(f"{name} {phones}".strip())
        return "\n".join(f"👤 {n}" for n in names if n)
    if kind in MEDIA_TYPES:
        return str((message.get(kind) or {}).get("caption") or "")
    return ""


def _media_name(kind: str, media: dict[str, Any], content_type: str, wamid: str) -> str:
    if media.get("filename"):
        return str(media["filename"])
    extension = mimetypes.guess_extension((content_type or "").split(";")[0].strip()) or ""
    label = "voice" if media.get("voice") else kind
    return f"{label}-{wamid[-8:]}{extension}"


def whatsapp_receive(*, channel: Channel, raw: bytes) -> None:
    event = json.loads(raw)
    message: dict[str, Any] = event["message"]
    contact: dict[str, Any] = event.get("contact") or {}
    kind = str(message.get("type"))
    wamid = str(message["id"])
    body = _text_of(message)
    attachments: list[InboundAttachment] = []
    refused: list[str] = []
    if kind in MEDIA_TYPES:
        media = message.get(kind) or {}
        limit = limits_get().max_bytes(_KIND.get(kind, "file"))
        declared = str(media.get("mime_type") or "")
        try:
            content, content_type = media_fetch(channel, str(media.get("id", "")), max_bytes=limit)
        except MediaTooLarge:
            name = _media_name(kind, media, declared, wamid)
            refused.append(
                refusal_note(
                    name,
                    _("The file is larger than the %(limit)s allowed for this kind of file.")
                    % {"limit": f"{limit / (1024 * 1024):.0f} MB"},
                )
            )
        else:
            content_type = content_type or declared
            attachments.append(
                InboundAttachment(
                    name=_media_name(kind, media, content_type, wamid),
                    content=content,
                    content_type=content_type,
                )
            )
    if not body and not attachments and not refused:
        record_dropped(channel=channel, external_id=wamid, note=f"whatsapp {kind}"[:200])
        return
    inbound_receive(
        channel=channel,
        identity_kind="whatsapp",
        inbound=Inbound(
            external_id=wamid,
            address=str(message["from"]),
            name=str((contact.get("profile") or {}).get("name") or ""),
            body=body,
            attachments=attachments,
            refused=refused,
        ),
    )
