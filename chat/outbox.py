"""A socket's bounded send queue: back-pressure for sockets that stop reading.

Frames for a socket arrive from the channel layer whether or not its browser reads them. The
production server (uvicorn) has write flow control: once a socket's kernel and transport
buffers are full, ``send`` waits. If the consumer awaited that ``send`` in its layer handler,
the next frames would pile up, unbounded, in the channel layer's per-channel queue. So the
consumer hands each frame to this queue without waiting, and one writer task per socket
sends them in order. The queue is bounded: past ``limit`` frames (or ``max_bytes``) the
socket is too far behind to be worth catching up frame by frame, so the backlog is dropped
and ``on_overflow`` runs (the consumer closes the socket with ``CLOSE_TOO_SLOW``; the client
reconnects and heals with ``resume`` from PostgreSQL, as after any drop — the channel layer
is a doorbell, PostgreSQL the truth).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)

# Close code for a socket dropped because it fell too far behind (docs/protocol.md).
CLOSE_TOO_SLOW = 4008


class SendQueue:
    """Frames (JSON text) waiting for one socket, sent in order by one writer task.

    An idle socket holds no queue state beyond this object (``__slots__``): the deque is made
    on the first frame, the writer task runs only while frames wait and ends when the queue
    is empty, and the event a handler waits on for room exists only while one waits. At
    10,000 idle sockets that is ~40,000 objects fewer for every full garbage collection to
    walk (docs/performance.md). ``stop`` lets go of the socket's callbacks, so a closed
    socket's consumer and its queue are freed by reference counting, not left as cyclic
    garbage (``helpdesk/gc_policy.py``; ``tests/test_gc_policy.py``)."""

    __slots__ = (
        "_bytes",
        "_closing",
        "_frames",
        "_on_overflow",
        "_room",
        "_send",
        "_writer",
        "high_water",
        "limit",
        "max_bytes",
        "overflowed",
    )

    def __init__(
        self,
        send: Callable[[str], Awaitable[None]],
        on_overflow: Callable[[], Awaitable[None]],
        *,
        limit: int,
        max_bytes: int,
    ) -> None:
        self._send = send
        self._on_overflow = on_overflow
        self.limit = limit
        self.max_bytes = max_bytes
        self._frames: deque[str] | None = None  # made on the first frame
        self._bytes = 0
        # Set (and forgotten) once the queue is back to half full: handlers wait on it.
        self._room: asyncio.Event | None = None
        self._writer: asyncio.Task[None] | None = None  # only while frames wait
        self.overflowed = False
        self._closing: asyncio.Future[None] | None = None
        # The most frames ever waiting at once (tests and soak runs read it).
        self.high_water = 0

    def __len__(self) -> int:
        return len(self._frames) if self._frames is not None else 0

    def put(self, text: str) -> bool:
        """Queue a frame without waiting; False once the socket has overflowed."""
        if self.overflowed:
            return False
        frames = self._frames
        if frames is None:
            frames = self._frames = deque()
        if len(frames) >= self.limit or self._bytes + len(text) > self.max_bytes:
            self._overflow()
            return False
        frames.append(text)
        self._bytes += len(text)
        if len(frames) > self.high_water:
            self.high_water = len(frames)
        if self._writer is None:
            self._writer = asyncio.ensure_future(self._write())
        return True

    async def put_wait(self, text: str, *, timeout: float) -> bool:
        """Queue a frame the socket's own handler produced (an ack, a resume batch): wait
        while the queue is more than half full, so a long resume keeps pace with the reader
        instead of filling the queue; a reader that takes no frame for ``timeout`` seconds
        overflows the socket. False once it has overflowed."""
        if len(self) > self.limit // 2 and not self.overflowed:
            room = self._room
            if room is None:
                room = self._room = asyncio.Event()
            try:
                await asyncio.wait_for(room.wait(), timeout)
            except TimeoutError:
                if not self.overflowed:
                    self._overflow()
                return False
        return self.put(text)

    def _make_room(self) -> None:
        room, self._room = self._room, None
        if room is not None:
            room.set()

    def _overflow(self) -> None:
        self.overflowed = True
        dropped = len(self)
        self._frames = None
        self._bytes = 0
        self._make_room()
        logger.warning("socket too far behind (%d frames waiting): dropped to resume", dropped)
        # The writer is stuck in a send that waits for the reader; it must not hold the
        # socket open.
        if self._writer is not None:
            self._writer.cancel()
        self._closing = asyncio.ensure_future(self._on_overflow())

    async def _write(self) -> None:
        try:
            frames = self._frames
            while frames:
                text = frames.popleft()
                self._bytes -= len(text)
                if self._room is not None and len(frames) <= self.limit // 2:
                    self._make_room()
                try:
                    await self._send(text)
                except Exception as exc:  # the socket is gone, however it says so
                    # The connection closed under the writer (uvicorn's ClientDisconnected,
                    # websockets' InvalidState): what waits cannot be sent, and the consumer's
                    # disconnect follows. Raised out of this task, the error was never
                    # retrieved: logged with its traceback once per closed socket, and kept
                    # alive with the task's frames until a full collection.
                    logger.debug("send to a closed socket dropped %d frames: %r", len(frames), exc)
                    self._frames = None
                    self._bytes = 0
                    break
                frames = self._frames  # None once the queue overflowed or stopped
        finally:
            # Ended (drained, cancelled or failed): the next frame starts a new writer. No
            # reference from here to the task, so a cancelled one (its CancelledError holds
            # this frame) is not a cycle; an empty deque is not kept either (~760 bytes per
            # idle socket, made for its "ready").
            self._writer = None
            if not self._frames:
                self._frames = None

    async def drain(self) -> None:
        """Wait until every queued frame has been handed to the server (tests)."""
        while self._writer is not None and not self.overflowed:
            await asyncio.sleep(0.01)

    def stop(self) -> None:
        """The socket is closing: cancel the writer, drop what waits, and let go of the
        socket's callbacks (the consumer's bound methods: a cycle through the consumer)."""
        if self._writer is not None:
            self._writer.cancel()
        self._frames = None
        self._bytes = 0
        self._make_room()
        self._send = _closed
        self._on_overflow = _closed_overflow


async def _closed(text: str) -> None:
    """The send of a stopped queue: the socket is gone."""


async def _closed_overflow() -> None:
    """The overflow of a stopped queue: nothing left to close."""
