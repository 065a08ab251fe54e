"""A socket's consumer gives its channel back to the layer however it ends. Channels cancels
only the pending ``receive`` tasks when a consumer stops; one that completed in the same turn
(a frame arriving as the socket disconnects, a handler of a layer message raising) left its
channel subscribed, with every frame sent to it after, for the life of the process (the soak's
``--trace``: ~150 per server after ~1,000 churned sockets; docs/performance.md)."""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from tests.factories import make_visitor, visitor_token
from tests.sockets import visitor_socket

pytestmark = [pytest.mark.django_db(transaction=True)]


async def _token() -> str:
    visitor = await database_sync_to_async(make_visitor)()
    return await database_sync_to_async(visitor_token)(visitor)


async def test_a_consumer_that_fails_on_a_layer_message_releases_its_channel() -> None:
    layer = get_channel_layer()
    before = set(layer.channels)
    comm = await visitor_socket(await _token())
    (channel,) = set(layer.channels) - before
    await layer.send(channel, {"type": "no.such.handler"})
    with pytest.raises(ValueError, match="No handler"):
        await comm.wait(5)
    await asyncio.sleep(0.1)
    assert channel not in layer.channels
    # Nothing sent to it is kept either.
    await layer.send(channel, {"type": "socket.too_slow"})
    assert channel not in layer.channels


async def test_a_closed_socket_still_releases_its_channel() -> None:
    layer = get_channel_layer()
    before = set(layer.channels)
    comm = await visitor_socket(await _token())
    (channel,) = set(layer.channels) - before
    await comm.disconnect()
    assert channel not in layer.channels
