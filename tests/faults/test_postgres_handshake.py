"""Sockets that connect while PostgreSQL is down: an agent's (session cookie) and a shopper's
(token) handshake is answered ``error`` / ``unavailable`` and closed **1013** (try again
later, docs/protocol.md) within the pool's short wait, never an HTTP 500 or a 1011 close, and
without a traceback in the servers' logs. Once PostgreSQL is back both clients connect again
by themselves, resume, and hold every message that was acked, theirs and the other side's."""

from __future__ import annotations

import asyncio
import time

import pytest

from .clients import Agent, Shopper, agent_cookie, widget_session
from .stack import Stack, bound, report

pytestmark = [pytest.mark.slow]

DOWN_SECONDS = 6
TRY_LATER = "error:unavailable/closed:1013"


def test_handshakes_while_postgres_is_down_say_try_later_and_heal(world: Stack) -> None:
    tracebacks_before = world.tracebacks()
    cookie = agent_cookie(world.bases[1], world.env(), "outage-agent")

    async def run() -> dict[str, object]:
        token = await widget_session(world.bases[0])
        shopper = Shopper(world.bases, token, "hs-shopper")
        shopper.base_index = 0
        shopper.start()
        await asyncio.wait_for(shopper.connected.wait(), 60)
        await shopper.say("before the outage", wait=True, timeout=60)
        assert shopper.conversation is not None
        agent = Agent(world.bases, cookie, "hs-agent", shopper.conversation)
        agent.base_index = 1  # the other process
        agent.start()
        await asyncio.wait_for(agent.connected.wait(), 60)
        await agent.say("an agent's answer", wait=True, timeout=60)

        world.pg.stop()
        stopped = time.monotonic()
        # Both sockets drop (a proxy restart, a phone changing networks) and reconnect with
        # their backoff while the database is down; each writes a message into its outbox.
        for client in (shopper, agent):
            assert client.ws is not None
            await client.ws.close()
        await shopper.say("written while the desk's database is down")
        await agent.say("the agent writes too")
        await asyncio.sleep(DOWN_SECONDS - (time.monotonic() - stopped))
        world.pg.start()
        back = time.monotonic()

        settled = await asyncio.gather(shopper.settled(60), agent.settled(60))
        assert all(settled), (shopper.outbox, agent.outbox, shopper.stats.errors[-3:])
        # Each side catches up with the other's last message (live or by resume).
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            wanted = {int(m["seq"]) for c in (shopper, agent) for m in c.stats.acked.values()}
            if all(wanted <= set(c.stats.seen) for c in (shopper, agent)):
                break
            await asyncio.sleep(0.1)
        healed = time.monotonic() - back
        outcome = {
            "acked": {cid for c in (shopper, agent) for cid in c.stats.acked},
            "wanted": wanted,
            "seen": {c.name: set(c.stats.seen) for c in (shopper, agent)},
            "handshakes": {
                c.name: [(a - stopped, b - a, o) for a, b, o in c.stats.handshakes if a >= stopped]
                for c in (shopper, agent)
            },
            "ready_after_s": {
                c.name: round(min(t for t in c.stats.ready_at if t > back) - back, 2)
                for c in (shopper, agent)
            },
            "down_s": back - stopped,
            "healed_s": round(healed, 2),
        }
        await shopper.stop()
        await agent.stop()
        return outcome

    figures = asyncio.run(run())
    stored = set(world.pg.sql("select client_id from chat_message").splitlines())
    acked: set[str] = figures["acked"]  # type: ignore[assignment]
    wanted: set[int] = figures["wanted"]  # type: ignore[assignment]
    seen: dict[str, set[int]] = figures["seen"]  # type: ignore[assignment]
    handshakes: dict[str, list[tuple[float, float, str]]] = figures["handshakes"]  # type: ignore[assignment]
    down_s: float = figures["down_s"]  # type: ignore[assignment]
    # Attempts answered while PostgreSQL was down (the restart itself excluded).
    during = {
        name: [(round(took, 2), what) for start, took, what in attempts if start + took < down_s]
        for name, attempts in handshakes.items()
    }
    tracebacks = {
        name: count - tracebacks_before.get(name, 0) for name, count in world.tracebacks().items()
    }
    report(
        "handshakes while postgres is down",
        during=during,
        ready_after_s=figures["ready_after_s"],
        healed_s=figures["healed_s"],
        lost_after_ack=len(acked - stored),
        tracebacks=tracebacks,
    )
    assert not acked - stored
    for name, attempts in during.items():
        assert attempts, f"{name} made no handshake while PostgreSQL was down"
        assert all(what == TRY_LATER for _, what in attempts), (name, attempts)
        assert max(took for took, _ in attempts) <= bound(2), (name, attempts)
    assert all(wanted <= s for s in seen.values()), (wanted, seen)
    assert figures["healed_s"] <= bound(5)  # type: ignore[operator]
    assert not any(tracebacks.values()), tracebacks
