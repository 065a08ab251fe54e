"""Storing a message in a conversation: the checks on what a client sends, ``message_create``
(the one place a message row is written and announced) and activity lines."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone

from helpdesk import dispatch
from helpdesk.errors import BadRequest

from .. import events
from ..access import Actor
from ..models import Attachment, Conversation, Message
from ..statements import message_store
from .receipts import read_cursors_to_latest

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PREVIEW_CHARS = 200


def check_client_id(client_id: object) -> str:
    if not isinstance(client_id, str) or not client_id or len(client_id) > 64:
        raise BadRequest(
            "client_id must be a string of 1 to 64 characters.",
            fields={"client_id": ["1 to 64 characters."]},
        )
    if "\x00" in client_id:
        raise BadRequest("client_id has a NUL character.", fields={"client_id": ["Invalid."]})
    return client_id


def check_body(body: object, *, allow_empty: bool = False) -> str:
    if not isinstance(body, str):
        raise BadRequest("body must be a string.", fields={"body": ["Expected a string."]})
    # PostgreSQL text cannot hold NUL; dropping it loses nothing a person can see.
    body = body.replace("\x00", "")
    if not allow_empty and not body.strip():
        raise BadRequest("The message is empty.", fields={"body": ["Must not be empty."]})
    limit = settings.HELPDESK["MAX_BODY_CHARS"]
    if len(body) > limit:
        raise BadRequest(
            f"The message is longer than {limit} characters.",
            fields={"body": [f"At most {limit} characters."]},
        )
    return body


def _preview(message: Message) -> str:
    """The conversation list's one-line preview of its newest public message."""
    if message.body.strip():
        return " ".join(message.body.split())[:PREVIEW_CHARS]
    return f"[{message.kind}]"


def message_create(
    *,
    conversation: Conversation,
    sender_kind: str,
    body: str,
    client_id: str | None = None,
    sender_user: User | None = None,
    sender_name: str = "",
    kind: str = Message.Kind.TEXT,
    private: bool = False,
    card: dict[str, Any] | None = None,
    origin: str | None = None,
    extra: dict[str, Any] | None = None,
    attachment: Attachment | None = None,
    reader: Actor | None = None,
) -> Message:
    """Store a message in a conversation whose row the caller has locked, allocate its seq,
    dispatch ``message.created`` and publish it after commit.

    Used by ``message_send`` and by the bot, system notices and cards. ``extra`` is passed to
    listeners in the domain event (e.g. the bot's match confidence). ``reader`` (the sender)
    has seen everything up to this message: its read cursor moves in the same UPDATE.
    ``origin`` is the sending socket, which gets an ack instead of the ``message.created``.
    """
    now = timezone.now()
    conversation.last_seq += 1
    message = Message(
        conversation=conversation,
        seq=conversation.last_seq,
        client_id=client_id or f"srv-{uuid.uuid4().hex}",
        sender_kind=sender_kind,
        sender_user=sender_user,
        sender_name=sender_name,
        kind=kind,
        private=private,
        body=body,
        card=card,
        created_at=now,
    )
    update = ["last_seq", "last_activity_at"]
    conversation.last_activity_at = now
    # The list shows the last line the shopper or the desk said: activity lines ("Ana has
    # joined the conversation") are not a preview.
    if not private and sender_kind != Message.SenderKind.SYSTEM:
        conversation.last_message_preview = _preview(message)
        conversation.last_message_sender = sender_kind
        update += ["last_message_preview", "last_message_sender"]
    if reader is not None:
        update += read_cursors_to_latest(conversation=conversation, actor=reader)
    # The message path's write: the message's INSERT and the conversation's UPDATE as one fixed
    # statement (chat/statements.py).
    message_store(message, conversation, update)
    if attachment is not None:
        # Linked before the payload is built, so the frame carries it without a query.
        attachment.message = message
        attachment.save(update_fields=["message"])
    dispatch.dispatch(
        dispatch.DomainEvent(
            name=dispatch.Event.MESSAGE_CREATED,
            at=now,
            conversation_id=conversation.pk,
            data={
                "message_id": message.pk,
                "seq": message.seq,
                "sender_kind": sender_kind,
                "sender_user_id": getattr(sender_user, "pk", None),
                "kind": kind,
                "private": private,
                # The conversation as it stands (row locked), so listeners need not read it.
                "conversation": conversation,
                "assignee_id": conversation.assignee_id,
                "team_id": conversation.team_id,
                "customer_id": conversation.customer_id,
                "created_at": conversation.created_at,
                **(extra or {}),
            },
        )
    )
    message.conversation = conversation
    events.publish_message(message, origin=origin)
    return message


def activity_create(*, conversation: Conversation, text: str) -> Message:
    """An activity line in the timeline ("Ana took the conversation"): a private system
    message, so agents see who did what and the shopper never does."""
    return message_create(
        conversation=conversation,
        sender_kind=Message.SenderKind.SYSTEM,
        body=text,
        private=True,
    )
