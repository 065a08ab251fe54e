"""Payload builders, shared by WebSocket frames, REST output and webhooks, and the
registration functions through which other modules add their parts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..access import Actor
from ..models import Conversation, Message


def isoformat(value: Any) -> str | None:
    if value is None:
        return None
    text = value.isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def sender_name(actor: Actor) -> str:
    """The name a person shows under in messages, typing frames and activity lines: an agent's
    display name (else full name, else username), a shopper's display name."""
    if actor.user is not None:
        user = actor.user
        profile = getattr(user, "agent_profile", None)
        return profile.name if profile else (user.get_full_name() or user.get_username())
    assert actor.visitor is not None
    return actor.visitor.display_name


AttachmentPayload = Callable[[Message], dict[str, Any] | None]
_attachment_payload: AttachmentPayload | None = None


def attachment_payload_register(builder: AttachmentPayload) -> None:
    """The attachments part builds a message's ``attachment`` object (chat/attachments/payload.py);
    it plugs in here so ``message_payload`` stays the one message builder without importing it
    (the attachment code imports this module)."""
    global _attachment_payload
    _attachment_payload = builder


MessagePayloadPart = Callable[[Message], dict[str, Any]]
_message_payload_parts: list[MessagePayloadPart] = []
# The parts every reader gets, and those only staff get (``staff_only``).
_shopper_message_parts: list[MessagePayloadPart] = []
_staff_message_parts: list[MessagePayloadPart] = []


def message_payload_register(part: MessagePayloadPart, *, staff_only: bool = False) -> None:
    """Add keys to the message object (the channels' ``delivery``): ``part(message)`` returns a
    dict merged into it and must not query for a message that has none of its data.

    A ``staff_only`` part (the bot's ``bot_why``) reaches agents' sockets and REST only:
    ``message_payload(message, staff=True)``; a shopper's socket, history and resume, the
    integration API and webhooks never get its keys. It returns ``{}`` for a message without
    its data, so such messages cost staff no second frame (``publish_message``)."""
    if part in _message_payload_parts:
        return
    _message_payload_parts.append(part)
    (_staff_message_parts if staff_only else _shopper_message_parts).append(part)


def message_payload_parts() -> list[MessagePayloadPart]:
    return list(_message_payload_parts)


def message_payload_staff_extra(message: Message) -> dict[str, Any]:
    """The keys of the staff-only parts for ``message`` (empty for most messages)."""
    extra: dict[str, Any] = {}
    for part in _staff_message_parts:
        extra.update(part(message))
    return extra


# A channel's kind never changes once saved (the admin locks it), so a message's ``channel``
# needs no query: from the conversation's joined channel, else from this per-process map.
_channel_kinds: dict[int, str] = {}


def channel_kind(conversation: Conversation) -> str:
    """The kind of the conversation's channel (``web``, ``email`` …) without a query once
    the process has seen the channel."""
    channel_id = int(conversation.channel_id or 0)
    joined = conversation._state.fields_cache.get("channel")
    if joined is not None:
        _channel_kinds[channel_id] = joined.kind
        return str(joined.kind)
    kind = _channel_kinds.get(channel_id)
    if kind is None:
        kind = str(conversation.channel.kind)
        _channel_kinds[channel_id] = kind
    return kind


def channel_kinds_forget(**_kwargs: object) -> None:
    """A channel was deleted: forget the kinds (its id might be reused)."""
    _channel_kinds.clear()


def message_payload(message: Message, *, staff: bool = False) -> dict[str, Any]:
    """The contract's message object; ``staff``: with the staff-only parts' keys (a reader
    who is an agent, never a shopper)."""
    sender: dict[str, Any] = {"kind": message.sender_kind, "name": message.sender_name}
    if message.sender_kind == Message.SenderKind.AGENT:
        sender["id"] = message.sender_user_id
    elif message.sender_kind == Message.SenderKind.VISITOR:
        sender["id"] = message.conversation.visitor_id if message.conversation_id else None
    attachment = _attachment_payload(message) if _attachment_payload else None
    data = {
        "id": message.pk,
        "conversation": message.conversation_id,
        "seq": message.seq,
        "client_id": message.client_id,
        "sender": sender,
        "kind": message.kind,
        "private": message.private,
        "body": message.body,
        "attachment": attachment,
        "card": message.card,
        "created_at": isoformat(message.created_at),
        # The channel the message travels through (docs/protocol.md): its conversation's.
        "channel": channel_kind(message.conversation) if message.conversation_id else None,
    }
    for part in _shopper_message_parts:
        data.update(part(message))
    if staff:
        data.update(message_payload_staff_extra(message))
    return data


ConversationPayloadPart = Callable[[Conversation, bool], dict[str, Any]]
_conversation_payload_parts: list[ConversationPayloadPart] = []


def conversation_payload_register(part: ConversationPayloadPart) -> None:
    """Add fields to the conversation object: ``part(conversation, staff)`` returns a dict
    merged into it (routing's queue position, the bot's state, the order flag). Parts run in
    registration order; registering one twice changes nothing."""
    if part not in _conversation_payload_parts:
        _conversation_payload_parts.append(part)


def conversation_payload_parts() -> list[ConversationPayloadPart]:
    """The registered parts, in order (docs/architecture.md lists them)."""
    return list(_conversation_payload_parts)


def conversation_payload(conversation: Conversation, *, staff: bool) -> dict[str, Any]:
    """The conversation object; ``staff=False`` is the shopper's view (no internal fields)."""
    assignee = None
    if conversation.assignee_id:
        user: Any = conversation.assignee
        assignee = {"id": user.pk, "name": sender_name(Actor(user=user))}
    data: dict[str, Any] = {
        "id": conversation.pk,
        "status": conversation.status,
        "assignee": assignee,
        "team": (
            {"id": conversation.team_id, "name": conversation.team.name}
            if conversation.team is not None
            else None
        ),
        "queue_position": None,
        "last_seq": conversation.last_seq,
        # Rises with each published change (docs/protocol.md): the newer of two payloads.
        "version": conversation.version,
        "created_at": isoformat(conversation.created_at),
        "last_activity_at": isoformat(conversation.last_activity_at),
        "receipts": {
            "visitor_delivered_seq": conversation.visitor_delivered_seq,
            "visitor_read_seq": conversation.visitor_read_seq,
            "agent_delivered_seq": conversation.agent_delivered_seq,
            "agent_read_seq": conversation.agent_read_seq,
        },
    }
    if staff:
        visitor = conversation.visitor
        data.update(
            {
                "visitor": {
                    "id": visitor.pk,
                    "name": visitor.display_name,
                    # The name is made up (docs/protocol.md): the desk translates its words.
                    "nickname": visitor.has_nickname,
                    "customer": visitor.customer_id,
                    "current_url": visitor.current_url,
                    "current_title": visitor.current_title,
                },
                "customer": conversation.customer_id,
                "channel": {
                    "id": conversation.channel_id,
                    "kind": conversation.channel.kind,
                    "name": conversation.channel.name,
                },
                "last_message": {
                    "preview": conversation.last_message_preview,
                    "sender": conversation.last_message_sender,
                },
                "snoozed_until": isoformat(conversation.snoozed_until),
                "resolved_at": isoformat(conversation.resolved_at),
            }
        )
    for part in _conversation_payload_parts:
        data.update(part(conversation, staff))
    return data
