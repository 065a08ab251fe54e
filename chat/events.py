"""What the sockets receive: frame types, group names, payload builders, the one publish.

Payload builders are shared by WebSocket frames, REST output and webhooks. ``publish`` sends
only after the surrounding transaction commits: the channel layer is a doorbell, PostgreSQL is
the truth, and nothing may ring for a change that rolled back.

Frames are not domain events: a domain event (``helpdesk.dispatch.Event``) runs listeners
inside the writer's transaction; a frame (``Frame``) is what a socket is sent after commit.
Some share a dotted string (``message.created``), never a Python name.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from helpdesk.errors import BadRequest

from .access import Actor
from .layer_health import health
from .models import Conversation, Message

logger = logging.getLogger(__name__)


class Frame:
    """Server -> client frame types: CONTRACT.md's, then the desk's own (docs/protocol.md).
    The ``error`` frame is built by ``helpdesk.errors.error_frame``."""

    READY = "ready"
    PONG = "pong"
    MESSAGE_ACK = "message.ack"
    MESSAGE_CREATED = "message.created"
    RESUME_DONE = "resume.done"
    CONVERSATION_CREATED = "conversation.created"
    CONVERSATION_UPDATED = "conversation.updated"
    TYPING = "typing"
    RECEIPT = "receipt"
    # To one agent: a conversation was assigned to them; their read cursor moved.
    CONVERSATION_ASSIGNED = "conversation.assigned"
    CONVERSATION_READ = "conversation.read"
    # To staff: the slow-reply guard fired; a shopper rated a care cycle; the shopper's page.
    CONVERSATION_OVERDUE = "conversation.overdue"
    CSAT_SUBMITTED = "csat.submitted"
    VISITOR_PAGE = "visitor.page"
    # Routing: an agent's presence; a waiting shopper's place; a team queue's length.
    PRESENCE_CHANGED = "presence.changed"
    QUEUE_POSITION = "queue.position"
    QUEUE_CHANGED = "queue.changed"
    # The layer may have dropped frames: resume every conversation (docs/protocol.md); and
    # the answer to a ping that carries each watched conversation's last seq.
    RESYNC = "resync"
    HEARTBEAT = "heartbeat"


# The handler name consumers implement for every published frame.
LAYER_EVENT = "frame.send"


# Group names. Staff groups carry private notes; shopper groups never do.
def group_agents() -> str:
    return "agents"


def group_agent(user_id: int) -> str:
    return f"agent.{user_id}"


def group_conversation(conversation_id: int) -> str:
    """Staff watching one conversation (every message, notes included)."""
    return f"conversation.{conversation_id}"


def group_conversation_shopper(conversation_id: int) -> str:
    """The shopper's sockets on one conversation (never a private note)."""
    return f"conversation.{conversation_id}.shopper"


def group_visitor(visitor_id: int) -> str:
    return f"visitor.{visitor_id}"


def group_customer(customer_id: int) -> str:
    return f"customer.{customer_id}"


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


async def _group_send_all(layer: Any, groups: list[str], event: dict[str, Any]) -> None:
    results = await asyncio.gather(
        *(layer.group_send(group, event) for group in groups), return_exceptions=True
    )
    for group, result in zip(groups, results, strict=True):
        if isinstance(result, Exception):
            # The layer is a doorbell: a lost ring heals through resume, never by failing
            # the write that already committed.
            logger.error("publish to %s failed", group, exc_info=result)


