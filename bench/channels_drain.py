"""The worker's drain of new email threads, in one process: what a Celery worker does per
event (``inboxes.queue.event_process``: the mail parsed, the contact, ``message_send``, and the
after-commit work — routing's queueing and broadcast, the greeting check — in that process).
Tasks the event queues for other workers (the bot's sentiment …) go to Redis and are purged,
so the figure is the drain's own.

    python bench/channels_drain.py [--events 200] [--warm 200] [--sql]

``--warm`` events first (200 shoppers, each known afterwards), then ``--events`` new threads
of known shoppers, timed: process CPU and wall per event, and SQL statements per event.
``--sql`` then lists the statements of one more such event. ``--profile FILE`` writes a
cProfile (process time) of the timed events. Uses ``BENCH_DB`` (re-created) and Redis db 9 of
``BENCH_REDIS``, like bench/channels_bench.py.
"""

from __future__ import annotations

import argparse
import cProfile
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--warm", type=int, default=200)
    parser.add_argument("--sql", action="store_true")
    parser.add_argument("--profile", default="")
    args = parser.parse_args()

    from bench.channels_bench import _mime, load, setup

    setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chat.models import Channel
    from helpdesk.celery import app
    from inboxes.models import InboundEvent
    from inboxes.queue import event_accept, event_process

    channel = Channel.objects.create(
        name="bench mail", kind="email", config={"address": "support@shop.test"}
    )
    numbers = iter(range(10**9))

    def accept(count: int) -> list[int]:
        """``count`` new mails (shopper n % 200, a new Message-ID each) taken at the door."""
        for _ in range(count):
            n, mail_id = next(numbers), uuid.uuid4().hex
            event_accept(
                channel=channel,
                external_id=f"<{mail_id}@example.com>",
                payload=_mime(mail_id, n).encode(),
            )
        return list(
            InboundEvent.objects.filter(status="pending")
            .order_by("pk")
            .values_list("pk", flat=True)
        )

    for pk in accept(args.warm):
        event_process(event_id=pk)
    ids = accept(args.events)
    profile = cProfile.Profile(time.process_time) if args.profile else None
    statements = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        # Counted by a wrapper, not Django's query log: that keeps the last 9,000 statements
        # only, so a long run's average came out capped.
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    cpu0, wall0 = time.process_time(), time.perf_counter()
    with connection.execute_wrapper(count):
        for pk in ids:
            if profile is not None:
                profile.enable()
            assert event_process(event_id=pk) == "done"
            if profile is not None:
                profile.disable()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    print(
        f"drain: {len(ids)} new threads of known shoppers: CPU {cpu * 1000 / len(ids):.1f} ms per "
        f"event, wall {wall * 1000 / len(ids):.1f} ms, {statements / len(ids):.1f} statements "
        f"per event; load {load()}"
    )
    if args.sql:
        (pk,) = accept(1)
        with CaptureQueriesContext(connection) as one:
            event_process(event_id=pk)
        for query in one.captured_queries:
            print("  ", query["sql"][:160])
        print(f"drain: {len(one.captured_queries)} statements for one more new thread")
    if profile is not None:
        profile.dump_stats(args.profile)
    app.control.purge()


if __name__ == "__main__":
    main()
