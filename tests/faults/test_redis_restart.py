"""Redis killed (``kill -9``) and restarted mid-chat: nothing acked is lost or doubled, and
every message reaches every open socket of its conversation on both processes within 10 s of
Redis returning, without a reload, though no later message reveals the gap: the servers tell
their sockets to resync (chat/layer_health.py)."""

from __future__ import annotations

import asyncio
import time

import pytest

from .clients import Shopper, widget_session
from .stack import Stack, bound, report

pytestmark = [pytest.mark.slow]

SHOPPERS = 8
CONVERGE_SECONDS = bound(10)


def test_redis_killed_mid_chat_loses_nothing_and_every_socket_catches_up(world: Stack) -> None:
    async def run() -> dict[str, object]:
        tokens = await asyncio.gather(
            *(widget_session(world.bases[n % 2]) for n in range(SHOPPERS))
        )
        # Each shopper writes from one tab on one process and reads on a second tab on the
        # other: every message crosses processes through Redis.
        writers = [Shopper([world.bases[n % 2]], t, f"r{n}w") for n, t in enumerate(tokens)]
        readers = [Shopper([world.bases[(n + 1) % 2]], t, f"r{n}r") for n, t in enumerate(tokens)]
        for s in writers + readers:
            s.start()
        await asyncio.gather(*(asyncio.wait_for(s.connected.wait(), 90) for s in writers + readers))
        for w in writers:
            await w.say("before", wait=True, timeout=60)
        for r, w in zip(readers, writers, strict=True):
            r.conversation = w.conversation

        async def chatter(w: Shopper, stop: asyncio.Event) -> None:
            n = 0
            while not stop.is_set():
                n += 1
                await w.say(f"msg {n}")
                await asyncio.sleep(0.25)

        stop = asyncio.Event()
        talking = [asyncio.ensure_future(chatter(w, stop)) for w in writers]
        await asyncio.sleep(2)
        world.redis.kill()
        await asyncio.sleep(3)
        world.redis.start()
        back = time.monotonic()
        # Nothing after Redis returns reveals a gap: the last messages were sent in the dark.
        stop.set()
        await asyncio.gather(*talking)
        settled = await asyncio.gather(*(w.settled(60) for w in writers))
        assert all(settled), [w.outbox for w in writers if w.outbox][:2]

        # Every acked message reaches the reading tab (live or through a resync).
        caught_up_at: list[float] = []
        deadline = back + 60
        for r, w in zip(readers, writers, strict=True):
            want = {int(m["seq"]) for m in w.stats.acked.values()}
            while not want <= set(r.stats.seen) and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            missing = want - set(r.stats.seen)
            assert not missing, (r.name, sorted(missing)[:10])
            # How long after Redis returned (or after its ack, for a message stored later)
            # the reading tab held each message.
            by_seq = {int(m["seq"]): w.stats.acked_at[cid] for cid, m in w.stats.acked.items()}
            caught_up_at.append(max(r.stats.seen[s] - max(back, by_seq[s]) for s in want))
        ack_waits = [
            w.stats.acked_at[c] - w.stats.sent_at[c] for w in writers for c in w.stats.acked
        ]
        figures = {
            "ack_wait_max_s": round(max(ack_waits), 2),
            "acked": sum(len(w.stats.acked) for w in writers),
            "resyncs": sum(r.stats.resyncs for r in readers),
            "recovery_s": round(max(caught_up_at), 2),
            "redelivered": sum(r.stats.duplicates_live for r in readers),
            "first_resync_s": round(
                min((t for r in readers for t in r.stats.resync_at), default=back) - back, 2
            ),
            "last_resync_s": round(
                max((t for r in readers for t in r.stats.resync_at), default=back) - back, 2
            ),
            "writers": writers,
        }
        for s in writers + readers:
            await s.stop()
        return figures

    figures = asyncio.run(run())
    writers = figures.pop("writers")
    acked = {cid for w in writers for cid in w.stats.acked}  # type: ignore[attr-defined]
    stored = world.pg.sql(
        "select client_id, count(*) from chat_message where sender_kind = 'visitor' "
        "group by client_id"
    ).splitlines()
    counts = {line.split("|")[0]: int(line.split("|")[1]) for line in stored}
    lost = sorted(acked - set(counts))
    dupes = sum(c - 1 for c in counts.values() if c > 1)
    report("redis kill -9 and restart", lost_after_ack=len(lost), duplicates=dupes, **figures)
    assert not lost and dupes == 0
    assert figures["recovery_s"] <= CONVERGE_SECONDS  # type: ignore[operator]
    assert figures["resyncs"] >= 1  # type: ignore[operator]
