"""The full rebuild's statements before and after the cuts of issue 14, alternating on the
same data (docs/performance.md, "Analytics rebuild: cuts"): the box is shared, so only a
same-run comparison says anything.

    SHOP_TIME_ZONE=Asia/Shanghai python bench/analytics_bench.py --db helpdesk_bench_reports --runs 5
    SHOP_TIME_ZONE=Asia/Shanghai python bench/analytics_rebuild_ab.py --db helpdesk_bench_reports --rounds 3

"before": the daily statement with every aggregate over every fact, and the heat map's
hourly statement reading the facts by a sequential scan (index scans off, as before the
partial index ``fact_heatmap_at``); "after": the current statements. Each round runs both
(order alternating) inside a transaction that is rolled back, and checks the daily rows are
the same.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

BEFORE = [
    (
        "count(*) FILTER (WHERE f.kind = 6 AND f.seconds <= 180)",
        "count(*) FILTER (WHERE f.seconds <= 180)",
    ),
    (
        "count(*) FILTER (WHERE f.kind = 6 AND f.bh_seconds <= 180)",
        "count(*) FILTER (WHERE f.bh_seconds <= 180)",
    ),
    (
        "sum(f.amount) FILTER (WHERE f.kind IN (12, 13)) AS amount,\n"
        "        max(f.value) FILTER (WHERE f.kind = 5) AS maxv",
        "sum(f.amount) AS amount, max(f.value) AS maxv",
    ),
]
SCANS = ("indexscan", "indexonlyscan", "bitmapscan")


class Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="helpdesk_bench_f")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from analytics_bench import setup

    setup(args.db, reuse=True)
    from django.db import connection, transaction

    from analytics import dialects
    from analytics.services import rollup, statements
    from analytics.shop import report_zones

    d = dialects.current()
    zone = report_zones()[0]
    after = statements.daily_insert(d, zone, "", "")
    before = after
    for new, old in BEFORE:
        assert new in before, new
        before = before.replace(new, old)
    times: dict[str, list[float]] = {"before": [], "after": []}
    rows: dict[str, str] = {}
    for n in range(args.rounds):
        for variant in ("before", "after") if n % 2 == 0 else ("after", "before"):
            try:
                with transaction.atomic(), connection.cursor() as c:
                    rollup._begin(c, d, full=True)
                    started = time.perf_counter()
                    indexes = rollup._bulk_load_begin(c, d)
                    for scan in SCANS if variant == "before" else ():
                        c.execute(f"SET LOCAL enable_{scan} = off")
                    c.execute(statements.hourly_insert(d, ""), [])
                    for scan in SCANS if variant == "before" else ():
                        c.execute(f"SET LOCAL enable_{scan} = on")
                    c.execute(before if variant == "before" else after, [])
                    c.execute(statements.histogram_insert(d, zone, ""), [])
                    c.execute(statements.question_insert(d, zone, ""), [])
                    for create, _ in indexes:
                        c.execute(create)
                    times[variant].append(time.perf_counter() - started)
                    c.execute(
                        "SELECT md5(string_agg(row(r.*)::text, ',' ORDER BY r.zone, r.day, "
                        "r.team_id, r.agent_id)) FROM (SELECT zone, day, team_id, agent_id, "
                        "conversations, fr_within_3m, fr_bh_within_3m, conv24_amount, "
                        "conv7_amount, peak_load, handled_sum, msg_visitor "
                        "FROM analytics_dailyrollup) r"
                    )
                    rows[variant] = c.fetchone()[0]
                    raise Rollback
            except Rollback:
                pass
            print(
                f"{variant:<6} {times[variant][-1]:.2f} s (load {os.getloadavg()[0]:.1f})",
                flush=True,
            )
    assert rows["before"] == rows["after"], "the daily rows differ"
    for variant, values in times.items():
        print(
            f"{variant}: median {statistics.median(values):.2f} s, mean "
            f"{statistics.mean(values):.2f} s ({', '.join(f'{v:.2f}' for v in values)})"
        )


if __name__ == "__main__":
    main()
