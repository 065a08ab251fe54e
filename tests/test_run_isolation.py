"""A test run hears only its own frames, whatever else uses the same Redis server.

Redis pub/sub channels are shared by every client of a server, whatever database its URL
names, so the channel-layer prefix is the only thing that keeps two runs apart. With the
default prefix, another desk, bench or test run on the same server published into this
run's groups: an agent socket in ``tests/chat/bot/test_sockets.py`` counted 20 foreign
``conversation.updated`` frames and missed its own (seen once, blamed on the database thread
pool; reproduced with the pool off by publishing under the default prefix from another
process). ``tests/settings.py`` gives every run its own prefixes.
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.conf import settings

from chat import events
from tests.factories import make_agent
from tests.settings import isolate_run
from tests.sockets import agent_socket, receive_type

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_each_run_gets_its_own_prefixes_once() -> None:
    env: dict[str, str] = {}
    isolate_run(env)
    prefix = env["CHANNEL_PREFIX"]
    assert prefix.startswith("helpdesk-r") and prefix != "helpdesk"
    assert env["CACHE_PREFIX"] == prefix
    isolate_run(env)  # a server or worker the run starts keeps the run's prefixes
    assert env["CHANNEL_PREFIX"] == prefix
    other: dict[str, str] = {}
    isolate_run(other)
    assert other["CHANNEL_PREFIX"] != prefix
    assert settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] != "helpdesk"


def _update(conversation_id: int) -> dict[str, Any]:
    frame = {"type": "conversation.updated", "conversation": {"id": conversation_id}}
    return {"type": events.LAYER_EVENT, "frame": frame, "text": json.dumps(frame), "origin": None}


async def test_frames_of_a_run_on_the_default_prefix_do_not_reach_this_run() -> None:
    agent = await sync_to_async(make_agent)()
    desk = await agent_socket(agent)
    # Another run on the same Redis server (another database: pub/sub ignores it), with the
    # prefix every run had before.
    foreign = RedisPubSubChannelLayer(
        hosts=[{"address": os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/9"}], prefix="helpdesk"
    )
    try:
        await foreign.group_send(events.group_agents(), _update(999_999))
        await asyncio.sleep(0.3)
        await get_channel_layer().group_send(events.group_agents(), _update(1))
        frame = await receive_type(desk, "conversation.updated")
        assert frame["conversation"]["id"] == 1, "a frame of another run reached this run"
    finally:
        await desk.disconnect()
        await foreign.flush()
