"""Every write of attachments: upload (validate, then store), attach to a message, clean up.

``check_upload`` decides everything from the bytes before anything is stored; only then does
``attachment_upload`` write to storage, and if any later step fails the files written so far are
deleted, so a refused or failed upload leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import unicodedata
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.access import Actor
from chat.models import Attachment, Message
from helpdesk.errors import BadRequest, HelpdeskError, NotFound, RateLimited, TooLarge

from . import avmeta, images, sniff
from . import storage as media_storage
from .images import Unsupported
from .selectors import limits_get

logger = logging.getLogger(__name__)

MEDIA_KINDS = {"image", "file", "audio", "video"}


class Conflict(HelpdeskError):
    code = "conflict"


@dataclass
class CheckedUpload:
    kind: str
    content_type: str
    name: str
    size: int
    duration: float | None
    image: images.ProcessedImage | None


def clean_name(raw: Any, content_type: str) -> str:
    """A display name safe for a header and a page: no path, no control characters, at most
    200 characters, and an extension that matches the real type (``x.jpg`` holding a PDF
    becomes ``x.jpg.pdf``) so a download opens with the right program."""
    name = str(raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if not name:
        name = "file"
    extension = sniff.EXTENSIONS.get(content_type, "")
    if extension and not sniff.download_extension_ok(name, content_type):
        name = f"{name}{extension}"
    if len(name) > 200:
        stem, extension_part = os.path.splitext(name)
        name = stem[: 200 - len(extension_part)] + extension_part
    return name


def _human_mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def check_upload(*, fileobj: IO[bytes], name: Any, size: int) -> CheckedUpload:
    """Decide the type from the content and apply the admin's limits. Raises ``BadRequest``
    (empty), ``TooLarge`` (413: size or duration) or ``Unsupported`` (415: type refused or
    content unreadable). Stores nothing."""
    if size <= 0:
        empty = _("The file is empty.")
        raise BadRequest(empty, fields={"file": [empty]})
    limits = limits_get()
    sniffed = sniff.sniff(fileobj)
    if sniffed.content_type not in limits.allowed():
        refused = _("Files of type %(type)s cannot be sent.") % {"type": sniffed.content_type}
        raise Unsupported(refused, fields={"file": [refused]})
    kind = sniffed.kind
    max_bytes = limits.max_bytes(kind)
    if size > max_bytes:
        too_big = _("The file is larger than the %(limit)s allowed for this kind of file.") % {
            "limit": _human_mb(max_bytes)
        }
        raise TooLarge(too_big, fields={"file": [too_big]})
    duration = None
    processed = None
    if kind == "image":
        processed = images.process_image(fileobj, sniffed.content_type)
    elif kind in ("audio", "video"):
        duration = avmeta.duration_of(fileobj, sniffed.content_type)
        max_seconds = limits.max_seconds(kind)
        if duration is not None and max_seconds and duration > max_seconds + 0.5:
            too_long = _("The clip is %(seconds)d s long; at most %(limit)d s are allowed.") % {
                "seconds": round(duration),
                "limit": max_seconds,
            }
            raise TooLarge(too_long, fields={"file": [too_long]})
    content_type = processed.content_type if processed else sniffed.content_type
    return CheckedUpload(
        kind=kind,
        content_type=content_type,
        name=clean_name(name, content_type),
        size=len(processed.data) if processed else size,
        duration=round(duration, 2) if duration is not None else None,
        image=processed,
    )


def _pending_count(actor: Actor) -> int:
    since = timezone.now() - dt.timedelta(hours=1)
    qs = Attachment.objects.filter(message__isnull=True, created_at__gte=since)
    if actor.user is not None:
        return qs.filter(uploader_user=actor.user).count()
    return qs.filter(uploader_visitor=actor.visitor).count()


def attachment_upload(*, actor: Actor, fileobj: IO[bytes], name: Any, size: int) -> Attachment:
    """Validate and store an upload for ``actor``; returns the unattached ``Attachment`` whose
    ``public_id`` a ``message.send`` then names."""
    if actor.user is None and actor.visitor is None:
        raise BadRequest("No uploader.")
    limit = int(media_storage.media_conf()["PENDING_PER_ACTOR"])
    if _pending_count(actor) >= limit:
        raise RateLimited(_("Too many files uploaded and not sent; send them or wait a while."))
    checked = check_upload(fileobj=fileobj, name=name, size=size)
    digest = hashlib.sha256()
    written: list[str] = []
    try:
        extension = sniff.EXTENSIONS.get(checked.content_type, ".bin")
        if checked.image is not None:
            digest.update(checked.image.data)
            file_name = media_storage.save_bytes(
                media_storage.new_storage_name(extension, "f"), checked.image.data
            )
            written.append(file_name)
            thumb_ext = sniff.EXTENSIONS[checked.image.thumb_content_type]
            thumb_name = media_storage.save_bytes(
                file_name.rsplit("/", 1)[0] + f"/t{thumb_ext}", checked.image.thumbnail
            )
            written.append(thumb_name)
        else:
            fileobj.seek(0)
            for chunk in iter(lambda: fileobj.read(1024 * 1024), b""):
                digest.update(chunk)
            file_name = media_storage.save_file(
                media_storage.new_storage_name(extension, "f"), fileobj
            )
            written.append(file_name)
            thumb_name = ""
        image = checked.image
        return Attachment.objects.create(
            uploader_user=actor.user,
            uploader_visitor=actor.visitor if actor.user is None else None,
            kind=checked.kind,
            content_type=checked.content_type,
            name=checked.name,
            size=checked.size,
            file=file_name,
            thumbnail=thumb_name,
            thumb_content_type=image.thumb_content_type if image else "",
            width=image.width if image else None,
            height=image.height if image else None,
            thumb_width=image.thumb_width if image else None,
            thumb_height=image.thumb_height if image else None,
            duration=checked.duration,
            sha256=digest.hexdigest(),
        )
    except BaseException:
        media_storage.delete_quietly(*written)
        raise


def attachment_for_send(*, actor: Actor, attachment_id: Any) -> Attachment:
    """The actor's own unused upload, locked for the message that will take it. Called by
    ``message_send`` inside its transaction (after the ``client_id`` dedupe, so a retry of a
    sent message never gets here)."""
    attachment = _owned(actor, attachment_id, lock=True)
    if attachment.message_id is not None:
        # bad_request, not conflict: the WebSocket error codes are fixed by the contract.
        raise BadRequest(
            _("This file was already sent in another message."),
            fields={"attachment": ["Already used."]},
        )
    return attachment


def _owned(actor: Actor, attachment_id: Any, *, lock: bool = False) -> Attachment:
    from .selectors import parse_public_id

    public_id = parse_public_id(attachment_id)
    qs = Attachment.objects.filter(public_id=public_id)
    if actor.user is not None:
        qs = qs.filter(uploader_user=actor.user)
    else:
        qs = qs.filter(uploader_visitor=actor.visitor)
    if lock:
        qs = qs.select_for_update()
    attachment = qs.first()
    if attachment is None:
        raise NotFound("Upload not found.", fields={"attachment": ["Unknown upload."]})
    return attachment


def attachment_discard(*, actor: Actor, attachment_id: Any) -> None:
    """The uploader cancels an upload that was not sent yet (files go after commit)."""
    with transaction.atomic():
        attachment = _owned(actor, attachment_id, lock=True)
        if attachment.message_id is not None:
            raise Conflict("A sent attachment cannot be discarded.")
        attachment.delete()


def attachments_orphans_delete(*, older_than_hours: float | None = None) -> int:
    """Delete uploads never attached to a message within the grace period (beat task)."""
    hours = older_than_hours
    if hours is None:
        hours = float(media_storage.media_conf()["ORPHAN_HOURS"])
    cutoff = timezone.now() - dt.timedelta(hours=hours)
    deleted = 0
    ids = list(
        Attachment.objects.filter(message__isnull=True, created_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:5000]
    )
    for pk in ids:
        with transaction.atomic():
            attachment = (
                Attachment.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, message__isnull=True)
                .first()
            )
            if attachment is not None:
                attachment.delete()
                deleted += 1
    return deleted


def files_delete_on_commit(attachment: Attachment) -> None:
    """post_delete: remove the stored files once the deletion commits."""
    names = [attachment.file.name or "", attachment.thumbnail.name or ""]
    transaction.on_commit(lambda: media_storage.delete_quietly(*names))


def message_kind_for(attachment: Attachment) -> str:
    kind = str(attachment.kind)
    return kind if kind in MEDIA_KINDS else Message.Kind.FILE
