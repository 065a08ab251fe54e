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
                async with asyncio.timeout(PROBE_TIMEOUT):
                    await layer.send(probe, {"type": "health.probe", "n": sent})
                while True:
                    async with asyncio.timeout(PROBE_TIMEOUT):
                        got = await inbox.get()
                    if got == sent:
                        break
            except Exception:
                if _cancelling():
                    raise asyncio.CancelledError() from None
                if not self.suspect:
                    logger.warning("channel layer unreachable: sockets will resync")
                self.suspect = True
                if reader is not None and reader.done():
                    probe, reader = "", None
                continue
            if self.suspect:
                self.suspect = False
                count = self.resync_all("layer")
                logger.warning("channel layer back: %d sockets told to resync", count)


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
