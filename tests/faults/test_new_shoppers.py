"""Many new shoppers opening conversations at once on two processes: no lock order on the
message path may deadlock (each shopper also writes from a second tab on the other process,
first messages and follow-ups racing, as real widgets do)."""

from __future__ import annotations

import asyncio
import time

import pytest

from .clients import Shopper, widget_session
from .stack import Stack, report

pytestmark = [pytest.mark.slow]

SHOPPERS = 50


async def _one_shopper(
    world: Stack, n: int, start: asyncio.Event, ready: list[int]
) -> tuple[Shopper, Shopper]:
    token = await widget_session(world.bases[n % 2])
    tabs = [
        Shopper([world.bases[n % 2]], token, f"s{n}a"),
        Shopper([world.bases[(n + 1) % 2]], token, f"s{n}b"),
    ]
    for tab in tabs:
        tab.start()
    await asyncio.gather(*(asyncio.wait_for(t.connected.wait(), 120) for t in tabs))
    ready.append(n)
    await start.wait()
    # Both tabs write their first message at once (neither knows a conversation yet), then
    # follow-ups naming it, racing the other tab's.
    await asyncio.gather(*(t.say("hello, I have a question") for t in tabs))
    for round_ in range(1):
        await asyncio.gather(*(t.say(f"more {round_}") for t in tabs))
        await asyncio.sleep(0.05)
    return tabs[0], tabs[1]


def test_many_new_shoppers_at_once_never_deadlock(world: Stack) -> None:
    before = world.pg.deadlocks()

    async def run() -> tuple[list[Shopper], float]:
        start = asyncio.Event()
        ready: list[int] = []
        tasks = [
            asyncio.ensure_future(_one_shopper(world, n, start, ready)) for n in range(SHOPPERS)
        ]
        # Every tab connected first, so the first messages really race.
        while len(ready) < SHOPPERS:
            failed = [t for t in tasks if t.done() and t.exception()]
            assert not failed, failed[0].exception()
            await asyncio.sleep(0.1)
        began = time.monotonic()
        start.set()
        pairs = await asyncio.gather(*tasks)
        shoppers = [s for pair in pairs for s in pair]
        settled = await asyncio.gather(*(s.settled(240) for s in shoppers))
        took = time.monotonic() - began
        for s in shoppers:
            await s.stop()
        assert all(settled), [(s.outbox, s.stats.errors[-3:]) for s in shoppers if s.outbox][:3]
        return shoppers, took

    shoppers, took = asyncio.run(run())
    time.sleep(0.5)  # the log is written by the backend that detected it
    deadlocks = world.pg.deadlocks() - before
    unavailable = sum(1 for s in shoppers for e in s.stats.errors if e.get("code") == "unavailable")
    conversations = int(world.pg.sql("select count(distinct conversation_id) from chat_message"))
    report(
        "many new shoppers",
        shoppers=SHOPPERS,
        tabs=len(shoppers),
        acked=sum(len(s.stats.acked) for s in shoppers),
        deadlocks=deadlocks,
        unavailable=unavailable,
        conversations=conversations,
        seconds=round(took, 2),
    )
    assert deadlocks == 0
    # One conversation per shopper, whatever tab wrote first.
    per_token = {}
    for s in shoppers:
        ids = {m["conversation"] for m in s.stats.acked.values()}
        per_token.setdefault(s.token, set()).update(ids)
    assert all(len(ids) == 1 for ids in per_token.values()), per_token
