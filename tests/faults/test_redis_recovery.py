"""After Redis is killed (``kill -9``) and restarted, the parts of the desk that ride on it
recover by themselves: the bot, the queue and presence (tests/faults/test_redis_restart.py
covers the messages themselves).

- **Bot tasks**: a shopper message stored while Redis was down had its bot task dropped (the
  batch could not reach the broker); the beat's sweep (``chat.bot.reply_sweep``) finds it once
  Redis is back and the bot answers it, once.
- **Worker and beat**: the Celery worker and beat reconnect to the new Redis and go on.
- **Presence and the queue**: an agent whose workspace socket stayed open through the outage
  is still available, and a shopper who asks for a person after it is routed to that agent,
  whose socket (on the other server process) hears ``conversation.assigned`` live: the
  process's channel-layer subscriptions and the worker's publishes work again.

A world of its own: the bot on, a beat running the bot's sweep every 2 s."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.asyncio.client import connect

from .clients import Shopper, agent_cookie, widget_session
from .stack import Stack, bound, report, stack

pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def bot_world() -> Iterator[Stack]:
    with stack(servers=2, worker=False, extra_env={"HELPDESK_BOT_ENABLED": "1"}) as world:
        world.start_worker(loglevel="INFO")
        world.start_beat("sweeps", "tests.faults.beat_sweep_settings")
        yield world


def _bot_messages(world: Stack, conversation_id: int) -> int:
    return int(
        world.pg.sql(
            "SELECT count(*) FROM chat_message WHERE conversation_id = "
            f"{conversation_id} AND sender_kind = 'bot'"
        )
    )


async def _until(predicate: Any, timeout: float, step: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await asyncio.to_thread(predicate)
        if value:
            return value
        await asyncio.sleep(step)
    return await asyncio.to_thread(predicate)


class Workspace:
    """An agent's workspace socket that stays open through the outage (pinging, as the
    workspace does) and records every frame with the time it arrived."""

    def __init__(self, base: str, cookie: str) -> None:
        self.base, self.cookie = base, cookie
        self.frames: list[tuple[float, dict[str, Any]]] = []
        self.ready = asyncio.Event()
        self.closed: int | None = None
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        url = self.base.replace("http", "ws", 1) + "/ws/agent/"
        headers = {"Origin": self.base, "Cookie": self.cookie}
        async with connect(url, additional_headers=headers, ping_interval=None) as ws:

            async def pinger() -> None:
                while True:
                    await asyncio.sleep(5)
                    await ws.send(json.dumps({"type": "ping"}))

            ping = asyncio.ensure_future(pinger())
            try:
                async for raw in ws:
                    frame = json.loads(raw)
                    self.frames.append((time.monotonic(), frame))
                    if frame.get("type") == "ready":
                        self.ready.set()
            finally:
                ping.cancel()
                self.closed = ws.close_code

    def assigned(self, conversation_id: int) -> float | None:
        for at, frame in self.frames:
            if (
                frame.get("type") == "conversation.assigned"
                and int(frame["conversation"]["id"]) == conversation_id
            ):
                return at
        return None

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.task


def _presence(base: str, cookie: str) -> dict[str, Any]:
    request = urllib.request.Request(base + "/api/v1/presence", headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=30) as response:
        return dict(json.loads(response.read()))


def test_bot_queue_and_presence_recover_after_redis_restart(bot_world: Stack) -> None:
    world = bot_world
    cookie = agent_cookie(world.bases[0], world.env(), "recovery-agent", capacity=10)

    async def run() -> dict[str, Any]:
        desk = Workspace(world.bases[0], cookie)
        desk.start()
        await asyncio.wait_for(desk.ready.wait(), 90)
        # A shopper on the other process, answered by the bot before the outage.
        first = Shopper([world.bases[1]], await widget_session(world.bases[1]), "rec-a")
        first.start()
        await asyncio.wait_for(first.connected.wait(), 90)
        await first.say("hello there", wait=True, timeout=60)
        conversation = int(next(iter(first.stats.acked.values()))["conversation"])
        assert await _until(lambda: _bot_messages(world, conversation) >= 1, bound(30)), (
            "the bot never answered before the outage"
        )
        before = _bot_messages(world, conversation)

        world.redis.kill()
        in_the_dark = await first.say("do you ship to Canada?")
        await asyncio.sleep(3)
        world.redis.start()
        back = time.monotonic()
        assert await first.settled(bound(20)), "the message sent in the dark was never acked"
        assert in_the_dark in first.stats.acked

        # The bot answers the message it never heard of (its task was dropped), once.
        answered = await _until(lambda: _bot_messages(world, conversation) > before, bound(20))
        bot_after_s = time.monotonic() - back
        assert answered, "the bot never answered the message sent while Redis was down"

        # Presence held, and the queue routes a new request to the agent, live.
        presence = await asyncio.to_thread(_presence, world.bases[1], cookie)
        second = Shopper([world.bases[1]], await widget_session(world.bases[1]), "rec-b")
        second.start()
        await asyncio.wait_for(second.connected.wait(), 90)
        asked = time.monotonic()
        await second.say("I want to talk to a human agent please", wait=True, timeout=60)
        wanted = int(next(iter(second.stats.acked.values()))["conversation"])
        await _until(lambda: desk.assigned(wanted), bound(10))
        assigned_at = desk.assigned(wanted)
        await asyncio.sleep(6)  # a second sweep run or redelivery would show by now
        figures = {
            "bot_answer_after_s": round(bot_after_s, 1),
            "bot_messages": f"{before}->{_bot_messages(world, conversation)}",
            "presence": {k: presence.get(k) for k in ("status", "connected", "available")},
            "assigned_live_after_s": round(assigned_at - asked, 2) if assigned_at else None,
            "agent_socket_closed": desk.closed,
            "resyncs": sum(1 for _t, f in desk.frames if f.get("type") == "resync"),
        }
        for client in (first, second):
            await client.stop()
        await desk.stop()
        figures["bot_messages_final"] = _bot_messages(world, conversation)
        return figures

    figures = asyncio.run(run())
    report("redis kill -9: bot, queue, presence", **figures)
    assert figures["bot_messages_final"] == int(figures["bot_messages"].split("->")[0]) + 1
    assert figures["presence"]["available"] is True
    assert figures["agent_socket_closed"] is None, "the workspace socket was closed"
    assert figures["assigned_live_after_s"] is not None, "the agent never heard of the request"
    assert world.worker is not None and world.worker.proc is not None
    assert world.worker.proc.poll() is None, world.worker.log()[-2000:]
    assert all(b.proc is not None and b.proc.poll() is None for b in world.beats)
