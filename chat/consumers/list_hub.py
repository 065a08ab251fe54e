"""The agents' list updates of a process, heard once and handed to its workspace sockets.

Every workspace socket hears every frame of the agents group (``conversation.updated`` of
every message of the desk, ``conversation.created``, presence, queue lengths). Each socket in
the group cost the process a layer unpack and a Channels dispatch per frame, and a socket
write per frame: 10 of the 12 frames of a message in the bench, with 10 workspaces open
(docs/performance.md). Instead one hub per event loop holds the group's one subscription and
hands each frame to the process's workspace sockets itself (their own list filter,
``list.watch``, still decides which sockets it reaches):

- ``conversation.updated`` frames gather for ``WINDOW`` seconds; a conversation updated
  several times meanwhile is sent once, merged field by field by ``version``
  (docs/protocol.md): a field keeps the value of the highest version that carried it, so an
  update that reaches the hub after a newer one (another process, thread or Celery worker
  published it later) never overwrites it, and a field only an older update carried (a
  label change's ``labels``) survives. Updates heard in different windows go as they came:
  clients compare versions themselves.
- Any other frame of the group first sends what has gathered, then goes at once: the group's
  order is kept.

A conversation's staff frames (``message.created``, receipts, typing, … of
``conversation.<id>``) come through the same subscription: the publisher sends them to the
agents group naming the conversation (``watch``: ``events.layer_routes``), and the hub hands
each to the process's workspace sockets that watch that conversation (``watch``, after the
access check a group join had), at once and in the order heard, never through the list
window. A process heard each of them once per watching socket before, each its own layer
unpack and Channels dispatch, and a message was one more ``PUBLISH`` than now: the server's
publisher sends a tick's events to the agents group as one (``events.packed``), so a message's
staff frame and its list update are one ``PUBLISH`` and one unpack (docs/performance.md, "The
staff side's hub"). Every process with a workspace socket hears every conversation's staff
frames, as it already heard every list update.

A socket added to the hub is not in the agents group itself; it leaves the hub when it
disconnects (a socket that ends without it is dropped with its last reference).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import weakref
from typing import Any, Protocol

from channels.layers import get_channel_layer

from .. import events
from ..events import Frame

logger = logging.getLogger(__name__)

# How long list updates gather before they are sent (≈100 ms: issue 13).
WINDOW = 0.1
# Layers whose groups expire (channels_redis' core layer: a day) forget the hub's membership
# unless it is renewed; renewing costs one command.
RENEW_SECONDS = 3600.0


Items = list[tuple[dict[str, Any], dict[str, Any]]]

# The batch frame (list.watch's ``batch``, docs/protocol.md) and where a frame is cut.
BATCH = "conversations.updated"
BATCH_MAX_CHARS = 60_000
_UPDATED_PREFIX = '{"type":"conversation.updated","conversation":'
_BATCH_HEAD = '{"type":"' + BATCH + '","conversations":['


class ListSocket(Protocol):
    def hear_list(self, items: Items, rows: list[str] | None = None) -> None:
        """Frames of the agents group, each with its facts, in the order heard; for
        gathered updates, ``rows``: each one's conversation object as JSON text."""

    def hear_watched(self, event: dict[str, Any], facts: dict[str, Any]) -> None:
        """A staff frame of a conversation this socket watches."""


