"""The one publish: frames go to the channel layer after the surrounding transaction
commits, batched per event-loop tick into one pipeline per Redis shard."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.db import transaction

from ..layer_health import health
from ..models import Conversation, Message
from ..statements import conversation_version_bump
from .layer_events import layer_routes, packed
from .names import (
    Frame,
    group_agents,
    group_conversation,
    group_conversation_shopper,
    group_customer,
    group_visitor,
)
from .payloads import conversation_payload, message_payload, message_payload_staff_extra

logger = logging.getLogger(__name__)


class _Publisher:
    """Hands committed events from worker threads to the server's event loop without making
    the thread wait for Redis: under load, waiting there took ~40 % of the message path
    (docs/performance.md). One task on the loop sends them; each group keeps commit order."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread_id = 0
        self.queue: asyncio.Queue[list[tuple[list[str], dict[str, Any]]]] | None = None
        # Batches sent (one pipeline each on the pub/sub layer) and the events in them, since
        # the process started (bench/message_path_ab.py reads them).
        self.pipelines = 0
        self.events = 0
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
        return self.offer_many([(groups, event)])

    def offer_many(self, items: list[tuple[list[str], dict[str, Any]]]) -> bool:
        """``offer`` for a transaction's events at once: one wake-up of the loop (a write to
        its self-pipe from this thread) and one place in the queue, so they leave in one
        pipeline, rather than one hand-off each (docs/performance.md)."""
        loop, queue = self.loop, self.queue
        if loop is None or queue is None or loop.is_closed() or not loop.is_running():
            return False
        if threading.get_ident() == self.thread_id:
            return False
        try:
            loop.call_soon_threadsafe(queue.put_nowait, items)
        except RuntimeError:  # the loop closed meanwhile
            return False
        return True

    async def _run(self, queue: asyncio.Queue[list[tuple[list[str], dict[str, Any]]]]) -> None:
        layer = get_channel_layer()
        while True:
            batch = list(await queue.get())
            while not queue.empty():
                batch += queue.get_nowait()
            per_group: dict[str, list[dict[str, Any]]] = {}
            for groups, event in batch:
                for group in groups:
                    per_group.setdefault(group, []).append(event)
            # The agents group is read by one hub per process, which unpacks: its events of
            # the batch (a message's staff frame and its list update, …) go as one.
            hub_items = per_group.get(group_agents())
            if hub_items is not None and len(hub_items) > 1:
                per_group[group_agents()] = [packed(hub_items)]
            if not await _publish_pipelined(layer, per_group):
                await asyncio.gather(
                    *(_send_in_order(layer, group, items) for group, items in per_group.items())
                )
            self.pipelines += 1
            self.events += len(batch)


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
    if get_layer is None or not isinstance(layer, RedisPubSubChannelLayer):
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


class _WorkerLoop:
    """One event loop thread per process for the publishes of a process with no server loop
    (a Celery worker). ``async_to_sync`` made a new thread, loop and Redis connection for
    every publish: 1.2-1.6 ms of CPU each, against 0.11 ms on a loop that lives on (and keeps
    its connection); a new email thread publishes five times (docs/performance.md). Only for
    channels_redis' layers, whose state is per loop and whose Redis any loop reaches; the
    in-memory layer's queues belong to the loop of the sockets that read them."""

    TIMEOUT_SECONDS = 10.0

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.pid = 0
        self.lock = threading.Lock()

    @staticmethod
    def serves(layer: Any) -> bool:
        # The desk's own pub/sub layer (helpdesk/redis_layer.py) is channels_redis' subclass.
        return isinstance(layer, RedisPubSubChannelLayer) or type(layer).__module__.startswith(
            "channels_redis."
        )

    def _loop(self) -> asyncio.AbstractEventLoop:
        with self.lock:
            # A forked child (Celery's prefork pool) has the parent's object but not its thread.
            if self.loop is None or self.pid != os.getpid() or self.loop.is_closed():
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name="chat-publish-loop", daemon=True
                )
                thread.start()
                self.loop, self.pid = loop, os.getpid()
            return self.loop

    def run(self, coroutine: Any) -> None:
        """Run ``coroutine`` on the loop and wait for it (at most ``TIMEOUT_SECONDS``; a
        publish still waiting for a Redis that went away then finishes or fails there)."""
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop())
        future.result(timeout=self.TIMEOUT_SECONDS)


