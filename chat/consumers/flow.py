"""Per-socket flow: the frame rate limit, and releasing a stopped consumer's channel."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any


class TokenBucket:
    """Per-socket rate limit: ``rate`` frames a second with bursts up to ``burst``."""

    __slots__ = ("capacity", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.capacity = float(burst)
        self.tokens = float(burst)
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


async def release_channel(layer: Any, channel: str, *, most: int = 100_000) -> None:
    """Unsubscribe a consumer's own channel and drop the frames waiting in it.

    Channels releases a consumer's channel by cancelling its pending ``receive`` when the
    consumer stops. A consumer stopped from the handler of a channel-layer message has no
    pending receive (that one just completed and delivered the message), so nothing cancels
    it and the layer keeps the channel subscribed, with every frame that arrived after the
    stop, for the life of the process: a slow socket dropped to resume leaked its backlog
    that way (tests/chat/test_backpressure.py). Call this before raising ``StopConsumer``
    from such a handler: it takes what is queued (the groups are already left, so at most a
    bounded tail) and cancels the next, pending receive, the layers' own clean-up path.
    """
    for _ in range(most):
        receive = asyncio.ensure_future(layer.receive(channel))
        await asyncio.sleep(0)
        if receive.done():
            receive.result()  # a frame for a socket that is gone: dropped
            continue
        receive.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await receive
        return


async def release_if_held(layer: Any, channel: str | None) -> None:
    """``release_channel`` for a consumer that has ended, when the layer still holds its
    channel. Channels' dispatch loop cancels only the pending ``receive`` tasks when a
    consumer ends; a ``receive`` that completed in the same turn (a frame for the socket
    arriving as its disconnect does, or a handler of a layer message raising) is not
    pending, so its channel stayed subscribed, with every frame sent to it after, for the
    life of the process: ~150 of ~1,000 churned sockets per server in a loaded soak
    (docs/performance.md, "The soak's worker and the servers' memory")."""
    if layer is None or not channel:
        return
    held = getattr(layer, "channels", None)
    if isinstance(held, dict) and channel not in held:
        return
    await release_channel(layer, channel)
