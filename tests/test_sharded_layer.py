"""The channel layer sharded over two Redis servers (``CHANNEL_REDIS_URLS``): shoppers on one
server process and agents on another still talk, and nothing is lost.

Two ``redis-server`` processes on free ports carry the layer; the cache and Celery keep the
test run's own Redis. channels_redis spreads channels and groups over the servers by a hash
of their names, so the conversations' groups land on both: the test checks that each Redis
carries subscriptions before counting every frame.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
import redis
import websockets

from bench.server import login, widget_session
from tests.factories import make_agent
from tests.procs import production_server, redis_server, server_env

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SHOPPERS = 24
MESSAGES_EACH = 5


@pytest.fixture
def sharded(transactional_db: None) -> Iterator[tuple[str, str, list[str]]]:
    # On ``transactional_db``: the servers stop before the flush (see tests/test_scale_out.py).
    from django.db import connection

    db_name = connection.settings_dict["NAME"]
    with redis_server() as first_redis, redis_server() as second_redis:
        env = server_env(db_name)
        env["CHANNEL_REDIS_URLS"] = f"{first_redis},{second_redis}"
        env["HELPDESK_RATE_PER_SECOND"] = env["HELPDESK_RATE_BURST"] = "1000"
        with production_server(env) as first, production_server(env) as second:
            yield first, second, [first_redis, second_redis]


async def open_socket(url: str, origin: str, **kw: Any) -> Any:
    return await websockets.connect(
        url, origin=websockets.Origin(origin), ping_interval=None, open_timeout=20, **kw
    )


async def frames_until(ws: Any, done: Any, timeout: float = 30) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not done(seen):
        remaining = deadline - loop.time()
        if remaining <= 0:
            break
        try:
            seen.append(json.loads(await asyncio.wait_for(ws.recv(), remaining)))
        except TimeoutError:
            break
    return seen


def test_shoppers_and_agents_on_different_processes_over_two_redis(
    sharded: tuple[str, str, list[str]],
) -> None:
    first, second, redis_urls = sharded
    make_agent("shard-agent")
    session = login(second, "shard-agent", "pw-shard-agent")
    tokens = [widget_session(first) for _ in range(SHOPPERS)]
    ws_first = first.replace("http://", "ws://")
    ws_second = second.replace("http://", "ws://")

    async def scenario() -> None:
        shoppers = []
        conversations: list[int] = []
        for n, token in enumerate(tokens):
            ws = await open_socket(ws_first + "/ws/visitor/", first)
            await ws.send(json.dumps({"type": "auth", "token": token}))
            assert (await frames_until(ws, lambda s: s and s[-1]["type"] == "ready"))[-1]
            await ws.send(json.dumps({"type": "message.send", "client_id": f"o{n}", "body": "hi"}))
            ack = (await frames_until(ws, lambda s: s and s[-1]["type"] == "message.ack"))[-1]
            conversations.append(ack["message"]["conversation"])
            shoppers.append(ws)
        agent = await open_socket(
            ws_second + "/ws/agent/", second, additional_headers={"Cookie": f"sessionid={session}"}
        )
        assert (await frames_until(agent, lambda s: s and s[-1]["type"] == "ready"))[-1]
        for conversation in conversations:
            await agent.send(
                json.dumps({"type": "resume", "conversation": conversation, "after_seq": 1})
            )
        done = await frames_until(
            agent, lambda s: sum(f["type"] == "resume.done" for f in s) == SHOPPERS
        )
        assert sum(f["type"] == "resume.done" for f in done) == SHOPPERS

        # Both Redis servers carry the layer's subscriptions.
        for url in redis_urls:
            client = redis.Redis.from_url(url)
            assert client.pubsub_channels(), f"no subscriptions on {url}"
            client.close()

        # Shoppers (first process) -> agent (second process).
        for k in range(MESSAGES_EACH):
            for n, ws in enumerate(shoppers):
                await ws.send(
                    json.dumps(
                        {
                            "type": "message.send",
                            "client_id": f"s{n}-{k}",
                            "conversation": conversations[n],
                            "body": f"shopper {n} message {k}",
                        }
                    )
                )
        want = {f"s{n}-{k}" for n in range(SHOPPERS) for k in range(MESSAGES_EACH)}

        def created(frames: list[dict[str, Any]]) -> set[str]:
            return {
                f["message"]["client_id"]
                for f in frames
                if f["type"] == "message.created" and f["message"]["client_id"] in want
            }

        got = await frames_until(agent, lambda s: created(s) == want, timeout=60)
        assert created(got) == want, f"lost {len(want - created(got))} of {len(want)}"

        # Agent (second process) -> every shopper (first process).
        for n, conversation in enumerate(conversations):
            await agent.send(
                json.dumps(
                    {
                        "type": "message.send",
                        "client_id": f"a{n}",
                        "conversation": conversation,
                        "body": f"reply {n}",
                    }
                )
            )
        for n, ws in enumerate(shoppers):
            frames = await frames_until(
                ws,
                lambda s, n=n: any(
                    f["type"] == "message.created" and f["message"]["body"] == f"reply {n}"
                    for f in s
                ),
            )
            assert any(
                f["type"] == "message.created" and f["message"]["body"] == f"reply {n}"
                for f in frames
            ), f"shopper {n} missed the reply"
        for ws in [*shoppers, agent]:
            await ws.close()

    asyncio.run(scenario())
