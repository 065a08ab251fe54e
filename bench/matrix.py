"""Run bench/load.py for several apps × ASGI servers back to back and print one table.

Every figure of a shared, noisy box moves with its load; comparing systems is only fair
within one run, one after the other, so this runs them in sequence with the same arguments
and prints the 1-minute load average beside each row.

    python bench/matrix.py --apps skeleton desk --servers uvicorn --rate 600 --duration 60
    python bench/matrix.py --apps desk --servers daphne uvicorn granian hypercorn \\
        --rate 100 --duration 30 --idle 10000

Arguments other than --apps / --servers / --json-dir go to bench/load.py unchanged.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.procs import PRODUCTION_SERVER, SERVERS  # noqa: E402


def row(result: dict[str, Any]) -> list[str]:
    lat, srv, idle = result["latency"], result["server"], result.get("idle") or {}
    return [
        result["app"],
        result["asgi_server"],
        f"{result['rate']:g}/s",
        f"{result['sent']}/{result['acked']}/{result['delivered']}/{result['stored']}",
        str(result["lost_after_ack"]),
        f"{result['throughput_per_s']}/s",
        f"{lat['p50_ms']}",
        f"{lat['p99_ms']}",
        f"{srv['cpu_ms_per_message']}",
        f"{srv['rss_before_mb']}→{srv['rss_peak_mb']}",
        f"{idle.get('opened', '')}",
        f"{idle.get('opened_per_s', '')}",
        f"{idle.get('kib_per_socket', '')}",
        f"{idle.get('idle_cpu_pct', '')}",
        f"{result['loadgen_cpu_mean_pct']}",
        f"{result['loadavg_1m_max']}",
    ]


HEAD = [
    "app", "server", "offered", "sent/acked/delivered/stored", "lost after ack",
    "throughput", "p50 ms", "p99 ms", "CPU ms/msg", "RSS MB", "idle sockets",
    "opened/s", "KiB/idle socket", "idle CPU %", "loadgen CPU %", "load avg",
]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--apps", nargs="+", default=["skeleton", "desk"])
    parser.add_argument("--servers", nargs="+", default=[PRODUCTION_SERVER], choices=SERVERS)
    parser.add_argument("--json-dir", type=Path, default=Path(tempfile.gettempdir()))
    args, rest = parser.parse_known_args(argv)
    results: list[dict[str, Any]] = []
    for server in args.servers:
        for app in args.apps:
            out = args.json_dir / f"bench-{app}-{server}-{os.getpid()}.json"
            print(f"== {app} on {server}: load average {os.getloadavg()}", flush=True)
            cmd = [sys.executable, str(ROOT / "bench" / "load.py"), "--app", app,
                   "--server", server, "--json", str(out), *rest]  # fmt: skip
            done = subprocess.run(cmd, cwd=ROOT, check=False)
            if done.returncode != 0 or not out.exists():
                print(f"   {app} on {server} failed (exit {done.returncode})", flush=True)
                continue
            results.append(json.loads(out.read_text()))
    print()
    print("| " + " | ".join(HEAD) + " |")
    print("|" + "---|" * len(HEAD))
    for result in results:
        print("| " + " | ".join(row(result)) + " |")
    by_app = {(r["app"], r["asgi_server"]): r for r in results}
    for server in args.servers:
        skeleton, desk = by_app.get(("skeleton", server)), by_app.get(("desk", server))
        if skeleton and desk:
            s = skeleton["server"]["cpu_ms_per_message"]
            d = desk["server"]["cpu_ms_per_message"]
            if s and d:
                print(
                    f"{server}: desk CPU per message {d} ms = {d / s:.2f} × the skeleton's {s} ms"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
