"""What one idle visitor socket holds in the server, by allocation site (``tracemalloc``).

Starts the desk on uvicorn (production flags, production settings from the environment, as
``bench/load.py`` does) under ``bench.soak.traced_server``, opens a few sockets to warm it,
starts tracing, opens ``--sockets`` more as the widget does (``bench/lean.py``: session POST,
socket, ``auth``, ``ready``), lets them idle, and prints what is alive of what was allocated
since tracing started, per socket, grouped by the allocation site's innermost frames, beside
the RSS growth per socket (tracing costs memory of its own, so its per-socket total is the
Python heap's share, not RSS).

    python bench/socket_memory.py --sockets 600
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import server  # noqa: E402
from bench.lean import IdleStats, open_many  # noqa: E402
from bench.soak import SNAPSHOTS  # noqa: E402
from tests.procs import UVICORN_FLAGS, free_port, wait_http  # noqa: E402


async def _snapshot(pid: int, number: int, out: Path, timeout: float = 600) -> Path:
    stem = out / f"{pid}-{number}"
    os.kill(pid, signal.SIGUSR2)
    deadline = time.monotonic() + timeout
    while not Path(f"{stem}.done").exists():
        if time.monotonic() > deadline:
            raise TimeoutError("no snapshot from the server")
        await asyncio.sleep(0.3)
    return stem


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def report(stem: Path, sockets: int, *, top: int, frames: int) -> None:
    snap = tracemalloc.Snapshot.load(f"{stem}.snap").filter_traces(
        [
            tracemalloc.Filter(False, tracemalloc.__file__),
            tracemalloc.Filter(False, "<unknown>"),
        ]
    )
    stats = snap.statistics("traceback")
    total = sum(s.size for s in stats)
    print(f"traced Python heap alive: {total / sockets / 1024:.1f} KiB per socket")
    grouped: dict[str, list[int]] = {}
    for stat in stats:
        lines = stat.traceback.format(limit=frames, most_recent_first=True)
        key = " <- ".join(
            line.strip().replace(str(ROOT) + "/", "").replace(sys.prefix + "/", "")
            for line in lines
            if line.startswith("  File")
        )
        entry = grouped.setdefault(key, [0, 0])
        entry[0] += stat.size
        entry[1] += stat.count
    ranked = sorted(grouped.items(), key=lambda kv: -kv[1][0])
    for key, (size, count) in ranked[:top]:
        print(f"{size / sockets:8.0f} B {count / sockets:6.1f} blocks  {key}")


async def run(args: argparse.Namespace, base: str, pid: int, out: Path) -> None:
    stats = IdleStats()
    warm, _ = await open_many(base, 20, stats, concurrency=20)
    await _snapshot(pid, 1, out)  # tracing starts
    rss0 = _rss(pid)
    t0 = time.monotonic()
    sockets, seconds = await open_many(base, args.sockets, stats, concurrency=args.concurrency)
    await asyncio.sleep(3)
    rss1 = _rss(pid)
    stem = await _snapshot(pid, 2, out)
    opened = len(sockets)
    print(
        f"{opened}/{args.sockets} sockets opened in {seconds:.1f} s under tracing"
        f" (failed {stats.failed} {stats.errors}); RSS growth {(rss1 - rss0) / opened / 1024:.1f}"
        f" KiB per socket (tracing included); {time.monotonic() - t0:.0f} s",
        flush=True,
    )
    report(stem, opened, top=args.top, frames=args.frames)
    for visitor in [*warm, *sockets]:
        visitor.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--frames", type=int, default=3, help="frames per allocation site")
    parser.add_argument(
        "--trace-frames", type=int, default=6, help="frames tracemalloc keeps (more: slower)"
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
        print("DATABASE_URL and REDIS_URL must be set (production settings).", file=sys.stderr)
        return 2
    server.raise_fd_limit()
    server.isolate_namespace(os.environ)
    env = server.server_env("pubsub", 1000)
    out = Path(tempfile.mkdtemp(prefix="socket-memory-"))
    env[SNAPSHOTS] = str(out)
    env["SOAK_TRACE_FRAMES"] = str(args.trace_frames)
    server.migrate(env)
    port = free_port()
    command = [sys.executable, "-c", "from bench.soak import traced_server; traced_server()"]
    argv = [*command, "helpdesk.asgi:application", *UVICORN_FLAGS, "--port", str(port)]
    log = out / "server.log"
    with open(log, "wb") as log_file:
        import subprocess

        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_http(base + "/api/schema/", timeout=90)
            asyncio.run(run(args, base, proc.pid, out))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
