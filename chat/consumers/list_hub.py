"""The agents' list updates of a process, heard once and handed to its workspace sockets.

Every workspace socket hears every frame of the agents group (``conversation.updated`` of
every message of the desk, ``conversation.created``, presence, queue lengths). Each socket in
the group cost the process a layer unpack and a Channels dispatch per frame, and a socket
write per frame: 10 of the 12 frames of a message in the bench, with 10 workspaces open
(docs/performance.md). Instead one hub per event loop holds the group's one subscription and
hands each frame to the process's workspace sockets itself (their own list filter,
``list.watch``, still decides which sockets it reaches):

- ``conversation.updated`` frames gather for ``WINDOW`` seconds; a conversation updated
  several times meanwhile is sent once, its newest update over the earlier ones' fields (the
  row the list would show after all of them). The delay is the hub's, on every update it
  hears, so a socket still gets them in the order the layer delivered them, as it did on its
  own: no update of one process can overtake another's because of it.
- Any other frame of the group first sends what has gathered, then goes at once: the group's
  order is kept.

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


class ListHub:
    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.sockets: weakref.WeakSet[Any] = weakref.WeakSet()
        self.channel = ""
        self.reader: asyncio.Task[None] | None = None
        self.joined_at = 0.0
        # conversation id -> its newest update, in the order first heard in this window
        self.pending: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}
        self.timer: asyncio.TimerHandle | None = None
        self.lock: asyncio.Lock | None = None
        self.heard = 0
        self.sent = 0

    async def add(self, socket: ListSocket) -> None:
        """``socket`` hears the agents group from now on (once its subscription is live)."""
        loop = asyncio.get_running_loop()
        if loop is not self.loop:
            # A new loop (tests run one per test): the old loop's subscription went with it.
            self.loop, self.channel, self.reader, self.joined_at = loop, "", None, 0.0
            self.pending, self.timer = {}, None
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
            try:
                self.hear(event)
            except Exception:
                logger.exception("agents list hub: a frame could not be handed on")

    def hear(self, event: dict[str, Any]) -> None:
        self.heard += 1
        facts = events.event_facts(event)
        if facts["type"] == Frame.CONVERSATION_UPDATED and isinstance(facts.get("id"), int):
            conversation_id = facts["id"]
            earlier = self.pending.get(conversation_id)
            # A conversation keeps its place in the window; its newest update wins.
            self.pending[conversation_id] = (
                (event, facts) if earlier is None else (merged(earlier[0], event), facts)
            )
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
        items, self.pending = list(self.pending.values()), {}
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


def merged(earlier: dict[str, Any], later: dict[str, Any]) -> dict[str, Any]:
    """One update that leaves a list row as ``earlier`` then ``later`` would: the later
    one's fields over the earlier one's. Payloads are not all whole: the message path leaves
    out keys it did not read (``labels``: a client keeps the ones it has), so a label change
    followed within the window by a message must still carry the labels."""
    before, after = events.event_frame(earlier), events.event_frame(later)
    conversation = {**before["conversation"], **after["conversation"]}
    return events.layer_event({**after, "conversation": conversation}, later.get("origin"))


hub = ListHub()
