"""The ``attachment`` object of the message payload (CONTRACT.md), with fresh signed links."""

from __future__ import annotations

from typing import Any

from chat.events import isoformat
from chat.models import Attachment, Message

from . import storage as media_storage

MEDIA_KINDS = {"image", "file", "audio", "video"}


def attachment_payload(attachment: Attachment) -> dict[str, Any]:
    thumbnail = None
    if attachment.thumbnail:
        thumbnail = {
            "url": media_storage.link_path(attachment.pk, media_storage.THUMB, attachment.name),
            "width": attachment.thumb_width,
            "height": attachment.thumb_height,
        }
    return {
        "id": str(attachment.public_id),
        "kind": attachment.kind,
        "url": media_storage.link_path(attachment.pk, media_storage.FULL, attachment.name),
        "name": attachment.name,
        "size": attachment.size,
        "content_type": attachment.content_type,
        "width": attachment.width,
        "height": attachment.height,
        "duration": attachment.duration,
        "thumbnail": thumbnail,
        "expires_at": isoformat(media_storage.link_expires_at()),
    }


def message_attachment_payload(message: Message) -> dict[str, Any] | None:
    """``chat.events.attachment_payload_hook``: no query for text messages; none either when
    the caller selected or set the attachment (``messages_after``, ``message_send``)."""
    if message.kind not in MEDIA_KINDS:
        return None
    try:
        attachment = message.attachment
    except Attachment.DoesNotExist:
        return None
    if attachment is None:
        return None
    return attachment_payload(attachment)
