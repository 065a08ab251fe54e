"""The publisher's batches go to Redis as one pipeline per shard (chat/events/publishing.py): every group
gets its events once and in order, an event for several groups is serialised once, a failed
pipeline makes the process resync instead of raising, and other layers keep ``group_send``."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from channels.layers import InMemoryChannelLayer, get_channel_layer
from channels_redis.pubsub import RedisPubSubChannelLayer

from chat import events
from chat.layer_health import health


def _pubsub_layer() -> Any:
    layer = get_channel_layer()
    if not isinstance(layer, RedisPubSubChannelLayer):
        pytest.skip("needs the Redis pub/sub channel layer (REDIS_URL)")
    return layer


async def _drain(layer: Any, channel: str, count: int) -> list[dict[str, Any]]:
    return [await asyncio.wait_for(layer.receive(channel), 10) for _ in range(count)]


async def test_each_group_gets_its_events_once_and_in_order() -> None:
    layer = _pubsub_layer()
    run = uuid.uuid4().hex[:8]
    staff, shopper = f"pipe-staff-{run}", f"pipe-shopper-{run}"
    on_staff = await layer.new_channel("pipe.")
    on_shopper = await layer.new_channel("pipe.")
    await layer.group_add(staff, on_staff)
    await layer.group_add(shopper, on_shopper)
    try:
        # As the publisher groups a batch: the first event rings both groups.
        first = {"type": events.LAYER_EVENT, "text": "1", "n": 1}
        later = [{"type": events.LAYER_EVENT, "text": str(n), "n": n} for n in range(2, 40)]
        per_group = {staff: [first, *later], shopper: [first]}
        assert await events._publish_pipelined(layer, per_group) is True
        got_staff = await _drain(layer, on_staff, 39)
        got_shopper = await _drain(layer, on_shopper, 1)
        assert [m["n"] for m in got_staff] == list(range(1, 40))
        assert [m["n"] for m in got_shopper] == [1]
        # Nothing more than that: no event twice.
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(layer.receive(on_staff), 0.3)
    finally:
        await layer.group_discard(staff, on_staff)
        await layer.group_discard(shopper, on_shopper)


async def test_an_event_for_several_groups_is_serialised_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    layer = _pubsub_layer()
    calls: list[Any] = []
    real = layer.serialize

    def counting(message: Any) -> bytes:
        calls.append(message)
        return bytes(real(message))

    monkeypatch.setattr(layer, "serialize", counting)
    event = {"type": events.LAYER_EVENT, "text": "x"}
    run = uuid.uuid4().hex[:8]
    groups = {f"pipe-a-{run}": [event], f"pipe-b-{run}": [event], f"pipe-c-{run}": [event]}
    assert await events._publish_pipelined(layer, groups) is True
    assert calls == [event]


async def test_a_failed_pipeline_marks_the_layer_suspect_and_does_not_raise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    layer = _pubsub_layer()
    loop_layer = events._pubsub_loop_layer(layer)
    assert loop_layer is not None

    class Broken:
        def publish(self, channel: str, data: bytes) -> None:
            pass

        async def execute(self) -> None:
            raise ConnectionError("Redis went away")

    for shard in loop_layer._shards:
        shard._ensure_redis()
        monkeypatch.setattr(shard._redis, "pipeline", lambda transaction=True: Broken())
    monkeypatch.setattr(health, "suspect", False)
    event = {"type": events.LAYER_EVENT, "text": "x"}
    assert await events._publish_pipelined(layer, {"pipe-broken": [event]}) is True
    assert health.suspect is True


async def test_other_layers_are_left_to_group_send() -> None:
    layer = InMemoryChannelLayer()
    event = {"type": events.LAYER_EVENT, "text": "x"}
    assert await events._publish_pipelined(layer, {"pipe-mem": [event]}) is False
    assert events._pubsub_loop_layer(layer) is None


async def test_a_process_without_a_server_loop_publishes_through_one_loop_that_lives_on() -> None:
    """A Celery worker's publishes (no server loop: ``publisher.offer`` refuses) all run on
    one event loop thread of the process, in order, instead of a new thread, loop and Redis
    connection per publish (``async_to_sync``)."""
    from chat.events import publishing

    layer = _pubsub_layer()
    run = uuid.uuid4().hex[:8]
    group = f"worker-loop-{run}"
    channel = await layer.new_channel("pipe.")
    await layer.group_add(group, channel)
    loops: list[Any] = []

    def worker() -> None:
        # As a Celery task does after its commit: no running loop in this thread.
        for n in range(1, 6):
            publishing._send_now([group], {"type": "test.frame", "n": n}, None)
            loops.append(publishing.worker_loop.loop)

    try:
        await asyncio.to_thread(worker)
        got = [events.event_frame(m)["n"] for m in await _drain(layer, channel, 5)]
        assert got == [1, 2, 3, 4, 5]
        assert len({id(loop) for loop in loops}) == 1 and loops[0].is_running()
        assert loops[0] is not asyncio.get_running_loop()
    finally:
        await layer.group_discard(group, channel)


@pytest.mark.django_db
def test_a_transactions_publishes_reach_the_loop_in_one_hand_off(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    """Each ``publish`` of a transaction was its own on-commit callback and its own wake-up of
    the server loop (a message is two: its ``message.created`` and the list update); now the
    transaction's publishes are handed over together, in order. A savepoint rolled back drops
    its own publishes only, and another on-commit callback in between keeps its place."""
    from django.db import transaction

    from chat.events import publishing

    handed: list[Any] = []

    def offer_many(items: list[tuple[list[str], dict[str, Any]]]) -> bool:
        handed.append([(groups, events.event_frame(event)["n"]) for groups, event in items])
        return True

    monkeypatch.setattr(publishing.publisher, "offer_many", offer_many)

    class Undone(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            events.publish(["g-a", "g-b", "g-a"], {"type": "t", "n": 1}, origin="me")
            events.publish(["g-c"], {"type": "t", "n": 2})
            with pytest.raises(Undone), transaction.atomic():
                events.publish(["g-d"], {"type": "t", "n": 3})
                raise Undone
            events.publish(["g-e"], {"type": "t", "n": 4})
            transaction.on_commit(lambda: handed.append("another callback"))
            events.publish_each(
                [(["g-f"], {"type": "t", "n": 5}), (["g-g"], {"type": "t", "n": 6})]
            )
        assert handed == []  # nothing before the commit
    assert handed == [
        [(["g-a", "g-b"], 1), (["g-c"], 2), (["g-e"], 4)],
        "another callback",
        [(["g-f"], 5), (["g-g"], 6)],
    ]
