"""Writes of canned replies. Agents manage their personal replies; shared ones live in the
admin."""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction

from chat.access import is_agent
from chat.models import CannedReply
from helpdesk.errors import BadRequest, Forbidden, HelpdeskError, NotFound

SHORTCUT_RE = re.compile(r"^[\w-]{1,40}$")
MAX_BODY = 4000
MAX_TITLE = 120


class Conflict(HelpdeskError):
    code = "conflict"


def check_shortcut(value: Any) -> str:
    if isinstance(value, str):
        value = value.strip().lstrip("/")
    if not isinstance(value, str) or not SHORTCUT_RE.match(value):
        raise BadRequest(
            "A shortcut is 1 to 40 letters, digits, - or _.",
            fields={"shortcut": ["1 to 40 letters, digits, - or _."]},
        )
    return value.lower()


def check_text(value: Any, *, name: str, limit: int, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise BadRequest(f"{name} must be a string.", fields={name: ["Expected a string."]})
    value = value.replace("\x00", "")
    if required and not value.strip():
        raise BadRequest(f"{name} is empty.", fields={name: ["Must not be empty."]})
    if len(value) > limit:
        raise BadRequest(f"{name} is too long.", fields={name: [f"At most {limit} characters."]})
    return value


def _check_agent(user: Any) -> None:
    if not is_agent(user):
        raise Forbidden("Agents only.")


def _save(reply: CannedReply) -> CannedReply:
    try:
        with transaction.atomic():
            reply.save()
    except IntegrityError:
        raise Conflict(
            "You already have a reply with this shortcut.",
            fields={"shortcut": ["Already used."]},
        ) from None
    return reply


def canned_create(*, user: Any, shortcut: Any, body: Any, title: Any = "") -> CannedReply:
    """A personal canned reply of ``user``."""
    _check_agent(user)
    reply = CannedReply(
        owner=user,
        shortcut=check_shortcut(shortcut),
        title=check_text(title, name="title", limit=MAX_TITLE, required=False),
        body=check_text(body, name="body", limit=MAX_BODY, required=True),
    )
    return _save(reply)


def _own(user: Any, canned_id: Any) -> CannedReply:
    _check_agent(user)
    try:
        pk = int(canned_id)
    except (TypeError, ValueError):
        raise NotFound("Canned reply not found.") from None
    reply = CannedReply.objects.filter(pk=pk, owner=user).first()
    if reply is None:
        # Shared replies and other agents' replies are not editable here: look absent.
        raise NotFound("Canned reply not found.")
    return reply


def canned_update(
    *, user: Any, canned_id: Any, shortcut: Any = None, body: Any = None, title: Any = None
) -> CannedReply:
    """Change one of ``user``'s own replies (fields left None stay)."""
    reply = _own(user, canned_id)
    if shortcut is not None:
        reply.shortcut = check_shortcut(shortcut)
    if body is not None:
        reply.body = check_text(body, name="body", limit=MAX_BODY, required=True)
    if title is not None:
        reply.title = check_text(title, name="title", limit=MAX_TITLE, required=False)
    return _save(reply)


def canned_delete(*, user: Any, canned_id: Any) -> None:
    _own(user, canned_id).delete()
