"""What both sockets share: size and JSON checks, the rate limit, dispatch by ``type``, and
the handlers and fan-out every side has (send, resume, typing, read, receipts)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from helpdesk import edge
from helpdesk.db_health import Unavailable
from helpdesk.db_threads import db_call
from helpdesk.errors import BadRequest, HelpdeskError, RateLimited, TooLarge, error_frame

from .. import events, selectors
from ..access import Actor, access_conversation
from ..calls.signalling import HANDLERS as CALL_HANDLERS
from ..calls.signalling import CallSignalling
from ..events import Frame
from ..layer_health import health
from ..models import Conversation, Message
from ..outbox import CLOSE_TOO_SLOW, SendQueue
from ..services.message_send import message_send
from ..services.receipts import read_mark
from . import receipts
from .flow import TokenBucket, release_channel, release_if_held

logger = logging.getLogger(__name__)

CLOSE_UNAUTHORIZED = 4401
CLOSE_FORBIDDEN = 4403
# RFC 6455 "Try Again Later": the database is down; the client reconnects with backoff.
CLOSE_TRY_AGAIN_LATER = 1013
AUTH_TIMEOUT_SECONDS = 10
# A heartbeat reads the database: at most this often per socket, however often it pings.
HEARTBEAT_MIN_SECONDS = 2.0

# Each call is a whole unit of work (a service with its own transaction, or a read), run on
# the bounded pool of database threads (helpdesk/db_threads.py).
_call = db_call


class FrameConsumer(CallSignalling, AsyncWebsocketConsumer):
    """Shared frame handling: size, JSON, rate limit, dispatch by ``type``, error frames."""

    # Frame type -> method, for the frames both sides take; each side adds its own.
    handlers: dict[str, str] = {
        "message.send": "on_send",
        "resume": "on_resume",
        "typing": "on_typing",
        "read": "on_read",
        "ping": "on_ping",
        **CALL_HANDLERS,
    }
    # The side whose delivered cursor this socket's receipts move: "visitor" or "agent".
    reader: str = ""
    # Per-socket state whose start value is shared until a socket sets its own (a smaller
    # instance dict for 10,000 idle sockets: docs/performance.md).
    actor: Actor | None = None
    heartbeat_at = 0.0
    # A resync asked for before "ready" went out waits for it (the contract's first answer to
    # a socket is "ready"): its reason.
    ready_sent = False
    resync_waiting: str | None = None

    async def connect(self) -> None:
        self.joined: set[str] = set()
        # conversation id -> highest seq this socket has been sent (for delivered receipts)
        self.delivered: dict[int, int] = {}
        self.watching: set[int] = set()
        conf = settings.HELPDESK
        self.bucket = TokenBucket(conf["RATE_PER_SECOND"], conf["RATE_BURST"])
        # Every frame to this socket goes through its bounded queue (chat/outbox.py).
        self.outbox = SendQueue(
            self._send_text,
            self._too_slow,
            limit=conf["SEND_QUEUE_FRAMES"],
            max_bytes=conf["SEND_QUEUE_BYTES"],
        )
        events.publisher.start()
        await self.accept()
        health.register(self)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            # However the consumer ended, its channel leaves the layer (flow.release_if_held).
            with contextlib.suppress(Exception):
                await release_if_held(
                    getattr(self, "channel_layer", None), getattr(self, "channel_name", None)
                )

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels' own dispatch closes stale DB connections before every handler: one hop
        # through the single sync thread per frame and per fan-out event, queued behind the
        # message writes (docs/performance.md). Every DB call here goes through
        # helpdesk.db_threads, which closes them after the call anyway.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def disconnect(self, code: int) -> None:
        await self.calls_disconnect()
        self.outbox.stop()
        for group in list(self.joined):
            await self.channel_layer.group_discard(group, self.channel_name)
        self.joined.clear()

    async def _send_text(self, text: str) -> None:
        await super().send(text_data=text)

    async def _too_slow(self) -> None:
        """The socket stopped reading and its queue overflowed: stop its consumer (a message
        to itself, handled in turn like any other event)."""
        await self.channel_layer.send(self.channel_name, {"type": "socket.too_slow"})

    async def socket_too_slow(self, event: dict[str, Any]) -> None:
        # The close frame waits for the reader like any frame; a reader that stopped for good
        # does not get it, and the server drops the connection once the consumer ends. The
        # client reconnects and heals with resume, as after any drop.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(super().close(code=CLOSE_TOO_SLOW), 2)
        await self.disconnect(CLOSE_TOO_SLOW)
        await release_channel(self.channel_layer, self.channel_name)
        raise StopConsumer()

    async def join(self, group: str) -> None:
        if group not in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
            self.joined.add(group)

    async def leave(self, group: str) -> None:
        if group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)
            self.joined.discard(group)

    async def send_json(self, frame: dict[str, Any]) -> None:
        """A frame this socket's own handler produced (ack, resume batch, error): it waits
        while the socket's queue is more than half full, so a long resume keeps pace with
        the reader."""
        text = json.dumps(frame, ensure_ascii=False, separators=(",", ":"))
        await self.outbox.put_wait(text, timeout=settings.HELPDESK["SEND_WAIT_SECONDS"])

    async def send_ready(self, frame: dict[str, Any]) -> None:
        """The ``ready`` frame, then a resync the layer's health watch asked for meanwhile (it
        reached every socket of the process while this one was still authenticating)."""
        await self.send_json(frame)
        self.ready_sent = True
        if self.resync_waiting is not None:
            reason, self.resync_waiting = self.resync_waiting, None
            self.resync(reason)

    async def send_error(self, error: HelpdeskError, client_id: Any = None) -> None:
        # Echoed only when it is a client_id the client could have meant (and can be encoded).
        cid = edge.clean_or_none(client_id)
        cid = cid if cid is not None and len(cid) <= 64 else None
        await self.send_json(error_frame(error, cid))

    async def close_try_later(self, error: HelpdeskError) -> None:
        """Before the socket is ready (nothing queued yet): the error straight to the socket,
        then close 1013 so the client reconnects with backoff."""
        await self._send_text(json.dumps(error_frame(error), separators=(",", ":")))
        await self.close(code=CLOSE_TRY_AGAIN_LATER)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        limit = settings.HELPDESK["MAX_FRAME_BYTES"]
        if text_data is None:
            size = len(bytes_data or b"")
            if size > limit:
                await self.send_error(TooLarge(f"Frames are limited to {limit} bytes."))
            else:
                await self.send_error(BadRequest("Frames must be JSON text."))
            return
        if len(text_data) > limit or len(text_data.encode("utf-8", "surrogatepass")) > limit:
            await self.send_error(TooLarge(f"Frames are limited to {limit} bytes."))
            return
        limited = not self.bucket.take()
        try:
            frame = edge.loads(text_data)
        except BadRequest as error:
            # Not JSON, too deep, or text that cannot be stored (a lone surrogate, a NUL):
            # refused here, so nothing downstream (an INSERT, the echo of a client_id) meets it.
            # The refusal names the frame's client_id when it has a clean one, so the client
            # drops that message from its outbox instead of resending it forever.
            await self.send_error(
                RateLimited("Too many frames; slow down.") if limited else error,
                edge.client_id_of(text_data),
            )
            return
        if limited:
            # Parsed only to name the refused message: the client resends just that one.
            client_id = frame.get("client_id") if isinstance(frame, dict) else None
            await self.send_error(RateLimited("Too many frames; slow down."), client_id)
            return
        if not isinstance(frame, dict):
            await self.send_error(BadRequest("Frames must be JSON objects."))
            return
        await self.handle_frame(frame)

    async def handle_frame(self, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        client_id = frame.get("client_id")
        method_name = self.handlers.get(kind) if isinstance(kind, str) else None
        if method_name is None:
            await self.send_error(BadRequest(f"Unknown frame type {kind!r}."), client_id)
            return
        try:
            await getattr(self, method_name)(frame)
        except HelpdeskError as error:
            await self.send_error(error, client_id)
        except Exception:
            logger.exception("frame %s failed", kind)
            await self.send_error(
                HelpdeskError("Something went wrong; try again.", code="unavailable"), client_id
            )

    # --- handlers shared by both sides ---------------------------------------------------

    async def on_ping(self, frame: dict[str, Any]) -> None:
        await self.send_json({"type": Frame.PONG})
        await self.heartbeat()

    async def heartbeat(self) -> None:
        """After a pong: each watched conversation's last seq, so a client notices a lost
        last message (no later one reveals the gap). At most every HEARTBEAT_MIN_SECONDS;
        skipped while the database is down (the pong already proved the socket alive)."""
        now = time.monotonic()
        if not self.watching or now - self.heartbeat_at < HEARTBEAT_MIN_SECONDS:
            return
        self.heartbeat_at = now
        try:
            seqs = await _call(selectors.conversation_last_seqs, ids=sorted(self.watching))
        except Unavailable:
            return
        await self.send_json(
            {
                "type": Frame.HEARTBEAT,
                "conversations": [{"id": pk, "last_seq": seq} for pk, seq in seqs],
            }
        )

    def resync(self, reason: str) -> None:
        """The channel layer may have dropped frames meant for this socket
        (chat/layer_health.py): the client resumes every conversation it holds."""
        if self.actor is None:
            return
        if not self.ready_sent:
            # Authenticated, "ready" not sent yet (its handler is still running): after it.
            self.resync_waiting = reason
            return
        frame = {"type": Frame.RESYNC, "reason": reason, "conversations": sorted(self.watching)}
        self.outbox.put(json.dumps(frame, separators=(",", ":")))

    async def conversation_for(self, conversation_id: Any) -> Conversation:
        assert self.actor is not None
        return await _call(access_conversation, actor=self.actor, conversation_id=conversation_id)

    async def on_send(self, frame: dict[str, Any]) -> None:
        assert self.actor is not None
        message, payload = await _call(
            _send_with_payload,
            actor=self.actor,
            client_id=frame.get("client_id"),
            body=frame.get("body", ""),
            conversation_id=frame.get("conversation"),
            private=frame.get("private", False),
            origin=self.channel_name,
            attachment_id=frame.get("attachment"),
        )
        self.delivered[message.conversation_id] = max(
            self.delivered.get(message.conversation_id, 0), message.seq
        )
        # The ack first: the message is stored, and joining its conversation's group (a first
        # message) goes through the channel layer, which may be down. A send stored while
        # Redis was gone was refused as ``unavailable`` and resent until Redis returned
        # (tests/faults/test_ack_in_the_dark.py).
        await self.send_json(
            {"type": Frame.MESSAGE_ACK, "client_id": message.client_id, "message": payload}
        )
        await self.watch_or_resync(message.conversation)

    async def on_resume(self, frame: dict[str, Any]) -> None:
        assert self.actor is not None
        after = frame.get("after_seq", 0)
        conversation_id = frame.get("conversation")
        # Watch first, then read: a message committed in between arrives twice at worst (the
        # client drops a seq it has), never zero times. With the layer down the read still
        # heals the client from PostgreSQL; the resync when the layer is back resumes again.
        conversation = await self.conversation_for(conversation_id)
        await self.watch_or_resync(conversation)
        last_seq = after if isinstance(after, int) else 0
        while True:
            conversation, batch = await _call(
                selectors.messages_after,
                actor=self.actor,
                conversation_id=conversation.pk,
                after_seq=after,
            )
            payloads = await _call(_payloads, messages=batch, staff=self.actor.user is not None)
            for payload in payloads:
                await self.send_json({"type": Frame.MESSAGE_CREATED, "message": payload})
            if batch:
                after = batch[-1].seq
                last_seq = after
            if len(batch) < settings.HELPDESK["RESUME_BATCH"]:
                break
        last_seq = max(last_seq, conversation.last_seq)
        await self.send_json(
            {"type": Frame.RESUME_DONE, "conversation": conversation.pk, "last_seq": last_seq}
        )
        await self.mark_delivered(conversation.pk, last_seq)

    async def on_typing(self, frame: dict[str, Any]) -> None:
        assert self.actor is not None
        conversation = await self.conversation_for(frame.get("conversation"))
        groups, out = await _call(
            events.typing_frame, actor=self.actor, conversation=conversation, on=frame.get("on")
        )
        # A conversation's staff group is the agents group's hubs (events.layer_routes).
        for route_groups, event in events.layer_routes(groups, out, self.channel_name):
            for group in route_groups:
                await self.channel_layer.group_send(group, event)

    async def on_read(self, frame: dict[str, Any]) -> None:
        assert self.actor is not None
        await _call(
            read_mark,
            actor=self.actor,
            conversation_id=frame.get("conversation"),
            seq=frame.get("seq"),
        )

    # --- layer events ----------------------------------------------------------------------

    async def watch(self, conversation: Conversation) -> None:
        raise NotImplementedError

    async def watch_or_resync(self, conversation: Conversation) -> None:
        """``watch``, but a channel layer that cannot be reached fails nothing: the
        conversation is in ``watching`` already, and the layer's health watch tells this
        socket to resync once the layer answers (its ``resume`` joins the group then)."""
        try:
            await self.watch(conversation)
        except Exception:
            logger.warning(
                "joining conversation %s failed: the socket will resync", conversation.pk
            )
            health.publish_failed()

    async def mark_delivered(self, conversation_id: int, seq: int) -> None:
        """Record a delivered receipt without holding up this socket's next frame: the
        process's receipt writer (``chat/consumers/receipts.py``) writes it with every other
        socket's, only the newest seq per conversation."""
        self.note_delivered(conversation_id, seq)

    def note_delivered(self, conversation_id: int, seq: int) -> None:
        """``mark_delivered`` for a caller that is not a coroutine (a process's hub)."""
        if seq <= self.delivered.get(conversation_id, 0):
            return
        self.delivered[conversation_id] = seq
        receipts.writer.add(self.reader, conversation_id, seq)

    def is_from_other_side(self, sender_kind: str) -> bool:
        """Whether a message by ``sender_kind`` came from the other side of the chat."""
        raise NotImplementedError

    async def frame_send(self, event: dict[str, Any]) -> None:
        if event.get("origin") == self.channel_name:
            return
        # Fan-out never waits for this socket's reader (its queue is bounded instead): a
        # handler that waited would let the channel layer's queue grow without bound.
        self.outbox.put(events.event_text(event))
        facts = events.event_facts(event)
        if facts["type"] == Frame.MESSAGE_CREATED and self.is_from_other_side(facts["sender"]):
            await self.mark_delivered(facts["conversation"], facts["seq"])


def _payloads(*, messages: list[Message], staff: bool) -> list[dict[str, Any]]:
    return [events.message_payload(m, staff=staff) for m in messages]


def _send_with_payload(**kwargs: Any) -> tuple[Message, dict[str, Any]]:
    """``message_send`` and the ack's payload in one trip to the database thread."""
    message, _created = message_send(**kwargs)
    return message, events.message_payload(message)