class _Publisher:
    """Hands committed events from worker threads to the server's event loop without making
    the thread wait for Redis: under load, waiting there took ~40 % of the message path
    (docs/performance.md). One task on the loop sends them; each group keeps commit order."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread_id = 0
        self.queue: asyncio.Queue[tuple[list[str], dict[str, Any]]] | None = None
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Run the sender on the current (running) loop; the sockets' connect calls it."""
        loop = asyncio.get_running_loop()
        if self.loop is loop and self.task is not None and not self.task.done():
            return
        self.loop, self.thread_id, self.queue = loop, threading.get_ident(), asyncio.Queue()
        self.task = loop.create_task(self._run(self.queue))

    def offer(self, groups: list[str], event: dict[str, Any]) -> bool:
        """Queue for the loop's sender; False where there is no live loop to hand it to
        (a Celery worker, a management command, a test without sockets)."""
        loop, queue = self.loop, self.queue
        if loop is None or queue is None or loop.is_closed() or not loop.is_running():
            return False
        if threading.get_ident() == self.thread_id:
            return False
        try:
            loop.call_soon_threadsafe(queue.put_nowait, (groups, event))
        except RuntimeError:  # the loop closed meanwhile
            return False
        return True

    async def _run(self, queue: asyncio.Queue[tuple[list[str], dict[str, Any]]]) -> None:
        layer = get_channel_layer()
        while True:
            batch = [await queue.get()]
            while not queue.empty():
                batch.append(queue.get_nowait())
            per_group: dict[str, list[dict[str, Any]]] = {}
            for groups, event in batch:
                for group in groups:
                    per_group.setdefault(group, []).append(event)
            if await _publish_pipelined(layer, per_group):
                continue
            await asyncio.gather(
                *(_send_in_order(layer, group, items) for group, items in per_group.items())
            )


async def _send_in_order(layer: Any, group: str, items: list[dict[str, Any]]) -> None:
    for event in items:
        try:
            await layer.group_send(group, event)
        except Exception as exc:
            # Dropped: the process's sockets are told to resync once the layer answers again
            # (chat/layer_health.py); one line, not a traceback per frame of an outage.
            logger.warning("publish to %s failed: %r", group, exc)
            health.publish_failed()


async def _publish_pipelined(layer: Any, per_group: dict[str, list[dict[str, Any]]]) -> bool:
    """The batch's publishes in one Redis round trip per shard; False when the layer is not
    channels_redis' pub/sub layer (the caller then sends each through ``group_send``).

    ``group_send`` on the pub/sub layer is one ``PUBLISH`` per group and event, each its own
    socket write and reply awaited under the shard's lock: a message is four of them (its
    conversation's staff and shopper groups, the agents' list and the shopper's conversation
    update), and those writes were the largest single share of a process's CPU under the
    bench (docs/performance.md). Here the same ``PUBLISH`` commands, with the same names and
    bytes ``group_send`` would use, go out as one pipeline (no ``MULTI``: nothing needs to be
    atomic). Each group's events keep their order (one connection, in list order); an event
    sent to several groups is serialised once. A failed pipeline drops the batch like failed
    ``group_send`` calls do: the process's sockets resync once the layer answers
    (chat/layer_health.py).
    """
    loop_layer = _pubsub_loop_layer(layer)
    if loop_layer is None:
        return False
    shards: dict[int, tuple[Any, list[tuple[str, bytes]]]] = {}
    serialized: dict[int, bytes] = {}
    for group, items in per_group.items():
        channel = loop_layer._get_group_channel_name(group)
        shard = loop_layer._get_shard(channel)
        _shard, publishes = shards.setdefault(id(shard), (shard, []))
        for event in items:
            data = serialized.get(id(event))
            if data is None:
                data = serialized[id(event)] = layer.serialize(event)
            publishes.append((channel, data))
    for shard, publishes in shards.values():
        try:
            async with shard._lock:
                shard._ensure_redis()
                pipe = shard._redis.pipeline(transaction=False)
                for channel, data in publishes:
                    pipe.publish(channel, data)
                await pipe.execute()
        except Exception as exc:
            logger.warning("publish of %d frames failed: %r", len(publishes), exc)
            health.publish_failed()
    return True


def _pubsub_loop_layer(layer: Any) -> Any:
    """This loop's ``RedisPubSubLoopLayer`` behind ``layer``, or None for any other layer (or
    a channels_redis without the parts ``_publish_pipelined`` uses)."""
    get_layer = getattr(type(layer), "_get_layer", None)
    if get_layer is None or type(layer).__module__ != "channels_redis.pubsub":
        return None
    loop_layer = get_layer(layer)
    needed = ("_get_group_channel_name", "_get_shard", "_shards")
    if not all(hasattr(loop_layer, name) for name in needed):
        return None
    shard = loop_layer._shards[0] if loop_layer._shards else None
    if shard is None or not all(hasattr(shard, n) for n in ("_lock", "_ensure_redis", "_redis")):
        return None
    return loop_layer


