"""A Celery worker's publishes (no server loop in the process): ``async_to_sync`` per publish
(a new thread, event loop and Redis connection each time) against the process's one publish
loop (``chat.events.publishing.worker_loop``). Each round runs both in fresh processes,
alternating, and prints the process CPU and wall time per publish (two groups each, as a
worker's ``conversation.updated`` goes to the agents' list and the conversation).

    . scripts/testenv.sh; REDIS_URL=redis://127.0.0.1:6379/5 python bench/worker_publish.py
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(mode: str, publishes: int) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    import django

    django.setup()
    from chat.events import publishing

    if mode == "async_to_sync":
        publishing.worker_loop.serves = staticmethod(lambda layer: False)  # type: ignore[method-assign]
    frame = {"type": "bench.frame", "n": 1}
    for _ in range(20):  # warm: imports, the first connection
        publishing._send_now(["bench-worker-pub"], frame, None)
    cpu, wall = time.process_time(), time.monotonic()
    for _ in range(publishes):
        publishing._send_now(["bench-worker-pub-a", "bench-worker-pub-b"], frame, None)
    cpu_ms = (time.process_time() - cpu) / publishes * 1000
    wall_ms = (time.monotonic() - wall) / publishes * 1000
    print(f"{mode:14} CPU {cpu_ms:.3f} ms  wall {wall_ms:.3f} ms per publish", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--publishes", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", choices=["async_to_sync", "worker_loop"])
    args = parser.parse_args()
    if args.child:
        child(args.child, args.publishes)
        return
    if "redis" not in os.environ.get("REDIS_URL", ""):
        sys.exit("REDIS_URL must name a Redis (the pub/sub layer is what is measured)")
    for _ in range(args.rounds):
        for mode in ("async_to_sync", "worker_loop"):
            subprocess.run(
                [sys.executable, __file__, "--child", mode, "--publishes", str(args.publishes)],
                check=True,
                cwd=ROOT,
            )


if __name__ == "__main__":
    main()
