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

``--trace`` runs the servers under ``tracemalloc`` (slower, more memory: not for the RSS
figure) and takes a snapshot of each after the warm-up, at the end with the sockets still
open, and once every socket has closed; it prints what grew between them, by allocation site
and by the type of the live objects, so a leak names its line (per-socket state never freed,
a cache without bounds, channel-layer groups).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.faults.clients import Shopper, widget_session  # noqa: E402
from tests.faults.stack import Stack, stack  # noqa: E402

SNAPSHOTS = "SOAK_SNAPSHOTS"


def traced_server() -> None:
    """uvicorn (its arguments in ``sys.argv``) ready for ``tracemalloc``. The first SIGUSR2
    starts tracing (after the warm-up: tracing the start-up would slow it past the stack's
    start timeout on a loaded box); each later one writes a snapshot. Every SIGUSR2 also writes
    the live objects' counts by type. Files: ``$SOAK_SNAPSHOTS/<pid>-<n>.*``."""
    import gc
    import tracemalloc

    out = Path(os.environ[SNAPSHOTS])
    taken = 0

    def dump(signum: int, frame: object) -> None:
        nonlocal taken
        taken += 1
        stem = out / f"{os.getpid()}-{taken}"
        gc.collect()
        if tracemalloc.is_tracing():
            tracemalloc.take_snapshot().dump(f"{stem}.snap")
        else:
            tracemalloc.start(int(os.environ.get("SOAK_TRACE_FRAMES", "8")))
        counts = Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.get_objects())
        Path(f"{stem}.types.json").write_text(json.dumps(dict(counts.most_common(600))))
        Path(f"{stem}.done").touch()

    signal.signal(signal.SIGUSR2, dump)
    from uvicorn.main import main as uvicorn_main

    sys.argv = ["uvicorn", *sys.argv[1:]]
    uvicorn_main()


async def snapshot(world: Stack, number: int, timeout: float = 300) -> list[Path]:
    """Send every server SIGUSR2 number ``number``; the stems of the files it wrote."""
    out = Path(os.environ[SNAPSHOTS])
    stems = [out / f"{server.pid}-{number}" for server in world.servers]
    for server in world.servers:
        os.kill(server.pid, signal.SIGUSR2)
    deadline = time.monotonic() + timeout
    while not all(Path(f"{stem}.done").exists() for stem in stems):
        if time.monotonic() > deadline:
            raise TimeoutError("no snapshot from a server")
        await asyncio.sleep(0.5)
    return stems


def compare(label: str, start: Path, after: Path, top: int = 15) -> None:
    """What is alive at ``after`` of what was allocated since tracing started at ``start``, by
    allocation site; then the live objects whose count grew, by type."""
    import tracemalloc

    snap = tracemalloc.Snapshot.load(f"{after}.snap").filter_traces(
        [
            tracemalloc.Filter(False, tracemalloc.__file__),
            tracemalloc.Filter(False, "<frozen importlib._bootstrap*>"),
            tracemalloc.Filter(False, "<unknown>"),
        ]
    )
    stats = snap.statistics("traceback")
    total = sum(stat.size for stat in stats)
    print(f"\n== {label}: {total / 2**20:.2f} MiB allocated since the warm-up still alive")
    for stat in stats[:top]:
        print(f"{stat.size / 1024:9.1f} KiB {stat.count:7d} blocks")
        for line in stat.traceback.format(limit=5, most_recent_first=True):
            if line.strip():
                print("      " + line.strip())
    types_old = json.loads(Path(f"{start}.types.json").read_text())
    types_new = json.loads(Path(f"{after}.types.json").read_text())
    grown = sorted(((n - types_old.get(k, 0), k) for k, n in types_new.items()), reverse=True)
    print("   live objects grown: " + ", ".join(f"{k} {d:+d}" for d, k in grown[:top] if d > 0))


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
    failed_sessions: list[int] = []
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
        try:
            token = await widget_session(base, attempts=3)
        except (AssertionError, OSError):  # the desk too busy to open a session: counted
            failed_sessions.append(number)
            return
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
    snaps: list[list[Path]] = []
    while time.monotonic() < end:
        now = time.monotonic()
        if args.trace and not snaps and now - started >= args.warmup * 60:
            snaps.append(await snapshot(world, 1))
            print("snapshot after the warm-up", flush=True)
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
    for pending in list(background):  # churn still under way (a slow session, a leave's wait)
        pending.cancel()
    await asyncio.gather(*background, return_exceptions=True)
    if args.trace:
        snaps.append(await snapshot(world, 2))
    for shopper in list(open_):
        await shopper.stop()
    if args.trace:
        await asyncio.sleep(15)  # the servers notice every close
        snaps.append(await snapshot(world, 3))
        for index in range(len(world.servers)):
            compare(
                f"server{index}, warm-up -> end (sockets open)", snaps[0][index], snaps[1][index]
            )
            compare(f"server{index}, warm-up -> all closed", snaps[0][index], snaps[2][index])
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
        f"rate {args.rate}/s: shoppers={made} failed_sessions={len(failed_sessions)} sent={sent} offered={offered} acked={len(acked)} "
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
    parser.add_argument("--trace", action="store_true", help="tracemalloc snapshots (slower)")
    args = parser.parse_args()
    command = None
    if args.trace:
        os.environ[SNAPSHOTS] = tempfile.mkdtemp(prefix="soak-snapshots-")
        command = [sys.executable, "-c", "from bench.soak import traced_server; traced_server()"]
        print(f"snapshots in {os.environ[SNAPSHOTS]}", flush=True)
    with stack(worker=False, server_command=command) as world:
        asyncio.run(soak(world, args))


if __name__ == "__main__":
    main()
