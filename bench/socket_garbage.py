"""What cyclic garbage opening and closing visitor sockets leaves in the server.

Starts the desk on uvicorn (production flags) with ``bench/gcprobe`` on its ``PYTHONPATH``,
opens and closes a few sockets to warm it, then has it keep what the collector frees
(``gc.DEBUG_SAVEALL``) while ``--sockets`` more are opened as the widget does and closed,
and prints the server's dump: objects of cyclic garbage per socket by type, and one
reference cycle through each of the commonest types. A socket that refcounting frees whole
leaves nothing here.

    python bench/socket_garbage.py --sockets 200
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import server  # noqa: E402
from bench.lean import IdleStats, open_many  # noqa: E402
from tests.procs import asgi_process  # noqa: E402


async def _signal_and_wait(pid: int, path: Path, timeout: float = 120) -> None:
    os.kill(pid, signal.SIGUSR1)
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {path.name} from the server")
        await asyncio.sleep(0.2)


async def run(args: argparse.Namespace, base: str, pid: int, out: Path) -> None:
    stats = IdleStats()
    for _ in range(2):
        warm, _ = await open_many(base, 30, stats, concurrency=10)
        await asyncio.sleep(1)
        for visitor in warm:
            visitor.close()
        await asyncio.sleep(2)
    await _signal_and_wait(pid, out / f"armed-{pid}")
    sockets, seconds = await open_many(base, args.sockets, stats, concurrency=args.concurrency)
    await asyncio.sleep(args.idle)
    for visitor in sockets:
        visitor.close()
    await asyncio.sleep(args.settle)
    dump = out / f"garbage-{pid}.txt"
    await _signal_and_wait(pid, dump)
    text = dump.read_text()
    first, _, rest = text.partition("\n")
    total = int(first.split()[0])
    opened = len(sockets)
    print(
        f"{opened}/{args.sockets} sockets opened in {seconds:.1f} s and closed"
        f" (failed {stats.failed} {stats.errors}): {total} objects of cyclic garbage,"
        f" {total / max(opened, 1):.1f} per socket"
    )
    lines = rest.splitlines()
    for line in lines:
        parts = line.split()
        if len(parts) == 2 and parts[0].isdigit():
            print(f"{int(parts[0]) / max(opened, 1):8.2f}  {parts[1]}")
        else:
            print(line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--idle", type=float, default=2, help="seconds open before closing")
    parser.add_argument("--settle", type=float, default=3, help="seconds after closing")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
        print("DATABASE_URL and REDIS_URL must be set (production settings).", file=sys.stderr)
        return 2
    server.raise_fd_limit()
    server.isolate_namespace(os.environ)
    env = server.server_env("pubsub", 1000)
    out = Path(tempfile.mkdtemp(prefix="socket-garbage-"))
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT / "bench" / "gcprobe"), env.get("PYTHONPATH")) if p
    )
    env["GCPROBE_DUMP"] = str(out)
    server.migrate(env)
    with asgi_process(env, log_path=out / "server.log") as (base, pid):
        asyncio.run(run(args, base, pid, out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
