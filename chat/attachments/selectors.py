"""Reads of attachments: the limits, and an attachment as one viewer may see it."""

from __future__ import annotations

import uuid
from typing import Any

from chat.access import Actor, access_conversation
from chat.models import Attachment, MediaLimits
from helpdesk.errors import NotFound


def limits_get() -> MediaLimits:
    """The singleton limits row (created with the defaults on first use)."""
    limits, _created = MediaLimits.objects.get_or_create(pk=1)
    return limits


def limits_payload(limits: MediaLimits) -> dict[str, Any]:
    """What the widget and workspace check before uploading."""
    return {
        "allowed_types": sorted(limits.allowed()),
        "max_bytes": {kind: limits.max_bytes(kind) for kind in ("image", "audio", "video", "file")},
        "max_seconds": {"audio": limits.audio_max_seconds, "video": limits.video_max_seconds},
    }


def parse_public_id(raw: Any) -> uuid.UUID:
    if not isinstance(raw, str) or len(raw) > 64:
        raise NotFound("Upload not found.", fields={"attachment": ["Unknown upload."]})
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise NotFound("Upload not found.", fields={"attachment": ["Unknown upload."]}) from None


def attachment_visible(*, actor: Actor, attachment: Attachment) -> bool:
    """May ``actor`` see this attachment? Unsent: only its uploader. Sent: whoever may read the
    conversation through ``access_conversation``; a private note's attachment only staff."""
    message = attachment.message
    if message is None:
        if actor.user is not None:
            return attachment.uploader_user_id == actor.user.pk
        return actor.visitor is not None and attachment.uploader_visitor_id == actor.visitor.pk
    if actor.user is None and message.private:
        return False
    try:
        access_conversation(actor=actor, conversation_id=message.conversation_id)
    except NotFound:
        return False
    return True


def attachment_for_viewer(*, actor: Actor, attachment_pk: int) -> Attachment:
    """The attachment if ``actor`` may see it, else ``NotFound`` (not yours = does not exist)."""
    attachment = Attachment.objects.select_related("message").filter(pk=attachment_pk).first()
    if attachment is None or not attachment_visible(actor=actor, attachment=attachment):
        raise NotFound("Attachment not found.")
    return attachment


def attachment_by_public_id(*, actor: Actor, public_id: Any) -> Attachment:
    pk = (
        Attachment.objects.filter(public_id=parse_public_id(public_id))
        .values_list("pk", flat=True)
        .first()
    )
    if pk is None:
        raise NotFound("Attachment not found.")
    return attachment_for_viewer(actor=actor, attachment_pk=pk)
