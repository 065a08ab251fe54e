"""Tasks queued after commit while Redis was gone (``kill -9``, back after 3 s) run once Redis
is back, once:

- an automation rule's run: written down with the shopper's message (helpdesk/pending.py),
  its queueing failed, the beat's ``helpdesk.pending_sweep`` queues it again; one run in the
  rule's log, its action done once, nothing left pending;
- on an API channel, an agent's reply (its ``OutboundDelivery`` is the record: the beat's
  ``inboxes.outbound_sweep``) and the conversation's resolution (``conversation.updated``
  to the shop's app, written down: the pending sweep): each reaches the app once.

A world of its own: a Celery worker and a beat running both sweeps every 2 s (3 s grace)."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.procs import ROOT

from .clients import Agent, Shopper, agent_cookie, widget_session
from .shop_app import ShopApp, app_conversation
from .stack import Stack, bound, report, stack

pytestmark = [pytest.mark.slow]

RULE = (
    "from chat.models import AutomationRule as R; R.objects.create(name='refunds', "
    "event='message_created', conditions=[{'type': 'message_contains', 'any': ['refund']}], "
    "actions=[{'type': 'priority', 'priority': 'urgent'}])"
)


@pytest.fixture(scope="module")
def pending_world() -> Iterator[Stack]:
    with stack(servers=2, worker=False) as world:
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", RULE],
            cwd=ROOT, env=world.env(), check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        world.start_worker(loglevel="INFO")
        world.start_beat("pending", "tests.faults.beat_pending_settings")
        yield world


def _one(world: Stack, statement: str) -> str:
    return world.pg.sql(statement)


async def _until(predicate: Any, timeout: float, step: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await asyncio.to_thread(predicate)
        if value:
            return value
        await asyncio.sleep(step)
    return await asyncio.to_thread(predicate)


def test_an_automation_run_lost_with_redis_runs_once_after(pending_world: Stack) -> None:
    world = pending_world

    def runs(conversation: int) -> int:
        return int(
            _one(world, f"SELECT count(*) FROM chat_automationrun WHERE conversation_id = "
                        f"{conversation}")
        )  # fmt: skip

    async def run() -> dict[str, Any]:
        shopper = Shopper([world.bases[1]], await widget_session(world.bases[1]), "pend-a")
        shopper.start()
        await asyncio.wait_for(shopper.connected.wait(), 90)
        await shopper.say("hello there", wait=True, timeout=60)
        conversation = int(next(iter(shopper.stats.acked.values()))["conversation"])
        assert runs(conversation) == 0

        world.redis.kill()
        await shopper.say("I want a refund for my order")
        await asyncio.sleep(3)
        world.redis.start()
        back = time.monotonic()
        assert await shopper.settled(bound(20)), "the message sent in the dark was never acked"

        ran = await _until(lambda: runs(conversation) >= 1, bound(10))
        ran_after_s = time.monotonic() - back
        assert ran, "the rule never ran on the message sent while Redis was down"
        await asyncio.sleep(6)  # a second sweep run or a late original would show by now
        await shopper.stop()
        return {
            "rule_ran_after_s": round(ran_after_s, 1),
            "runs": runs(conversation),
            "priority": _one(
                world, f"SELECT priority FROM chat_conversation WHERE id = {conversation}"
            ),
            "pending_left": int(_one(world, "SELECT count(*) FROM helpdesk_pendingtask")),
            "queueing_failed": sum(
                s.log().count("could not queue pending task") for s in world.servers
            ),
        }

    figures = asyncio.run(run())
    report("redis kill -9: a lost automation run", **figures)
    assert figures["runs"] == 1
    assert figures["priority"] == "4", figures  # urgent
    assert figures["pending_left"] == 0
    assert world.worker is not None and world.worker.proc is not None
    assert world.worker.proc.poll() is None, world.worker.log()[-2000:]


def _delivery(world: Stack, marker: str) -> str:
    return world.pg.sql(
        "SELECT d.status || '/' || d.attempts FROM inboxes_outbounddelivery d JOIN chat_message "
        f"m ON m.id = d.message_id WHERE m.body LIKE '%{marker}%'"
    )


def _agent_post(base: str, cookie: str, path: str, body: dict[str, Any]) -> tuple[int, float]:
    """An agent's REST call (session and CSRF cookies): its status and how long it took."""
    csrf = re.search(r"csrftoken=([^;]+)", cookie)
    assert csrf, cookie
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode(),
        headers={"Cookie": cookie, "X-CSRFToken": csrf[1], "Referer": base + "/",
                 "Content-Type": "application/json"},
        method="POST",
    )  # fmt: skip
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=60) as response:
        return int(response.status), round(time.monotonic() - started, 2)


def test_an_api_channel_reply_and_status_lost_with_redis_reach_the_app_once(
    pending_world: Stack,
) -> None:
    world = pending_world
    app = ShopApp()
    try:
        conversation = app_conversation(world, app, message_id="app-p1", user="user-p1")
        cookie = agent_cookie(world.bases[0], world.env(), "pending-agent", supervisor=True)

        def updates() -> list[str]:
            return [b for _e, b in app.posts if "conversation.updated" in b and '"resolved"' in b]

        async def run() -> dict[str, Any]:
            agent = Agent(world.bases, cookie, "pend-agent", conversation)
            agent.start()
            await asyncio.wait_for(agent.connected.wait(), 90)
            world.redis.kill()
            dark = time.monotonic()
            await agent.say("Your parcel left today MARK-DARK")
            # Redis stays down until the reply is stored (its delivery's task then cannot be
            # queued): an agent's send waits on Redis for a while (docs/performance.md).
            stored = await _until(lambda: _delivery(world, "MARK-DARK"), bound(30))
            stored_s = round(time.monotonic() - dark, 1)
            assert stored, "the agent's reply was not stored while Redis was down"
            resolved = await asyncio.to_thread(
                _agent_post, world.bases[1], cookie, f"/api/v1/conversations/{conversation}/status",
                {"status": "resolved"},
            )  # fmt: skip
            world.redis.start()
            back = time.monotonic()
            reached = await _until(lambda: app.with_marker("MARK-DARK") and updates(), bound(15))
            after_s = time.monotonic() - back
            await asyncio.sleep(6)  # a second sweep run or a late original would show by now
            await agent.stop()
            return {
                "reply_stored_in_the_dark_after_s": stored_s,
                "resolve_http_s": resolved,
                "reached_app_after_s": round(after_s, 1) if reached else None,
                "reply_posts": len(app.with_marker("MARK-DARK")),
                "status_posts": len(updates()),
                "status_event_ids": len(
                    {e for e, b in app.posts if "conversation.updated" in b and '"resolved"' in b}
                ),
                "delivery": _delivery(world, "MARK-DARK"),
                "pending_left": int(_one(world, "SELECT count(*) FROM helpdesk_pendingtask")),
                "queueing_failed": sum(
                    s.log().count("could not queue pending task") for s in world.servers
                ),
            }

        figures = asyncio.run(run())
    finally:
        app.close()
    report("redis kill -9: an API channel's reply and status", **figures)
    assert figures["resolve_http_s"][0] == 200, figures
    assert figures["reached_app_after_s"] is not None, figures
    assert figures["reply_posts"] == 1 and figures["delivery"] == "sent/1", figures
    assert figures["status_posts"] == 1 and figures["status_event_ids"] == 1, figures
    assert figures["pending_left"] == 0
