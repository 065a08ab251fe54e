"""Soak: many visitor sockets connecting and leaving for a long time at a steady message rate,
watching what grows. A benchmark, not a test (docs/performance.md has the figures).

It starts the fault suite's own world (tests/faults/stack.py: a throw-away PostgreSQL cluster,
a redis-server, two uvicorn servers in production settings), then for ``--minutes`` keeps
``--sockets`` shopper sockets open across both servers, replacing ``--churn`` of them a second
(each new one a new shopper: a widget session, a socket, a first message), and sends
``--rate`` messages a second from the open ones. Every ``--sample`` seconds it records the
servers' RSS, Redis ``connected_clients`` and PostgreSQL's connections; at the end it checks
every acked message is stored (lost) and prints RSS growth after the warm-up.

    python bench/soak.py --minutes 30 --sockets 2000 --rate 50 --churn 5
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.faults.clients import Shopper, widget_session  # noqa: E402
from tests.faults.stack import Stack, stack  # noqa: E402


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def redis_clients(world: Stack) -> int:
    import redis

    return int(redis.Redis.from_url(world.redis.url).info("clients")["connected_clients"])


def pg_connections(world: Stack) -> int:
    return int(world.pg.sql("select count(*) from pg_stat_activity where datname = 'helpdesk'"))


async def soak(world: Stack, args: argparse.Namespace) -> None:
    open_: list[Shopper] = []
    closed: list[Shopper] = []
    made_all: list[Shopper] = []  # every shopper, whatever became of it
    samples: list[tuple[float, list[float], int, int, int]] = []
    started = time.monotonic()
    end = started + args.minutes * 60
    made = 0
    background: set[asyncio.Future[None]] = set()

    async def new_shopper() -> None:
        nonlocal made
        made += 1
        number = made  # taken before the await: other shoppers are being made meanwhile
        base = world.bases[number % 2]
        token = await widget_session(base)
        shopper = Shopper([base], token, f"soak{number}")
        shopper.start()
        open_.append(shopper)
        made_all.append(shopper)

    async def leave() -> None:
        if open_:
            shopper = open_.pop(random.randrange(len(open_)))
            await shopper.settled(30)
            await shopper.stop()
            closed.append(shopper)

    print(f"opening {args.sockets} sockets …", flush=True)
    for start in range(0, args.sockets, 50):
        await asyncio.gather(*(new_shopper() for _ in range(min(50, args.sockets - start))))
    sent = 0
    next_sample = time.monotonic()
    next_churn = time.monotonic()
    tick = 1 / args.rate
    while time.monotonic() < end:
        now = time.monotonic()
        if now >= next_churn:
            next_churn += 1
            for _ in range(args.churn):
                for job in (leave(), new_shopper()):
                    task = asyncio.ensure_future(job)
                    background.add(task)
                    task.add_done_callback(background.discard)
        if now >= next_sample:
            next_sample += args.sample
            sample = (
                round(now - started),
                [round(rss_mb(p.pid), 1) for p in world.servers],
                redis_clients(world),
                pg_connections(world),
                len(open_),
            )
            samples.append(sample)
            print(
                f"t={sample[0]}s rss_mb={sample[1]} redis_clients={sample[2]} "
                f"pg_connections={sample[3]} sockets={sample[4]} sent={sent}",
                flush=True,
            )
        ready = [s for s in open_ if s.connected.is_set()]
        if ready:
            await random.choice(ready).say(f"soak {sent}")
            sent += 1
        await asyncio.sleep(tick)
    everyone = made_all
    await asyncio.gather(*(s.settled(60) for s in open_))
    await asyncio.gather(*background, return_exceptions=True)
    for shopper in list(open_):
        await shopper.stop()
    acked = {c for s in everyone for c in s.stats.acked}
    errors: dict[str, int] = {}
    for s in everyone:
        for e in s.stats.errors:
            errors[str(e.get("code"))] = errors.get(str(e.get("code")), 0) + 1
    unanswered = sum(len(s.outbox) for s in everyone)
    offered = sum(len(s.stats.sent_at) for s in everyone)
    stored = set(world.pg.sql("select client_id from chat_message").splitlines())
    warm = [s for s in samples if s[0] >= args.warmup * 60] or samples
    growth = [
        round(100 * (warm[-1][1][i] - warm[0][1][i]) / warm[0][1][i], 1)
        for i in range(len(world.servers))
    ]
    print(
        f"\nsoak: {args.minutes} min, {args.sockets} sockets, churn {args.churn}/s, "
        f"rate {args.rate}/s: shoppers={made} sent={sent} offered={offered} acked={len(acked)} "
        f"lost={len(acked - stored)} errors={errors} unanswered={unanswered} rss_growth_after_warmup_pct={growth} "
        f"redis_clients={warm[0][2]}->{warm[-1][2]} pg_connections={warm[0][3]}->{warm[-1][3]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--sockets", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--churn", type=int, default=5, help="sockets replaced per second")
    parser.add_argument("--sample", type=float, default=30, help="seconds between samples")
    parser.add_argument("--warmup", type=float, default=2, help="minutes before RSS counts")
    args = parser.parse_args()
    with stack(worker=False) as world:
        asyncio.run(soak(world, args))


if __name__ == "__main__":
    main()
