"""The server's own floor for a widget open: uvicorn (production flags) serving a bare ASGI app
that answers ``POST /api/widget/session`` with a token and ``/ws/visitor/``'s ``auth`` with
``ready`` — no Django, no Channels, no database. Opens ``N`` sockets with ``bench/lean.py``
and prints the server's CPU per open and RSS per idle socket, to read the desk's and the
skeleton's (``bench/load.py --app desk|skeleton --idle N``) against, in the same window.

    python bench/bare_open.py 2000
    python bench/bare_open.py 2000 --ws wsproto     # another of uvicorn's WebSocket implementations
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        while (await receive()).get("more_body"):
            pass
        body = json.dumps(
            {"visitor_token": secrets.token_urlsafe(24), "visitor": {"id": 1}, "conversation": None}
        ).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
    elif scope["type"] == "websocket":
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            if json.loads(message.get("text") or "{}").get("type") == "auth":
                ready = '{"type":"ready","conversation":null}'
                await send({"type": "websocket.send", "text": ready})


async def _open(base: str, count: int, pid: int, ws: str) -> None:
    import psutil

    from bench.lean import IdleStats, open_many

    proc = psutil.Process(pid)
    stats = IdleStats()
    cpu0, rss0 = sum(proc.cpu_times()[:2]), proc.memory_info().rss
    sockets, seconds = await open_many(base, count, stats, concurrency=128)
    cpu1 = sum(proc.cpu_times()[:2])
    await asyncio.sleep(3)
    rss1 = proc.memory_info().rss
    opened = max(stats.opened, 1)
    print(
        f"bare uvicorn ({ws}): {stats.opened}/{count} opened in {seconds:.1f} s"
        f" ({stats.opened / seconds:.0f}/s), failed {stats.failed} {stats.errors};"
        f" server {1000 * (cpu1 - cpu0) / opened:.2f} ms CPU per open,"
        f" {(rss1 - rss0) / 1024 / opened:.1f} KiB per socket; load {os.getloadavg()[0]:.1f}"
    )
    for visitor in sockets:
        visitor.close()


def main() -> int:
    import argparse

    from tests.procs import UVICORN_FLAGS, free_port

    parser = argparse.ArgumentParser()
    parser.add_argument("count", type=int, nargs="?", default=2000)
    parser.add_argument("--ws", default="websockets-sansio", help="uvicorn's --ws")
    args = parser.parse_args()
    count = args.count
    port = free_port()
    flags = list(UVICORN_FLAGS)
    flags[flags.index("--ws") + 1] = args.ws
    argv = [sys.executable, "-m", "uvicorn", "bench.bare_open:app", *flags]
    server = subprocess.Popen(
        [*argv, "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                request = urllib.request.Request(base + "/api/widget/session", data=b"{}")
                urllib.request.urlopen(request, timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        asyncio.run(_open(base, count, server.pid, args.ws))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
