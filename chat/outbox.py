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
    """Frames (JSON text) waiting for one socket, sent in order by one writer task."""

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
        self._frames: deque[str] = deque()
        self._bytes = 0
        self._wakeup = asyncio.Event()
        self._room = asyncio.Event()
        self._room.set()
        self._writer: asyncio.Task[None] | None = None
        self.overflowed = False
        self._closing: asyncio.Future[None] | None = None
        # The most frames ever waiting at once (tests and soak runs read it).
        self.high_water = 0

    def __len__(self) -> int:
        return len(self._frames)

    def put(self, text: str) -> bool:
        """Queue a frame without waiting; False once the socket has overflowed."""
        if self.overflowed:
            return False
        if len(self._frames) >= self.limit or self._bytes + len(text) > self.max_bytes:
            self._overflow()
            return False
        self._frames.append(text)
        self._bytes += len(text)
        self.high_water = max(self.high_water, len(self._frames))
        if len(self._frames) > self.limit // 2:
            self._room.clear()
        if self._writer is None:
            self._writer = asyncio.ensure_future(self._write())
        self._wakeup.set()
        return True

    async def put_wait(self, text: str, *, timeout: float) -> bool:
        """Queue a frame the socket's own handler produced (an ack, a resume batch): wait
        while the queue is more than half full, so a long resume keeps pace with the reader
        instead of filling the queue; a reader that takes no frame for ``timeout`` seconds
        overflows the socket. False once it has overflowed."""
        if not self._room.is_set():
            try:
                await asyncio.wait_for(self._room.wait(), timeout)
            except TimeoutError:
                if not self.overflowed:
                    self._overflow()
                return False
        return self.put(text)

    def _overflow(self) -> None:
        self.overflowed = True
        dropped = len(self._frames)
        self._frames.clear()
        self._bytes = 0
        self._room.set()
        logger.warning("socket too far behind (%d frames waiting): dropped to resume", dropped)
        # The writer is stuck in a send that waits for the reader; it must not hold the
        # socket open.
        if self._writer is not None:
            self._writer.cancel()
        self._closing = asyncio.ensure_future(self._on_overflow())

    async def _write(self) -> None:
        while True:
            while self._frames:
                text = self._frames.popleft()
                self._bytes -= len(text)
                if len(self._frames) <= self.limit // 2:
                    self._room.set()
                await self._send(text)
            self._wakeup.clear()
            await self._wakeup.wait()

    async def drain(self) -> None:
        """Wait until every queued frame has been handed to the server (tests)."""
        while self._frames and not self.overflowed:
            await asyncio.sleep(0.01)

    def stop(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
        self._frames.clear()
        self._bytes = 0
