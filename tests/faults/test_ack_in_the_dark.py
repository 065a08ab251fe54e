"""While Redis is down (``kill -9``), a socket's send that PostgreSQL stored is acked at once:
nothing on the socket's message path after the commit waits for the channel layer or the
broker (the layer's group joins, Celery's queueing: the sweeps recover what they lose).

Before the fix, a shopper's first message (a new conversation, whose group the socket then
joined before the ack) and an agent's reply were acked only after Redis returned, or not at
all within 30 s, though each was stored within a fraction of a second."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.procs import ROOT

from .clients import Agent, Shopper, agent_cookie, post_json, widget_session
from .shop_app import SETUP, ShopApp
from .stack import Stack, bound, report, stack

pytestmark = [pytest.mark.slow]

DARK_SECONDS = 12


@pytest.fixture(scope="module")
def dark_world() -> Iterator[Stack]:
    with stack(servers=1, worker=False) as world:
        yield world


def _stored_at(world: Stack, marker: str) -> bool:
    return world.pg.sql(f"SELECT count(*) FROM chat_message WHERE body LIKE '%{marker}%'") == "1"


def test_sends_stored_while_redis_is_down_are_acked_at_once(dark_world: Stack) -> None:
    world = dark_world
    base = world.bases[0]

    async def run() -> dict[str, Any]:
        old = Shopper([base], await widget_session(base), "dark-old")
        new = Shopper([base], await widget_session(base), "dark-new")
        for s in (old, new):
            s.start()
        await asyncio.gather(*(asyncio.wait_for(s.connected.wait(), 90) for s in (old, new)))
        await old.say("hello there", wait=True, timeout=60)
        assert old.conversation is not None
        cookie = await asyncio.to_thread(
            agent_cookie, base, world.env(), "dark-agent", supervisor=True
        )
        agent = Agent([base], cookie, "dark-agent", old.conversation)
        agent.start()
        await asyncio.wait_for(agent.connected.wait(), 90)
        await agent.say("warm up", wait=True, timeout=60)

        world.redis.kill()
        sends = {
            "agent_reply": (agent, "MARK-AGENT"),
            "shopper_reply": (old, "MARK-OLD"),
            "first_message": (new, "MARK-NEW"),
        }
        ids = {k: await s.say(f"in the dark {m}") for k, (s, m) in sends.items()}
        stored: dict[str, float] = {}
        deadline = time.monotonic() + DARK_SECONDS
        while time.monotonic() < deadline:
            for key, (_s, marker) in sends.items():
                if key not in stored and await asyncio.to_thread(_stored_at, world, marker):
                    stored[key] = time.monotonic()
            if len(stored) == len(sends) and all(s.stats.acked_at.get(ids[k]) for k, (s, _m)
                                                 in sends.items()):  # fmt: skip
                break
            await asyncio.sleep(0.1)
        # A resume of a conversation the socket has not joined yet heals from PostgreSQL in
        # the dark too (it was answered ``unavailable``: the join failed first).
        assert agent.ws is not None and new.conversation is not None
        resumed = len(agent.stats.resumed_at)
        resume_sent = time.monotonic()
        await agent.ws.send(json.dumps({"type": "resume", "conversation": new.conversation}))
        while len(agent.stats.resumed_at) == resumed and time.monotonic() - resume_sent < 5:
            await asyncio.sleep(0.05)
        world.redis.start()
        figures: dict[str, Any] = {}
        figures["resume_in_the_dark_s"] = (
            round(agent.stats.resumed_at[-1] - resume_sent, 2)
            if len(agent.stats.resumed_at) > resumed
            else None
        )
        for key, (shopper, _m) in sends.items():
            sent = shopper.stats.sent_at[ids[key]]
            acked = shopper.stats.acked_at.get(ids[key])
            figures[f"{key}_stored_s"] = round(stored[key] - sent, 2) if key in stored else None
            figures[f"{key}_acked_s"] = round(acked - sent, 2) if acked else None
        back = time.monotonic()
        settled = await asyncio.gather(*(s.settled(bound(10)) for s in (old, new, agent)))
        figures["settled_after_redis"] = all(settled)
        # The new shopper's socket could not join its conversation's group in the dark: it is
        # told to resync once the layer is back, and its resume joins; an agent's reply then
        # reaches it live.
        while not new.stats.resumed_at or new.stats.resumed_at[-1] < back:
            if time.monotonic() - back > bound(10):
                break
            await asyncio.sleep(0.1)
        figures["new_resynced_after_s"] = (
            round(new.stats.resumed_at[-1] - back, 2) if new.stats.resumed_at else None
        )
        assert new.conversation is not None
        helper = Agent([base], cookie, "dark-agent2", new.conversation)
        helper.start()
        await asyncio.wait_for(helper.connected.wait(), 90)
        reply = await helper.say("live again", wait=True, timeout=60)
        seq = int(helper.stats.acked[reply]["seq"])
        deadline = time.monotonic() + bound(5)
        while seq not in new.stats.seen and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        figures["new_heard_reply_live"] = seq in new.stats.seen
        for s in (old, new, agent, helper):
            await s.stop()
        return figures

    figures = asyncio.run(run())
    report("redis kill -9: acks of sends stored in the dark", **figures)
    for key in ("agent_reply", "shopper_reply", "first_message"):
        assert figures[f"{key}_stored_s"] is not None, figures
        assert figures[f"{key}_acked_s"] is not None, figures
        assert figures[f"{key}_acked_s"] - figures[f"{key}_stored_s"] <= 2, figures
    assert figures["settled_after_redis"], figures
    assert figures["resume_in_the_dark_s"] is not None, figures
    assert figures["new_resynced_after_s"] is not None, figures
    assert figures["new_heard_reply_live"], figures


def test_an_agents_reply_on_an_api_channel_stored_in_the_dark_is_acked_at_once(
    dark_world: Stack,
) -> None:
    """The reply's delivery is queued after commit (``inboxes.outbound``) to a broker that is
    gone; the beat's ``outbound_sweep`` recovers it (tests/faults/test_pending_recovery.py)."""
    world = dark_world
    base = world.bases[0]
    app = ShopApp()
    try:
        token = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", SETUP.format(url=app.url)],
            cwd=ROOT, env=world.env(), check=True, capture_output=True, text=True,
        ).stdout.strip().splitlines()[-1]  # fmt: skip
        status, created = post_json(
            base + "/api/v1/channel/messages",
            {"message_id": "app-d1", "contact": {"id": "user-d1"}, "body": "Where is it?"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert status == 201, created
        conversation = int(created["message"]["conversation"])

        async def run() -> dict[str, Any]:
            cookie = await asyncio.to_thread(
                agent_cookie, base, world.env(), "dark-api-agent", supervisor=True
            )
            agent = Agent([base], cookie, "dark-api", conversation)
            agent.start()
            await asyncio.wait_for(agent.connected.wait(), 90)
            while not agent.stats.resumed_at:  # its resume joined the conversation's group
                await asyncio.sleep(0.05)
            world.redis.kill()
            client_id = await agent.say("Your parcel left today MARK-API")
            sent = agent.stats.sent_at[client_id]
            stored = None
            deadline = time.monotonic() + DARK_SECONDS
            while time.monotonic() < deadline and client_id not in agent.stats.acked_at:
                if stored is None and await asyncio.to_thread(_stored_at, world, "MARK-API"):
                    stored = time.monotonic()
                await asyncio.sleep(0.1)
            if stored is None and await asyncio.to_thread(_stored_at, world, "MARK-API"):
                stored = time.monotonic()
            world.redis.start()
            acked = agent.stats.acked_at.get(client_id)
            settled = await agent.settled(bound(10))
            await agent.stop()
            return {
                "api_reply_stored_s": round(stored - sent, 2) if stored else None,
                "api_reply_acked_s": round(acked - sent, 2) if acked else None,
                "settled_after_redis": settled,
                "errors": [e.get("code") for e in agent.stats.errors],
            }

        figures = asyncio.run(run())
    finally:
        app.close()
    report("redis kill -9: an API channel reply's ack in the dark", **figures)
    assert figures["api_reply_stored_s"] is not None, figures
    assert figures["api_reply_acked_s"] is not None, figures
    assert figures["api_reply_acked_s"] - figures["api_reply_stored_s"] <= 2, figures
    assert figures["settled_after_redis"], figures


BURST = 8


def test_a_burst_of_replies_in_the_dark_is_acked_without_waiting_on_the_broker(
    dark_world: Stack,
) -> None:
    """Each agent reply on an API channel queues its delivery after commit, on the server's
    database thread that ran the send. With the broker gone, Celery's default publish retry
    slept 0.2 s three times per enqueue, so a burst of replies queued up behind ~0.6 s each
    (the last acked 6.34 s after the first send). With one immediate retry
    (helpdesk/conf/celery.py) the enqueue fails in milliseconds and the outbound sweep finds
    the delivery later."""
    world = dark_world
    base = world.bases[0]
    app = ShopApp()
    try:
        token = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", SETUP.format(url=app.url)],
            cwd=ROOT, env=world.env(), check=True, capture_output=True, text=True,
        ).stdout.strip().splitlines()[-1]  # fmt: skip
        status, created = post_json(
            base + "/api/v1/channel/messages",
            {"message_id": "app-b1", "contact": {"id": "user-b1"}, "body": "Where is it?"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert status == 201, created
        conversation = int(created["message"]["conversation"])

        async def run() -> dict[str, Any]:
            cookie = await asyncio.to_thread(
                agent_cookie, base, world.env(), "burst-api-agent", supervisor=True
            )
            agent = Agent([base], cookie, "burst-api", conversation)
            agent.start()
            await asyncio.wait_for(agent.connected.wait(), 90)
            while not agent.stats.resumed_at:
                await asyncio.sleep(0.05)
            world.redis.kill()
            await asyncio.sleep(0.5)
            ids = [await agent.say(f"Burst reply {n} MARK-BURST") for n in range(BURST)]
            deadline = time.monotonic() + DARK_SECONDS
            while time.monotonic() < deadline and not all(i in agent.stats.acked_at for i in ids):
                await asyncio.sleep(0.05)
            first_sent = min(agent.stats.sent_at[i] for i in ids)
            acks = [agent.stats.acked_at.get(i) for i in ids]
            world.redis.start()
            settled = await agent.settled(bound(10))
            await agent.stop()
            return {
                "acked": sum(1 for a in acks if a is not None),
                "last_ack_after_first_send_s": round(max(a for a in acks if a) - first_sent, 2)
                if any(acks)
                else None,
                "settled_after_redis": settled,
            }

        figures = asyncio.run(run())
    finally:
        app.close()
    report(f"redis kill -9: {BURST} API channel replies in the dark", **figures)
    assert figures["acked"] == BURST, figures
    # Before: ~0.6 s per enqueue on the database thread: 6.34 s for the burst.
    assert figures["last_ack_after_first_send_s"] <= bound(1), figures
    assert figures["settled_after_redis"], figures
