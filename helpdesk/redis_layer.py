"""channels_redis' pub/sub layer with a lighter channel per socket (the production layer).

Every socket's consumer owns one layer channel. ``RedisPubSubChannelLayer`` gives each an
``asyncio.Queue`` (three deques, an ``Event`` with its own, ~3 KiB: the largest single share of
an idle visitor socket's bytes after the server's own, docs/performance.md "Idle sockets and
memory") and subscribes it in Redis at once, so a visitor socket cost two ``SUBSCRIBE``s
(its channel at connect, its visitor group at ``auth``). Here:

- **An ``Inbox`` instead of the queue**: a deque made for the frames waiting and dropped when
  they are read, the waiting readers in a list made while they wait. It keeps the queue's
  contract for the layer: frames in order, a reader cancelled as a frame reaches it leaves the
  frame for the next reader.
- **A consumer's channel (``specific.``) subscribed with its first group**: until the consumer
  joins a group nobody but this process can know the channel's name, so its ``SUBSCRIBE``
  waits and goes out in one command with that group's (a visitor socket: one command per
  socket instead of two; a socket that never authenticates: none). Until then a ``send`` to it
  from this process's loop is delivered in the process (a consumer's message to itself). Other
  channels (the layer's health probe, ``chat/layer_health.py``) are subscribed at once, as
  before.

Everything else — names, shards, serialisation, group subscriptions, the clean-up on a
cancelled ``receive`` — is channels_redis' own (``chat/events/publishing.py`` pipelines
publishes through its shards as for the plain layer).
"""

from __future__ import annotations

import asyncio
import collections
import uuid
from typing import Any

from channels_redis.pubsub import (
    RedisPubSubChannelLayer,
    RedisPubSubLoopLayer,
    RedisSingleShardConnection,
)
from channels_redis.utils import _wrap_close

# Channels' consumers name their own channel with this prefix (``AsyncConsumer.__call__``).
CONSUMER_PREFIX = "specific."


class Inbox:
    """One channel's frames waiting for its reader: ``asyncio.Queue``'s ``put_nowait`` and
    ``get`` in a few slots."""

    __slots__ = ("items", "unsubscribed", "waiters")

    def __init__(self, *, unsubscribed: bool = False) -> None:
        self.items: collections.deque[Any] | None = None
        self.waiters: list[asyncio.Future[None]] | None = None
        # Not subscribed in Redis yet (a consumer's channel before its first group).
        self.unsubscribed = unsubscribed

    def __len__(self) -> int:
        return len(self.items) if self.items else 0

    def put_nowait(self, item: Any) -> None:
        if self.items is None:
            self.items = collections.deque()
        self.items.append(item)
        self._wake_next()

    def _wake_next(self) -> None:
        while self.waiters:
            waiter = self.waiters.pop(0)
            if not self.waiters:
                self.waiters = None
            if not waiter.done():
                waiter.set_result(None)
                return

    async def get(self) -> Any:
        while not self.items:
            waiter = asyncio.get_running_loop().create_future()
            if self.waiters is None:
                self.waiters = []
            self.waiters.append(waiter)
            try:
                await waiter
            except BaseException:
                waiter.cancel()
                if self.waiters is not None and waiter in self.waiters:
                    self.waiters.remove(waiter)
                    if not self.waiters:
                        self.waiters = None
                # Woken for a frame it will not take: the next reader takes it.
                if self.items:
                    self._wake_next()
                raise
        item = self.items.popleft()
        if not self.items:
            self.items = None
        return item


class _Shard(RedisSingleShardConnection):
    async def subscribe_many(self, channels: list[str]) -> None:
        """Subscribe ``channels`` (those not subscribed yet) in one ``SUBSCRIBE``."""
        async with self._lock:
            new = [c for c in dict.fromkeys(channels) if c not in self._subscribed_to]
            if new:
                self._ensure_redis()
                self._ensure_receiver()
                await self._pubsub.subscribe(*new)
                self._subscribed_to.update(new)


class DeskPubSubLoopLayer(RedisPubSubLoopLayer):
    """One event loop's layer: ``Inbox`` channels, a consumer's channel subscribed with its
    first group."""

    _shards: list[_Shard]

    def __init__(self, hosts: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(hosts, *args, **kwargs)
        self._shards = [_Shard(shard.host, self) for shard in self._shards]

    async def _subscribe_to_channel(self, channel: str) -> None:
        self.channels[channel] = Inbox()
        await self._get_shard(channel).subscribe(channel)

    async def new_channel(self, prefix: str = CONSUMER_PREFIX) -> str:
        if prefix != CONSUMER_PREFIX:
            return await super().new_channel(prefix)
        channel = f"{self.prefix}{prefix}{uuid.uuid4().hex}"
        self.channels[channel] = Inbox(unsubscribed=True)
        return channel

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        inbox = self.channels.get(channel)
        if inbox is not None and inbox.unsubscribed:
            # Only this process knows the channel yet: Redis would deliver it to no one.
            inbox.put_nowait(self.channel_layer.serialize(message))
            return
        await super().send(channel, message)

    async def group_add(self, group: str, channel: str) -> None:
        inbox = self.channels.get(channel)
        if inbox is None or not inbox.unsubscribed:
            await super().group_add(group, channel)
            return
        group_channel = self._get_group_channel_name(group)
        self.groups.setdefault(group_channel, set()).add(channel)
        shard = self._get_shard(channel)
        if shard is self._get_shard(group_channel):
            await shard.subscribe_many([channel, group_channel])
        else:
            await shard.subscribe_many([channel])
            await self._get_shard(group_channel).subscribe_many([group_channel])
        inbox.unsubscribed = False


class DeskPubSubChannelLayer(RedisPubSubChannelLayer):
    """``RedisPubSubChannelLayer`` whose loops' layers are ``DeskPubSubLoopLayer``s."""

    def _get_layer(self) -> DeskPubSubLoopLayer:
        loop = asyncio.get_running_loop()
        try:
            layer: DeskPubSubLoopLayer = self._layers[loop]
        except KeyError:
            layer = DeskPubSubLoopLayer(*self._args, **self._kwargs, channel_layer=self)
            self._layers[loop] = layer
            _wrap_close(self, loop)
        return layer
