"""An automation rule's run lost with Redis (``kill -9``) is run once Redis is back: the rule's
task was written down with the shopper's message (helpdesk/pending.py), its queueing failed
while the broker was gone, and the beat's ``helpdesk.pending_sweep`` queues it again for the
worker. The rule runs once: one run in its log, its action done once, nothing left pending.

A world of its own: a Celery worker and a beat running the sweep every 2 s (3 s grace)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.procs import ROOT

from .clients import Shopper, widget_session
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
