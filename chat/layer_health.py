"""Sockets told to resync when the channel layer may have dropped frames.

The channel layer is a doorbell (DESIGN.md): when Redis restarts, a publish fails and is
dropped, and a process's subscriptions are gone until redis-py reconnects them; frames
published meanwhile never reach that process's sockets. A client with no later message to
reveal the gap never learned of them without a reload (115 of 1,011 messages in one run).

So each server process watches its layer: once a second a probe goes through the layer to a
channel of its own (the same Redis connection every subscription of the process shares). When
the probe fails, or any publish fails (``chat.events``), the process remembers; as soon as a
probe comes back (the subscriptions are live again, so nothing later can be missed), every
socket of the process is sent ``resync`` and heals from PostgreSQL with ``resume``
(docs/protocol.md). A socket that cannot take the frame is closed as too slow and resumes on
reconnect.

A heartbeat covers what no resync can see (a last message lost by a publish on another
process): the answer to a ``ping`` is followed by ``heartbeat`` with each watched
conversation's ``last_seq`` (``chat.consumers``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from typing import Any, Protocol

from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

PROBE_SECONDS = 1.0
PROBE_TIMEOUT = 2.0
# How long a healthy layer's probe answer is waited for before the layer counts as
# unreachable. A process whose loop is busy (thousands of sockets opening, a full garbage
# collection) reads its probe late but loses nothing: the answer waits in the socket. Counting
# that as an outage told every socket of the busiest process to resync at once. A real outage
# shows sooner anyway: the send fails, a publish fails (``publish_failed``), or the reader ends.
PROBE_PATIENCE = 10.0


class Resyncable(Protocol):
    def resync(self, reason: str) -> None: ...


class _Health:
    def __init__(self) -> None:
        self.sockets: weakref.WeakSet[Any] = weakref.WeakSet()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.task: asyncio.Task[None] | None = None
        self.suspect = False  # frames may have been lost since the last good probe
        self.resyncs = 0

    def register(self, socket: Resyncable) -> None:
        """A connected socket of this process; watching starts with the first one."""
        self.sockets.add(socket)
        loop = asyncio.get_running_loop()
        if self.loop is not loop or self.task is None or self.task.done():
            self.loop = loop
            self.task = loop.create_task(self._watch())

    def publish_failed(self) -> None:
        """A publish was dropped: resync once the layer answers again."""
        if not self.suspect:
            logger.warning("channel layer publish failed: sockets will resync")
        self.suspect = True

    def resync_all(self, reason: str) -> int:
        self.resyncs += 1
        count = 0
        for socket in list(self.sockets):
            with contextlib.suppress(Exception):
                socket.resync(reason)
                count += 1
        return count

    async def _watch(self) -> None:
        layer = get_channel_layer()
        if layer is None or not hasattr(layer, "new_channel"):
            return
        inbox: asyncio.Queue[int] = asyncio.Queue()
        probe = ""
        reader: asyncio.Task[None] | None = None
        sent = 0
        while True:
            await asyncio.sleep(PROBE_SECONDS)
            try:
                if not probe:
                    probe = await layer.new_channel("health.")
                    reader = asyncio.ensure_future(_read(layer, probe, inbox))
                sent += 1
                # asyncio.timeout, not wait_for: Python 3.11's wait_for can swallow the
                # cancellation that arrives as its awaitable completes, and this loop then
                # outlived its event loop's shutdown (test runs hung closing their loop).
                async with asyncio.timeout(PROBE_TIMEOUT if self.suspect else PROBE_PATIENCE):
                    await layer.send(probe, {"type": "health.probe", "n": sent})
                await self._answer(inbox, sent, reader)
            except Exception as exc:
                if _cancelling():
                    raise asyncio.CancelledError() from None
                if not self.suspect:
                    logger.warning("channel layer unreachable (%r): sockets will resync", exc)
                self.suspect = True
                if reader is not None and reader.done():
                    probe, reader = "", None
                continue
            if self.suspect:
                self.suspect = False
                count = self.resync_all("layer")
                logger.warning("channel layer back: %d sockets told to resync", count)

    async def _answer(
        self, inbox: asyncio.Queue[int], sent: int, reader: asyncio.Task[None] | None
    ) -> None:
        """Wait for probe ``sent`` to come back; raises ``TimeoutError`` when the layer looks
        unreachable. Once suspect (recovering), ``PROBE_TIMEOUT`` decides, so a layer that is
        back is noticed quickly. While healthy, a late answer is a busy loop, not an outage:
        waited for up to ``PROBE_PATIENCE``, unless a publish fails or the reader ends
        meanwhile."""
        waited = 0.0
        while True:
            try:
                async with asyncio.timeout(PROBE_TIMEOUT):
                    while (await inbox.get()) != sent:
                        pass
                return
            except TimeoutError:
                waited += PROBE_TIMEOUT
                reader_gone = reader is not None and reader.done()
                if self.suspect or reader_gone or waited >= PROBE_PATIENCE:
                    raise
                logger.info("channel layer probe late (%.0f s): the loop is busy", waited)


def _cancelling() -> bool:
    """Whether the running task was asked to stop (a cancellation some library turned into
    another exception must still end a loop that retries on errors)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


async def _read(layer: Any, channel: str, inbox: asyncio.Queue[int]) -> None:
    while True:
        message = await layer.receive(channel)
        inbox.put_nowait(int(message.get("n", 0)))


health = _Health()
