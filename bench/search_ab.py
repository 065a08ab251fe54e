"""Message search and the list's search, before and after a change, in one process on the
search benchmark's database (bench/search_bench.py builds it), alternating call by call so
both sides see the same load.

    python bench/search_bench.py --db helpdesk_bench_search --runs 5 --only list search
    git archive <old commit> chat | tar -x -C /tmp/before
    python bench/search_ab.py --db helpdesk_bench_search --before /tmp/before

"Before" is the other checkout's ``chat/search/messages.py`` and ``chat/selectors.py`` loaded
beside this one's (the old selectors bound to the old search module); "after" is this
checkout. Says for each query whether both sides found the same messages or listed the same
conversations (where the change meant to change what a query finds, they may differ). Prints each query's medians, then p50 / p95 over every call of each side.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.analytics_bench import pct, setup  # noqa: E402


def load(name: str, path: Path, swap: dict[str, ModuleType] | None = None) -> Any:
    """``path`` as the module ``name``; ``swap`` replaces modules while it imports."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    saved = {key: sys.modules[key] for key in swap or {}}
    sys.modules.update(swap or {})
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.update(saved)
    return module


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="helpdesk_bench_search")
    parser.add_argument("--before", required=True, help="a checkout (or archive) of chat/")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", nargs="*", choices=["search", "list"], default=None)
    args = parser.parse_args()
    setup(args.db, reuse=True)
    from django.contrib.auth.models import User
    from django.db import connection

    import chat.search.messages as new_messages
    from bench.search_bench import QUERIES
    from chat import selectors as new_selectors

    before = Path(args.before) / "chat"
    old_messages = load("chat.search.messages_before", before / "search" / "messages.py")
    old_selectors = load(
        "chat.selectors_before",
        before / "selectors.py",
        {"chat.search.messages": old_messages},
    )
    user = User.objects.get(username="bench-agent")
    with connection.cursor() as c:
        c.execute("SET jit = off")

    def searcher(module: Any) -> Any:
        return lambda q: [m.pk for m in module.search_messages(query=q, limit=20)]

    def lister(module: Any) -> Any:
        return lambda q: [
            c.pk for c in module.conversations_for_agent(user=user, status=None, search=q)
        ]

    kinds = {
        "search": (searcher(old_messages), searcher(new_messages)),
        "list": (lister(old_selectors), lister(new_selectors)),
    }
    samples: dict[str, list[float]] = {}
    for kind, (old, new) in kinds.items():
        if args.only and kind not in args.only:
            continue
        for label, q in QUERIES:
            rows, after = old(q), new(q)
            same = "same" if rows == after else f"DIFFER: {len(after)} after"
            times: dict[str, list[float]] = {"before": [], "after": []}
            sides = [("before", old), ("after", new)]
            if kind == "list":
                # The list without a search, in the same rounds: the floor under its search.
                sides.append(("no q", lambda _q, new=new: new("")))
            for _ in range(args.runs):
                for name, fn in sides:
                    started = time.perf_counter()
                    fn(q)
                    times.setdefault(name, []).append((time.perf_counter() - started) * 1000)
            for name, values in times.items():
                samples.setdefault(f"{kind} {name}", []).extend(values)
            print(
                f"  {kind:<6} {label:<16} {q:<14} rows {len(rows):>3} ({same})   before "
                f"{statistics.median(times['before']):7.1f}   after "
                f"{statistics.median(times['after']):7.1f}",
                flush=True,
            )
    print(f"overall (load average {os.getloadavg()[0]:.1f}):")
    for name, values in samples.items():
        print(f"  {name:<13} p50 {pct(values, 0.5):7.1f} ms   p95 {pct(values, 0.95):7.1f} ms")


if __name__ == "__main__":
    main()
