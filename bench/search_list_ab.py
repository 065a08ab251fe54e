"""The workspace list's search, before and after a change, in one process on the search
benchmark's database (bench/search_bench.py builds it), alternating call by call so both
sides see the same load.

    python bench/search_bench.py --db helpdesk_bench_search --runs 5 --only list search
    python bench/search_list_ab.py --db helpdesk_bench_search --before /path/to/old/checkout

"Before" is the other checkout's ``chat/selectors.py`` loaded beside this one's, with the
message match's word test (``chat.search.messages.prefilter_words``) turned off while it
runs; "after" is this checkout. Every query must list the same rows on both sides. Prints
each query's medians, then p50 / p95 over every call of each side.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.analytics_bench import pct, setup  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="helpdesk_bench_search")
    parser.add_argument("--before", required=True, help="a checkout with the old selectors")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    setup(args.db, reuse=True)
    from django.contrib.auth.models import User
    from django.db import connection

    from bench.search_bench import QUERIES
    from chat import selectors as new
    from chat.search import messages

    spec = importlib.util.spec_from_file_location(
        "chat.selectors_before", Path(args.before) / "chat" / "selectors.py"
    )
    assert spec is not None and spec.loader is not None
    old: Any = importlib.util.module_from_spec(spec)
    sys.modules["chat.selectors_before"] = old
    spec.loader.exec_module(old)
    user = User.objects.get(username="bench-agent")
    with connection.cursor() as c:
        c.execute("SET jit = off")
    words = messages.prefilter_words

    def before(q: str) -> int:
        messages.prefilter_words = lambda _q: []  # type: ignore[assignment]
        try:
            return len(list(old.conversations_for_agent(user=user, status=None, search=q)))
        finally:
            messages.prefilter_words = words  # type: ignore[assignment]

    def after(q: str) -> int:
        return len(list(new.conversations_for_agent(user=user, status=None, search=q)))

    samples: dict[str, list[float]] = {"before": [], "after": []}
    for label, q in QUERIES:
        rows = before(q)
        assert rows == after(q), f"{q}: the two sides list different rows"
        times: dict[str, list[float]] = {"before": [], "after": []}
        for _ in range(args.runs):
            for name, fn in (("before", before), ("after", after)):
                started = time.perf_counter()
                fn(q)
                times[name].append((time.perf_counter() - started) * 1000)
        for name, values in times.items():
            samples[name] += values
        print(
            f"  {label:<16} {q:<14} rows {rows:>3}   before "
            f"{statistics.median(times['before']):7.1f}   after "
            f"{statistics.median(times['after']):7.1f}",
            flush=True,
        )
    print(f"overall (load average {os.getloadavg()[0]:.1f}):")
    for name, values in samples.items():
        print(f"  list {name:<7} p50 {pct(values, 0.5):7.1f} ms   p95 {pct(values, 0.95):7.1f} ms")


if __name__ == "__main__":
    main()
