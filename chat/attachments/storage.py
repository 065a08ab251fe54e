"""Where attachment bytes live, and the signed links that serve them.

Files go through Django's storage API (``STORAGES["default"]``): the local disk by default, an
S3-compatible bucket when the environment names one (settings). Storage names are random and
never derived from the uploader's file name.

A link is ``/attachments/<token>/<name>``: the token is a ``TimestampSigner`` signature over the
attachment id and variant (full file or thumbnail), so it cannot be guessed or edited, and it
expires after ``HELPDESK_MEDIA["URL_TTL"]`` seconds. The link alone is not enough: the serving
view also checks that the requester may read the conversation (docs/media.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.urls import reverse
from django.utils import timezone

SALT = "helpdesk.media.link"
FULL = "f"
THUMB = "t"


def media_conf() -> dict[str, Any]:
    conf = {"URL_TTL": 3600, "REDIRECT_TTL": 60, "ORPHAN_HOURS": 24, "PENDING_PER_ACTOR": 30}
    conf.update(getattr(settings, "HELPDESK_MEDIA", {}) or {})
    return conf


def storage() -> Storage:
    """The configured default storage itself (not the lazy ``default_storage`` proxy, whose
    class says nothing until first use)."""
    return storages["default"]


def is_local(store: Storage) -> bool:
    return isinstance(store, FileSystemStorage)


def new_storage_name(extension: str, variant: str) -> str:
    """``attachments/2026/11/<random>/f.jpg``: unguessable, no user input in it."""
    now = timezone.now()
    return f"attachments/{now:%Y/%m}/{uuid.uuid4().hex}/{variant}{extension}"


def save_bytes(name: str, data: bytes) -> str:
    return storage().save(name, ContentFile(data))


def save_file(name: str, fileobj: Any) -> str:
    fileobj.seek(0)
    return storage().save(name, File(fileobj))


def delete_quietly(*names: str) -> None:
    store = storage()
    for name in names:
        if name:
            # Best effort: a file left behind is found again by the beat task's next run.
            with contextlib.suppress(Exception):
                store.delete(name)


# --- signed links --------------------------------------------------------------------------


def link_token(attachment_id: int, variant: str) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"a": attachment_id, "v": variant})


def link_path(attachment_id: int, variant: str, name: str) -> str:
    token = link_token(attachment_id, variant)
    return reverse("media-serve", kwargs={"token": token, "name": quote(name or "file", safe="")})


def link_expires_at() -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=int(media_conf()["URL_TTL"]))


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def link_read(token: str) -> tuple[int, str]:
    """(attachment id, variant) of a valid, unexpired token."""
    signer = signing.TimestampSigner(salt=SALT)
    try:
        data = signer.unsign_object(token, max_age=int(media_conf()["URL_TTL"]))
    except signing.SignatureExpired:
        raise LinkExpired from None
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkInvalid from None
    if not isinstance(data, dict):
        raise LinkInvalid
    attachment_id, variant = data.get("a"), data.get("v")
    if not isinstance(attachment_id, int) or variant not in (FULL, THUMB):
        raise LinkInvalid
    return attachment_id, variant
