"""PostgreSQL stopped for 5 s and for 15 s mid-chat: sends are answered ``unavailable``
quickly (never an ack for a message that was not stored), REST answers a JSON 503, and both
servers recover by themselves when PostgreSQL returns (helpdesk/db_health.py)."""

from __future__ import annotations

import asyncio
import time

import pytest

from .clients import Shopper, post_json, widget_session
from .stack import Stack, bound, report

pytestmark = [pytest.mark.slow]

SHOPPERS = 6
# The issue asks for an answer within 2 s (the pool waits 1.5 s, then the circuit refuses at
# once).
ANSWER_BOUND = bound(2)


@pytest.mark.parametrize("down_seconds", [5, 15])
def test_postgres_stopped_answers_unavailable_and_recovers(world: Stack, down_seconds: int) -> None:
    async def run() -> dict[str, object]:
        tokens = await asyncio.gather(
            *(widget_session(world.bases[n % 2]) for n in range(SHOPPERS))
        )
        shoppers = [Shopper(world.bases, t, f"pg{down_seconds}-{n}") for n, t in enumerate(tokens)]
        for s in shoppers:
            s.start()
        await asyncio.gather(*(asyncio.wait_for(s.connected.wait(), 90) for s in shoppers))
        for s in shoppers:
            await s.say("before", wait=True, timeout=60)

        world.pg.stop()
        stopped = time.monotonic()
        sent_down: list[str] = []
        rest: list[tuple[int, str, float]] = []
        while time.monotonic() - stopped < down_seconds:
            for s in shoppers:
                sent_down.append((await s.say("while down")) + "@" + s.name)
            started = time.monotonic()
            status, body = await asyncio.to_thread(
                post_json, world.bases[0] + "/api/widget/session", {}
            )
            rest.append((status, str(body.get("code")), time.monotonic() - started))
            await asyncio.sleep(1)
        world.pg.start()
        back = time.monotonic()
        settled = await asyncio.gather(*(s.settled(90) for s in shoppers))
        assert all(settled), [s.outbox for s in shoppers if s.outbox][:2]
        recovered = min(
            (s.stats.acked_at[c] for s in shoppers for c in s.stats.acked_at
             if s.stats.acked_at[c] > back),
            default=back,
        ) - back  # fmt: skip
        by_name = {s.name: s for s in shoppers}
        answers = []
        for item in sent_down:
            client_id, name = item.split("@")
            stats = by_name[name].stats
            if stats.sent_at[client_id] < back:
                answers.append(stats.answered_at[client_id] - stats.sent_at[client_id])
        acked = {c for s in shoppers for c in s.stats.acked}
        for s in shoppers:
            await s.stop()
        return {
            "acked": acked,
            "answer_max_s": round(max(answers), 2),
            "unavailable": sum(
                1 for s in shoppers for e in s.stats.errors if e.get("code") == "unavailable"
            ),
            "rest": rest,
            "recovered_s": round(recovered, 2),
        }

    figures = asyncio.run(run())
    acked = figures.pop("acked")
    rest = figures.pop("rest")
    stored = set(world.pg.sql("select client_id from chat_message").splitlines())
    lost = acked - stored  # type: ignore[operator]
    report(
        f"postgres down {down_seconds}s",
        lost_after_ack=len(lost),
        rest_statuses=sorted({(s, c) for s, c, _ in rest}),  # type: ignore[attr-defined]
        rest_max_s=round(max(t for _, _, t in rest), 2),  # type: ignore[attr-defined]
        **figures,
    )
    assert not lost
    assert figures["answer_max_s"] <= ANSWER_BOUND  # type: ignore[operator]
    assert all(s in (200, 503) for s, _, _ in rest)  # type: ignore[attr-defined]
    assert all(c == "unavailable" for s, c, _ in rest if s == 503)  # type: ignore[attr-defined]
    assert any(s == 503 for s, _, _ in rest)  # type: ignore[attr-defined]
