"""The workspace list's API (``GET /api/v1/conversations/``), with and without a search, before
and after a change, in one process on the search benchmark's database (bench/search_bench.py
builds it), alternating call by call so both sides see the same load.

    python bench/search_bench.py --db helpdesk_bench_search --runs 5 --only list search
    git archive <old commit> chat | tar -x -C /tmp/before
    python bench/search_list_api_ab.py --db helpdesk_bench_search --before /tmp/before

The whole request through Django and DRF (the list, the labels, the tab counts, the payloads,
the JSON), as ``status=any`` (the bench's conversations are resolved). "Before" is the other
checkout's ``chat/selectors.py`` and ``chat/search/conversations.py`` loaded beside this
one's and put in the view's place; "after" is this checkout. Says for each query whether both
sides answered the same JSON. Prints each query's median wall time, then per side p50 / p95
of the wall time and the mean CPU per request of this process (Python) and of its PostgreSQL
backend (``/proc/<pid>/stat``; the box is shared, so wall times are floors, CPU compares).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.analytics_bench import pct, setup  # noqa: E402
from bench.search_ab import load  # noqa: E402

TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def backend_cpu_ms(pids: list[int]) -> float:
    """CPU (user + system) of these PostgreSQL backends so far."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total * TICK_MS


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="helpdesk_bench_search")
    parser.add_argument("--before", required=True, help="a checkout (or archive) of chat/")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--queries", nargs="*", help="only these texts (default: the bench's)")
    args = parser.parse_args()
    os.environ.setdefault("DB_POOL_MAX", "2")
    setup(args.db, reuse=True)
    import psycopg
    from django.conf import settings
    from django.contrib.auth.models import User
    from rest_framework.test import APIClient

    import chat.apis as apis
    from bench.search_bench import QUERIES
    from chat import selectors as new_selectors

    before = Path(args.before) / "chat"
    old_search = load("chat.search.conversations_before", before / "search" / "conversations.py")
    old_selectors = load(
        "chat.selectors_before",
        before / "selectors.py",
        {"chat.search.conversations": old_search},
    )
    user = User.objects.get(username="bench-agent")
    client = APIClient()
    client.force_authenticate(user)
    db = settings.DATABASES["default"]
    side = psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"], autocommit=True
    )

    def backends() -> list[int]:
        rows = side.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
            " AND backend_type = 'client backend'",
            [db["NAME"]],
        ).fetchall()
        return [row[0] for row in rows]

    def get(module: Any, q: str) -> tuple[Any, float, float, float]:
        apis.selectors = module
        try:
            pids = backends()
            server, python, started = backend_cpu_ms(pids), time.process_time(), time.perf_counter()
            response = client.get("/api/v1/conversations/", {"status": "any", "q": q})
            wall = (time.perf_counter() - started) * 1000
            python = (time.process_time() - python) * 1000
            server = backend_cpu_ms(pids) - server
        finally:
            apis.selectors = new_selectors
        assert response.status_code == 200, response.content[:300]
        return response.json(), wall, python, server

    texts = [(label, q) for label, q in QUERIES if not args.queries or q in args.queries]
    for module in (old_selectors, new_selectors):
        for _ in range(25):  # past psycopg's prepare threshold and PostgreSQL's custom plans
            get(module, "")
    print(
        f"{len(texts)} queries x {args.runs} runs per side, alternating; "
        f"load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    samples: dict[str, dict[str, list[float]]] = {}

    def timed(kind: str, name: str, module: Any, q: str) -> float:
        _, wall, python, server = get(module, q)
        into = samples.setdefault(f"{kind} {name}", {"wall": [], "py": [], "pg": []})
        into["wall"].append(wall)
        into["py"].append(python)
        into["pg"].append(server)
        return wall

    for label, q in texts:
        old, new = get(old_selectors, q)[0], get(new_selectors, q)[0]
        same = "same" if old == new else f"DIFFER: {len(new['results'])} after"
        walls: dict[str, list[float]] = {"before": [], "after": []}
        for _ in range(args.runs):
            for name, module in (("before", old_selectors), ("after", new_selectors)):
                walls[name].append(timed("q", name, module, q))
                # The list without a search, in the same rounds: the floor under its search.
                timed("no q", name, module, "")
        print(
            f"  {label:<16} {q:<14} rows {len(old['results']):>3} ({same})   before "
            f"{statistics.median(walls['before']):7.1f}   after "
            f"{statistics.median(walls['after']):7.1f} ms",
            flush=True,
        )
    old, new = get(old_selectors, "")[0], get(new_selectors, "")[0]
    print(f"  list, no q: {'same' if old == new else 'DIFFER'} ({len(old['results'])} rows)")
    print(f"overall (load average {os.getloadavg()[0]:.1f}):")
    for name, values in samples.items():
        print(
            f"  {name:<11} wall p50 {pct(values['wall'], 0.5):7.1f} / p95 "
            f"{pct(values['wall'], 0.95):7.1f} ms   CPU per request: Python "
            f"{statistics.mean(values['py']):5.1f} ms, PostgreSQL "
            f"{statistics.mean(values['pg']):5.1f} ms"
        )


if __name__ == "__main__":
    main()