class ListHub:
    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.sockets: weakref.WeakSet[Any] = weakref.WeakSet()
        # conversation id -> the sockets watching it (its staff frames)
        self.watchers: dict[int, weakref.WeakSet[Any]] = {}
        self.channel = ""
        self.reader: asyncio.Task[None] | None = None
        self.joined_at = 0.0
        # conversation id -> its updates heard in this window, in the order first heard
        self.pending: dict[int, Gathered] = {}
        self.timer: asyncio.TimerHandle | None = None
        self.lock: asyncio.Lock | None = None
        self.heard = 0
        self.sent = 0
        # layer messages received (a packed one carries several events), staff frames heard
        self.received = 0
        self.watched_heard = 0

    async def add(self, socket: ListSocket) -> None:
        """``socket`` hears the agents group from now on (once its subscription is live)."""
        loop = asyncio.get_running_loop()
        if loop is not self.loop:
            # A new loop (tests run one per test): the old loop's subscription went with it.
            self.loop, self.channel, self.reader, self.joined_at = loop, "", None, 0.0
            self.pending, self.timer, self.watchers = {}, None, {}
            self.sockets, self.lock = weakref.WeakSet(), asyncio.Lock()
        assert self.lock is not None
        async with self.lock:  # the first sockets of a loop open one subscription, not several
            layer = get_channel_layer()
            if not self.channel:
                self.channel = await layer.new_channel("agents-hub.")
            if self.reader is None or self.reader.done():
                self.reader = loop.create_task(self._read(layer, self.channel))
            if not self.joined_at or time.monotonic() - self.joined_at > RENEW_SECONDS:
                await layer.group_add(events.group_agents(), self.channel)
                self.joined_at = time.monotonic()
        self.sockets.add(socket)

    def remove(self, socket: ListSocket) -> None:
        self.sockets.discard(socket)
        for conversation_id in list(getattr(socket, "watching", ())):
            self.unwatch(socket, conversation_id)

    def watch(self, socket: ListSocket, conversation_id: int) -> None:
        """``socket`` (added, and allowed to see the conversation) hears its staff frames
        from now on: the hub's subscription is live once ``add`` returned."""
        sockets = self.watchers.get(conversation_id)
        if sockets is None:
            sockets = self.watchers[conversation_id] = weakref.WeakSet()
        sockets.add(socket)

    def unwatch(self, socket: ListSocket, conversation_id: int) -> None:
        sockets = self.watchers.get(conversation_id)
        if sockets is not None:
            sockets.discard(socket)
            if not sockets:
                del self.watchers[conversation_id]

    async def _read(self, layer: Any, channel: str) -> None:
        while True:
            try:
                event = await layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise asyncio.CancelledError() from None
                # The layer's own health watch resyncs the sockets once it answers again.
                logger.warning("agents list hub: receive failed", exc_info=True)
                await asyncio.sleep(0.5)
                continue
            self.received += 1
            for item in events.unpacked(event):
                try:
                    self.hear(item)
                except Exception:
                    logger.exception("agents list hub: a frame could not be handed on")

    def hear(self, event: dict[str, Any]) -> None:
        conversation_id = event.get("watch")
        if conversation_id is not None:
            self.watched_heard += 1
            watching = self.watchers.get(conversation_id)
            if watching:
                facts = events.event_facts(event)
                for socket in list(watching):
                    try:
                        socket.hear_watched(event, facts)
                    except Exception:
                        logger.exception("agents hub: a socket failed to take a staff frame")
            return
        self.heard += 1
        facts = events.event_facts(event)
        if facts["type"] == Frame.CONVERSATION_UPDATED and isinstance(facts.get("id"), int):
            conversation_id = facts["id"]
            earlier = self.pending.get(conversation_id)
            # A conversation keeps its place in the window (where it was first heard).
            if earlier is None:
                self.pending[conversation_id] = Gathered(event, facts)
            else:
                earlier.add(event)
            if self.timer is None:
                assert self.loop is not None
                self.timer = self.loop.call_later(WINDOW, self.flush)
            return
        self.flush()
        self._hand([(event, facts)])

    def flush(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if not self.pending:
            return
        items, self.pending = [gathered.item() for gathered in self.pending.values()], {}
        self._hand(items, [row_text(event) for event, _facts in items])

    def _hand(self, items: Items, rows: list[str] | None = None) -> None:
        self.sent += len(items)
        for socket in list(self.sockets):
            try:
                socket.hear_list(items, rows)
            except Exception:
                logger.exception("agents list hub: a socket failed to take its frames")


def row_text(event: dict[str, Any]) -> str:
    """A ``conversation.updated`` event's conversation object as JSON text: cut from the
    frame's text (``layer_event`` writes ``type`` first, then ``conversation``), not encoded
    again."""
    text = events.event_text(event)
    if text.startswith(_UPDATED_PREFIX) and text.endswith("}"):
        return text[len(_UPDATED_PREFIX) : -1]
    conversation = events.event_frame(event)["conversation"]
    return json.dumps(conversation, ensure_ascii=False, separators=(",", ":"))


def batch_frames(rows: list[str]) -> list[str]:
    """``conversations.updated`` frames carrying ``rows`` in order, each under
    ``BATCH_MAX_CHARS`` unless one row alone is longer."""
    frames: list[str] = []
    start = 0
    while start < len(rows):
        end, size = start, 0
        while end < len(rows) and (end == start or size + len(rows[end]) < BATCH_MAX_CHARS):
            size += len(rows[end]) + 1
            end += 1
        frames.append(_BATCH_HEAD + ",".join(rows[start:end]) + "]}")
        start = end
    return frames


class Gathered:
    """One conversation's ``conversation.updated`` events of a window, as the one update that
    leaves a list row as a client comparing versions would after all of them: each field from
    the update with the highest ``version`` that carried it. Payloads are not all whole: the
    message path leaves out keys it did not read (``labels``: a client keeps the ones it has),
    so a label change merged with a message's update still carries its labels, whichever of
    the two came first. An update without ``version`` (a server from before it) counts as
    the newest so far: the order heard decides, as it did."""

    __slots__ = ("conversation", "event", "facts", "field_versions")

    def __init__(self, event: dict[str, Any], facts: dict[str, Any]) -> None:
        # The first event as it came, until a second one makes a merged one necessary.
        self.event: dict[str, Any] | None = event
        self.facts = facts
        self.conversation: dict[str, Any] = {}
        self.field_versions: dict[str, int] = {}

    def add(self, event: dict[str, Any]) -> None:
        if self.event is not None:
            self._take(events.event_frame(self.event)["conversation"])
            self.event = None
        self._take(events.event_frame(event)["conversation"])

    def _take(self, conversation: dict[str, Any]) -> None:
        version = conversation.get("version")
        if not isinstance(version, int):
            held = self.conversation.get("version")
            version = held if isinstance(held, int) else 0
        for key, value in conversation.items():
            if version >= self.field_versions.get(key, version):
                self.conversation[key] = value
                self.field_versions[key] = version

    def item(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The event to hand on, and its facts (those of the merged row)."""
        if self.event is None:
            frame = {"type": Frame.CONVERSATION_UPDATED, "conversation": self.conversation}
            self.event = events.layer_event(frame)
            self.facts = events.event_facts(self.event)
        return self.event, self.facts


hub = ListHub()
