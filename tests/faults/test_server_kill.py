"""A server process killed (``kill -9``) mid-chat: its clients reconnect to the other one and
catch up (resume from their last seq) within 5 s; nothing acked is lost."""

from __future__ import annotations

import asyncio
import time

import pytest

from .clients import Shopper, widget_session
from .stack import Stack, bound, report

pytestmark = [pytest.mark.slow]

SHOPPERS = 10
CATCH_UP_SECONDS = bound(5)


def test_server_killed_clients_reconnect_elsewhere_and_catch_up(world: Stack) -> None:
    async def run() -> dict[str, object]:
        tokens = await asyncio.gather(*(widget_session(world.bases[1]) for _ in range(SHOPPERS)))
        # Everyone starts on server 0 and falls back to server 1.
        shoppers = [Shopper(world.bases, t, f"k{n}") for n, t in enumerate(tokens)]
        for s in shoppers:
            s.base_index = 0
            s.start()
        await asyncio.gather(*(asyncio.wait_for(s.connected.wait(), 90) for s in shoppers))
        for s in shoppers:
            await s.say("before", wait=True, timeout=60)
        for s in shoppers:
            await s.say("in flight")
        world.servers[0].kill()
        killed = time.monotonic()
        settled = await asyncio.gather(*(s.settled(60) for s in shoppers))
        assert all(settled), [s.outbox for s in shoppers if s.outbox][:2]
        caught_up = [min(t for t in s.stats.resumed_at if t > killed) - killed for s in shoppers]
        acked = {c for s in shoppers for c in s.stats.acked}
        for s in shoppers:
            await s.stop()
        return {"acked": acked, "caught_up_max_s": round(max(caught_up), 2)}

    try:
        figures = asyncio.run(run())
    finally:
        world.restart_server(0)
    acked = figures.pop("acked")
    stored = set(world.pg.sql("select client_id from chat_message").splitlines())
    lost = acked - stored  # type: ignore[operator]
    report("server kill -9", lost_after_ack=len(lost), **figures)
    assert not lost
    assert figures["caught_up_max_s"] <= CATCH_UP_SECONDS  # type: ignore[operator]