publisher = _Publisher()


def _send_now(groups: Iterable[str], frame: dict[str, Any], origin: str | None) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    # Serialised once here rather than once per receiving socket: an agents-group update
    # reaches every workspace (docs/performance.md).
    text = json.dumps(frame, ensure_ascii=False, separators=(",", ":"))
    event = {"type": LAYER_EVENT, "frame": frame, "text": text, "origin": origin}
    group_list = list(groups)
    if publisher.offer(group_list, event):
        return
    # No server loop here: send now, all groups in one trip to an event loop.
    try:
        async_to_sync(_group_send_all)(layer, group_list, event)
    except Exception:
        logger.exception("publish to %s failed", group_list)


def publish(groups: Iterable[str], frame: dict[str, Any], *, origin: str | None = None) -> None:
    """Send ``frame`` to ``groups`` once the current transaction commits.

    ``origin`` is the sending socket's channel name: that socket already has its ack and
    skips the copy.
    """
    group_list = list(dict.fromkeys(groups))
    transaction.on_commit(lambda: _send_now(group_list, frame, origin))


def publish_message(message: Message, *, origin: str | None = None) -> None:
    """``message.created`` to staff, and to the shopper unless it is a private note. Staff get
    their own frame only when a staff-only part adds keys (a bot answer's ``bot_why``)."""
    payload = message_payload(message)
    frame = {"type": Frame.MESSAGE_CREATED, "message": payload}
    groups = [group_conversation(message.conversation_id)]
    if not message.private:
        groups.append(group_conversation_shopper(message.conversation_id))
    extra = message_payload_staff_extra(message)
    if extra:
        staff_frame = {"type": Frame.MESSAGE_CREATED, "message": {**payload, **extra}}
        publish(groups[:1], staff_frame, origin=origin)
        groups = groups[1:]
    if groups:
        publish(groups, frame, origin=origin)


def publish_conversation(
    conversation: Conversation, *, created: bool = False, shopper: bool = True
) -> None:
    """``conversation.created``/``updated`` to the agents' lists and to the shopper."""
    kind = Frame.CONVERSATION_CREATED if created else Frame.CONVERSATION_UPDATED
    # Every agent socket is in the agents group; it drives the live list in every workspace.
    publish(
        [group_agents()],
        {"type": kind, "conversation": conversation_payload(conversation, staff=True)},
    )
    if shopper:
        shopper_groups = [group_conversation_shopper(conversation.pk)]
        if created:
            shopper_groups.append(group_visitor(conversation.visitor_id))
            if conversation.customer_id:
                shopper_groups.append(group_customer(conversation.customer_id))
        publish(
            shopper_groups,
            {"type": kind, "conversation": conversation_payload(conversation, staff=False)},
        )


def typing_frame(
    *, actor: Actor, conversation: Conversation, on: object
) -> tuple[list[str], dict[str, Any]]:
    """The groups and the frame that tell the other side someone is typing; never stored.
    A shopper's typing goes to staff only; an agent's also to the shopper."""
    if not isinstance(on, bool):
        raise BadRequest("on must be true or false.", fields={"on": ["Expected a bool."]})
    frame = {
        "type": Frame.TYPING,
        "conversation": conversation.pk,
        "sender": {"kind": "agent" if actor.user else "visitor", "name": sender_name(actor)},
        "on": on,
    }
    groups = [group_conversation(conversation.pk)]
    if actor.user is not None:
        groups.append(group_conversation_shopper(conversation.pk))
        for part in _agent_typing_parts:
            part(conversation, frame)
    return groups, frame


AgentTyping = Callable[[Conversation, dict[str, Any]], None]
_agent_typing_parts: list[AgentTyping] = []


def agent_typing_register(part: AgentTyping) -> None:
    """Be told of an agent's typing (the API channel forwards it to the shop's app); each part
    must be cheap and never raise: it runs on every typing frame."""
    if part not in _agent_typing_parts:
        _agent_typing_parts.append(part)


def agent_typing_parts() -> list[AgentTyping]:
    return list(_agent_typing_parts)
