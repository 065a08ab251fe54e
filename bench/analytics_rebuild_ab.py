"""The full rebuild of two versions of the code, alternating on the same data
(docs/performance.md): the box is shared, so only a same-window comparison says anything.

    SHOP_TIME_ZONE=Asia/Shanghai python bench/analytics_bench.py --db helpdesk_bench_reports --runs 5
    SHOP_TIME_ZONE=Asia/Shanghai python bench/analytics_rebuild_ab.py --db helpdesk_bench_reports \\
        --before /work/main --rounds 4

Each round runs ``rollup_rebuild()`` of the ``--before`` tree and of this tree (order
alternating), each in its own process and inside a transaction that is rolled back, and prints
its wall time and the CPU seconds of its PostgreSQL backend (``/proc/<pid>/stat``: on a loaded
box the wall time mostly measures the others' load; the rebuild runs no parallel workers, so
the backend's CPU is all of the server's work). The rows of every rebuilt table are compared
equal between the two (md5 of the rows without their ids).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TABLES = {
    "analytics_hourlyrollup": "hour, team_id, agent_id",
    "analytics_dailyrollup": "zone, day, team_id, agent_id",
    "analytics_durationhistogram": "zone, day, team_id, agent_id, kind, business_hours, bucket",
    "analytics_questiondaily": "zone, day, team_id, kb_entry_id, topic_key",
}

CHILD = r"""
import json, os, sys, time
sys.path.insert(0, os.environ["AB_ROOT"]); sys.path.insert(0, os.environ["AB_ROOT"] + "/bench")
from analytics_bench import setup
setup(os.environ["AB_DB"], reuse=True)
from django.db import connection, transaction
from analytics.services import rollup_rebuild

def cpu(pid):
    f = open(f"/proc/{pid}/stat").read().split(")")[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")

class Rollback(Exception):
    pass

tables = json.loads(os.environ["AB_TABLES"])
out = {}
try:
    with transaction.atomic(), connection.cursor() as c:
        c.execute("SELECT pg_backend_pid()")
        pid = c.fetchone()[0]
        c0, t0 = cpu(pid), time.perf_counter()
        rollup_rebuild()
        out["wall"], out["cpu"] = time.perf_counter() - t0, cpu(pid) - c0
        for table, order in tables.items():
            c.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                "AND column_name NOT IN ('id') ORDER BY column_name", [table]
            )
            cols = ", ".join(r[0] for r in c.fetchall())
            c.execute(
                f"SELECT md5(coalesce(string_agg(row({cols})::text, ',' ORDER BY {order}), '')) "
                f"FROM {table}"
            )
            out[table] = c.fetchone()[0]
        raise Rollback
except Rollback:
    pass
print("AB " + json.dumps(out))
"""


def run(root: str, db: str) -> dict:
    env = {**os.environ, "AB_ROOT": root, "AB_DB": db, "AB_TABLES": json.dumps(TABLES)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, cwd=root, capture_output=True, text=True, check=True
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("AB "))
    return json.loads(line[3:])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="helpdesk_bench_f")
    parser.add_argument("--before", required=True, help="the other tree (e.g. /work/main)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    trees = {"before": args.before, "after": str(ROOT)}
    got: dict[str, list[dict]] = {"before": [], "after": []}
    for n in range(args.rounds):
        for variant in ("before", "after") if n % 2 == 0 else ("after", "before"):
            result = run(trees[variant], args.db)
            got[variant].append(result)
            print(
                f"{variant:<6} {result['wall']:.2f} s wall, {result['cpu']:.2f} s server CPU "
                f"(load {os.getloadavg()[0]:.1f})",
                flush=True,
            )
    for table in TABLES:
        sums = {r[table] for results in got.values() for r in results}
        assert len(sums) == 1, f"{table} differs between the two trees"
    for variant, results in got.items():
        walls = [r["wall"] for r in results]
        cpus = [r["cpu"] for r in results]
        print(
            f"{variant}: wall median {statistics.median(walls):.2f} s, server CPU median "
            f"{statistics.median(cpus):.2f} s (CPU {', '.join(f'{v:.2f}' for v in cpus)})"
        )
    print("rows of every rebuilt table: equal")


if __name__ == "__main__":
    main()
