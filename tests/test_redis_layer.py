"""The desk's pub/sub layer (helpdesk/redis_layer.py): a socket's channel is an ``Inbox``, not an
``asyncio.Queue``, and is subscribed in Redis in one ``SUBSCRIBE`` with the socket's first
group; frames from other processes reach it as before."""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any, cast

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.conf import settings
from redis.asyncio.client import PubSub

from chat import events
from helpdesk.redis_layer import DeskPubSubChannelLayer, Inbox
from tests.factories import make_visitor, visitor_token
from tests.sockets import ORIGIN, visitor_socket

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def subscribes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """The names of every ``SUBSCRIBE`` command the layers send, one tuple per command."""
    sent: list[tuple[str, ...]] = []
    original = PubSub.subscribe

    async def counted(self: PubSub, *args: Any, **kwargs: Any) -> Any:
        sent.append(tuple(a.decode() if isinstance(a, bytes) else a for a in args))
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(PubSub, "subscribe", counted)
    return sent


async def _token() -> str:
    visitor = await database_sync_to_async(make_visitor)()
    return await database_sync_to_async(visitor_token)(visitor)


def _frame_event(text: str) -> dict[str, Any]:
    frame = {"type": "conversation.updated", "conversation": {"id": 1, "note": text}}
    return {"type": events.LAYER_EVENT, "frame": frame, "text": json.dumps(frame)}


async def _note(comm: WebsocketCommunicator) -> str:
    frame = cast(dict[str, Any], await comm.receive_json_from(timeout=5))
    return str(frame["conversation"]["note"])


async def test_a_visitor_socket_subscribes_once_and_hears_other_processes(
    subscribes: list[tuple[str, ...]],
) -> None:
    layer = get_channel_layer()
    assert isinstance(layer, DeskPubSubChannelLayer)
    before = set(layer.channels)
    comm = await visitor_socket(await _token())
    (channel,) = set(layer.channels) - before
    assert isinstance(layer.channels[channel], Inbox)
    # One command for the socket: its channel and its visitor group together.
    mine = [names for names in subscribes if channel in names]
    assert len(mine) == 1 and len(mine[0]) == 2, subscribes
    # Another process (a plain channels_redis layer, its own connection) reaches the channel
    # and the group through Redis.
    config = settings.CHANNEL_LAYERS["default"]["CONFIG"]
    other = RedisPubSubChannelLayer(hosts=config["hosts"], prefix=config["prefix"])
    try:
        await other.send(channel, _frame_event("direct"))
        assert await _note(comm) == "direct"
        group = mine[0][1].removeprefix(f"{config['prefix']}__group__")
        await other.group_send(group, _frame_event("group"))
        assert await _note(comm) == "group"
    finally:
        await other.flush()
        await comm.disconnect()
    assert channel not in layer.channels


async def test_a_socket_that_never_authenticates_subscribes_nothing(
    subscribes: list[tuple[str, ...]],
) -> None:
    from helpdesk.asgi import application

    layer = get_channel_layer()
    before = set(layer.channels)
    comm = WebsocketCommunicator(application, "/ws/visitor/", headers=[ORIGIN])
    connected, _ = await comm.connect()
    assert connected
    (channel,) = set(layer.channels) - before
    # The consumer's message to itself (a queue that overflowed) is delivered in the process.
    await layer.send(channel, {"type": "socket.too_slow"})
    assert (await comm.receive_output(timeout=5))["type"] == "websocket.close"
    await comm.wait(5)
    assert not [names for names in subscribes if channel in names]
    await asyncio.sleep(0.1)
    assert channel not in layer.channels


async def test_an_inbox_keeps_order_and_a_frame_its_cancelled_reader_was_woken_for() -> None:
    inbox = Inbox()
    first = asyncio.ensure_future(inbox.get())
    second = asyncio.ensure_future(inbox.get())
    await asyncio.sleep(0)
    inbox.put_nowait("a")
    first.cancel()  # woken for "a", cancelled before it ran: "a" goes to the next reader
    assert await asyncio.wait_for(second, 1) == "a"
    assert first.cancelled()
    for item in "bcd":
        inbox.put_nowait(item)
    assert [await inbox.get() for _ in range(3)] == ["b", "c", "d"]
    assert inbox.items is None and inbox.waiters is None and len(inbox) == 0


async def test_the_health_probe_s_channel_is_subscribed_at_once(
    subscribes: list[tuple[str, ...]],
) -> None:
    """A channel that is not a consumer's (``chat/layer_health.py``'s probe) goes through
    Redis from the start: its round trip is what tells the layer is up."""
    config = settings.CHANNEL_LAYERS["default"]["CONFIG"]
    layer = DeskPubSubChannelLayer(hosts=config["hosts"], prefix=config["prefix"] + "-probe")
    try:
        probe = await layer.new_channel("health.")
        assert [names for names in subscribes if probe in names] == [(probe,)]
        receiver = asyncio.ensure_future(layer.receive(probe))
        await layer.send(probe, {"type": "health.probe", "n": 1})
        message: dict[str, Any] = await asyncio.wait_for(receiver, 5)
        assert message["n"] == 1
    finally:
        await layer.flush()
    assert os.environ.get("REDIS_URL")
