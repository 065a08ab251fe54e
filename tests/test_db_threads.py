"""The sockets' database calls on a bounded thread pool give every connection back.

A connection kept by a worker thread between calls is what would exhaust the connection
pool and stall a server; these calls overlap, fail and run long, and afterwards every
pooled connection is idle in the pool and never more than DB_THREADS were in use at once.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest
from django.db import connection

from helpdesk.db_threads import db_call

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 4


@pytest.fixture(autouse=True)
def _threads(settings: Any) -> None:
    settings.HELPDESK = {**settings.HELPDESK, "DB_THREADS": THREADS}


def pool() -> Any:
    return connection.pool


def in_use() -> int:
    stats = pool().get_stats()
    return int(stats["pool_size"] - stats["pool_available"])


def settled_in_use(baseline: int, timeout: float = 5.0) -> int:
    """Connections out of the pool once it is quiet again, waiting up to ``timeout`` for it to
    come back to ``baseline`` (what was out before the calls: the rest of the suite may keep
    a connection on a thread of its own). A connection being handed back, or one the pool is
    opening to grow, counts as out for a moment (longer on a loaded box), so a leak is a
    connection still out after ``timeout``."""
    deadline = time.monotonic() + timeout
    while in_use() > baseline and time.monotonic() < deadline:
        time.sleep(0.05)
    return in_use()


class Boom(Exception):
    pass


def test_overlapping_failing_and_slow_calls_return_every_connection() -> None:
    assert pool() is not None, "the suite runs with Django's connection pool"
    connection.close()  # the test thread's own connection back to the pool too
    baseline = settled_in_use(0)
    peak = 0
    open_now = 0
    threads: set[str] = set()
    lock = threading.Lock()

    def work(*, n: int) -> int:
        nonlocal peak, open_now
        with lock:
            threads.add(threading.current_thread().name)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(%s)", [0.02 if n % 3 == 0 else 0])
            # Calls holding a connection right now (each call's connection goes back when
            # the call ends, so this is the number of connections serving the calls).
            with lock:
                open_now += 1
                peak = max(peak, open_now)
            try:
                if n % 5 == 0:
                    raise Boom(n)
                cursor.execute("SELECT %s", [n])
                return int(cursor.fetchone()[0])
            finally:
                with lock:
                    open_now -= 1

    async def run() -> list[Any]:
        return await asyncio.gather(
            *(db_call(work, n=n) for n in range(120)), return_exceptions=True
        )

    results = asyncio.run(run())

    assert [r for r in results if not isinstance(r, Exception)] == [n for n in range(120) if n % 5]
    assert sum(isinstance(r, Boom) for r in results) == 24
    assert 1 < len(threads) <= THREADS
    assert peak <= THREADS
    assert settled_in_use(baseline) <= baseline
    assert pool().get_stats().get("requests_waiting", 0) == 0


def test_a_call_cancelled_by_its_caller_still_returns_its_connection() -> None:
    connection.close()
    baseline = settled_in_use(0)

    def slow() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(0.3)")

    async def run() -> None:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(db_call(slow), 0.05)
        await asyncio.sleep(0.6)  # the thread finishes the call on its own

    asyncio.run(run())
    assert settled_in_use(baseline) <= baseline


def test_zero_threads_is_channels_one_thread(settings: Any) -> None:
    settings.HELPDESK = {**settings.HELPDESK, "DB_THREADS": 0}
    names: set[str] = set()

    def who() -> None:
        names.add(threading.current_thread().name)

    async def run() -> None:
        await asyncio.gather(*(db_call(who) for _ in range(20)))

    asyncio.run(run())
    assert len(names) == 1