worker_loop = _WorkerLoop()


def _send_now(groups: Iterable[str], frame: dict[str, Any], origin: str | None) -> None:
    _send_items([(list(groups), frame, origin)])


async def _send_per_group(layer: Any, pairs: list[tuple[str, dict[str, Any]]]) -> None:
    """Each group's events in order (one after another), the groups side by side."""
    per_group: dict[str, list[dict[str, Any]]] = {}
    for group, event in pairs:
        per_group.setdefault(group, []).append(event)

    async def in_order(group: str, items: list[dict[str, Any]]) -> None:
        for event in items:
            try:
                await layer.group_send(group, event)
            except Exception:
                # The layer is a doorbell: a lost ring heals through resume, never by failing
                # the write that already committed.
                logger.exception("publish to %s failed", group)

    await asyncio.gather(*(in_order(group, items) for group, items in per_group.items()))


# A frame, its groups and the sending socket (``origin``).
Item = tuple[list[str], dict[str, Any], str | None]


def _send_items(items: list[Item]) -> None:
    """Frames, each to its groups, handed to the server loop's publisher in one go; where
    there is no server loop (a Celery worker, a management command), sent now, all in one
    trip to an event loop."""
    layer = get_channel_layer()
    if layer is None or not items:
        return
    batch = [
        route for groups, frame, origin in items for route in layer_routes(groups, frame, origin)
    ]
    if publisher.offer_many(batch):
        return
    pairs = [(group, event) for groups, event in batch for group in groups]
    try:
        if worker_loop.serves(layer):
            worker_loop.run(_send_per_group(layer, pairs))
        else:
            async_to_sync(_send_per_group)(layer, pairs)
    except Exception:
        logger.exception("publish of %d frames failed", len(pairs))


class _CommitBatch:
    """The publishes of one transaction, sent by one on-commit callback in the order they
    were made (each was its own callback, each its own hand-off to the loop)."""

    __slots__ = ("done", "items")

    def __init__(self) -> None:
        self.items: list[Item] = []
        self.done = False

    def __call__(self) -> None:
        self.done = True
        _send_items(self.items)


def _after_commit(items: list[Item]) -> None:
    """Send ``items`` once the current transaction commits, with the publishes made before
    them in it when nothing else was registered to run on commit in between (the order of
    on-commit callbacks stays the order of the code) and no savepoint was entered or left
    (a savepoint's rollback drops the callbacks registered in it, and only those)."""
    db = transaction.get_connection()
    if not db.in_atomic_block:
        transaction.on_commit(lambda: _send_items(items))  # autocommit: runs now
        return
    last = db.run_on_commit[-1] if db.run_on_commit else None
    if (
        last is not None
        and isinstance(last[1], _CommitBatch)
        and not last[1].done
        and last[0] == set(db.savepoint_ids)
    ):
        last[1].items.extend(items)
        return
    batch = _CommitBatch()
    batch.items.extend(items)
    transaction.on_commit(batch)


def publish_each(items: Iterable[tuple[Iterable[str], dict[str, Any]]]) -> None:
    """``publish`` for many frames, each to its own groups, once the current transaction
    commits."""
    batch: list[Item] = [(list(dict.fromkeys(groups)), frame, None) for groups, frame in items]
    if batch:
        _after_commit(batch)


def publish(groups: Iterable[str], frame: dict[str, Any], *, origin: str | None = None) -> None:
    """Send ``frame`` to ``groups`` once the current transaction commits; a transaction's
    publishes go to the loop's publisher together.

    ``origin`` is the sending socket's channel name: that socket already has its ack and
    skips the copy.
    """
    _after_commit([(list(dict.fromkeys(groups)), frame, origin)])


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
    """``conversation.created``/``updated`` to the agents' lists and to the shopper, telling
    the conversation's ``version``: raised here unless this transaction raised it already
    (a message's UPDATE does), so a client can drop a payload older than one it has."""
    conversation_version_bump(conversation)
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
