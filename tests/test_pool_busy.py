"""A busy connection pool is not a database outage (helpdesk/postgresql/pool.py).

Real pools of two connections through the desk's database backend: one against the test
database with both connections checked out and healthy (a saturated server), one against a
throw-away cluster that is then stopped with both connections checked out (an outage), one
against a port nobody listens on. Only the outage opens the sockets' circuit and answers
``unavailable`` at once; the busy pool makes its caller wait for a connection, and one that
gets none in time is told the server is busy.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.utils import load_backend

from helpdesk import db_health
from helpdesk.errors import BUSY_DETAIL, OUTAGE_DETAIL, Busy, Unavailable, outage_response
from helpdesk.postgresql.pool import connections_failing
from tests.faults.stack import Postgres
from tests.procs import free_port

# The test database must exist (its name is in connection.settings_dict); nothing is written.
pytestmark = pytest.mark.django_db

POOL_TIMEOUT = 0.5


def backend_for(alias: str, busy_wait: float, **overrides: Any) -> Callable[[], Any]:
    """A maker of database wrappers (one per thread, as Django wants) sharing one pool of two
    connections under ``alias``, through the backend the settings name."""
    base = connection.settings_dict
    settings_dict = {
        **base,
        **overrides,
        "POOL_BUSY_WAIT": busy_wait,
        "OPTIONS": {
            **base["OPTIONS"],
            "pool": {"min_size": 1, "max_size": 2, "timeout": POOL_TIMEOUT},
        },
    }
    backend = load_backend(settings_dict["ENGINE"])
    return lambda: backend.DatabaseWrapper(settings_dict, alias)


def select_one(*, wrapper: Any) -> int:
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT 1")
            return int(cursor.fetchone()[0])
    finally:
        wrapper.close()


@contextlib.contextmanager
def holding(make: Callable[[], Any], count: int) -> Iterator[list[threading.Event]]:
    """``count`` threads that each take a connection, use it, and keep it until their event is
    set (all are set on the way out)."""
    releases = [threading.Event() for _ in range(count)]
    ready = threading.Semaphore(0)
    errors: list[BaseException] = []

    def hold(release: threading.Event) -> None:
        wrapper = make()
        try:
            with wrapper.cursor() as cursor:
                cursor.execute("SELECT 1")
            ready.release()
            release.wait(120)
        except BaseException as exc:
            errors.append(exc)
            ready.release()
        finally:
            with contextlib.suppress(Exception):
                wrapper.close()

    threads = [threading.Thread(target=hold, args=(r,), daemon=True) for r in releases]
    for thread in threads:
        thread.start()
    for _ in threads:
        assert ready.acquire(timeout=60)
    assert not errors, errors
    try:
        yield releases
    finally:
        for release in releases:
            release.set()
        for thread in threads:
            thread.join(30)


@pytest.fixture
def alias() -> Iterator[str]:
    name = f"pool-{uuid.uuid4().hex[:8]}"
    yield name
    # Django's pools, one per alias, on the backend's class.
    pools = load_backend(connection.settings_dict["ENGINE"]).DatabaseWrapper._connection_pools
    pool = pools.pop(name, None)
    if pool is not None:
        pool.close(timeout=5)


def test_a_pool_all_in_use_and_healthy_answers_busy_without_opening_the_circuit(
    circuit: Any, alias: str
) -> None:
    make = backend_for(alias, busy_wait=3 * POOL_TIMEOUT)
    with holding(make, 2):
        started = time.monotonic()
        with pytest.raises(Busy) as caught:
            db_health.guarded(select_one, {"wrapper": make()})
        took = time.monotonic() - started
        # It waited for a connection three pool timeouts (not one), then was told "busy".
        assert took >= 3 * POOL_TIMEOUT - 0.05, took
        assert circuit.failed_at is None
        # The process's other calls go on (an outage would refuse them for RETRY_SECONDS).
        assert db_health.guarded(lambda: 7, {}) == 7
    assert caught.value.code == "unavailable" and caught.value.detail == BUSY_DETAIL
    # REST sees the database error itself (api_exception_handler, EdgeMiddleware): a 503 too,
    # with the same clear detail, not the outage's.
    for exc in (caught.value, caught.value.__cause__):
        assert exc is not None
        response = outage_response(exc)
        assert response is not None and response.status_code == 503
        assert response["Retry-After"] == "1"
        assert b"The server is busy" in response.content
    # And the freed pool serves again.
    assert db_health.guarded(select_one, {"wrapper": make()}) == 1


def test_a_connection_freed_while_the_caller_waits_is_taken(circuit: Any, alias: str) -> None:
    make = backend_for(alias, busy_wait=60)
    pool = make().pool
    outcome: list[Any] = []

    def call() -> None:
        try:
            outcome.append(db_health.guarded(select_one, {"wrapper": make()}))
        except BaseException as exc:
            outcome.append(exc)

    with holding(make, 2) as releases:
        timeouts = pool.get_stats().get("requests_errors", 0)
        caller = threading.Thread(target=call, daemon=True)
        caller.start()
        # Wait until the caller's first wait for a connection timed out …
        deadline = time.monotonic() + 30
        while pool.get_stats().get("requests_errors", 0) == timeouts and not outcome:
            assert time.monotonic() < deadline, "the caller never timed out"
            time.sleep(0.05)
        # … then give one connection back: the caller, still waiting, gets it.
        releases[0].set()
        caller.join(30)
    assert outcome == [1], outcome
    assert circuit.failed_at is None


def test_a_pool_whose_postgres_stopped_is_an_outage(circuit: Any, alias: str) -> None:
    root = Path(tempfile.mkdtemp(prefix="helpdesk-pool-busy-"))
    pg = Postgres(root)
    try:
        pg.init()
        make = backend_for(
            alias,
            busy_wait=60,  # judged busy, the caller would wait a minute
            NAME="helpdesk",
            USER="postgres",
            PASSWORD="",
            HOST="127.0.0.1",
            PORT=str(pg.port),
        )
        pool = make().pool
        with holding(make, 2):
            assert not connections_failing(pool)  # all in use, all healthy: busy
            pg.stop()  # both connections die checked out and idle; new ones are refused
            started = time.monotonic()
            with pytest.raises(Unavailable) as caught:
                db_health.guarded(select_one, {"wrapper": make()})
            took = time.monotonic() - started
        assert not isinstance(caught.value, Busy)
        assert caught.value.detail == OUTAGE_DETAIL
        assert took < 10 * POOL_TIMEOUT, took  # one pool timeout and a refused probe
        assert circuit.failed_at is not None  # the process's calls are refused at once
        with pytest.raises(Unavailable):
            db_health.guarded(lambda: 7, {})
        response = outage_response(caught.value.__cause__)
        assert response is not None and response.status_code == 503
        assert b"The database is unavailable" in response.content
    finally:
        with contextlib.suppress(Exception):
            pg.stop()
        shutil.rmtree(root, ignore_errors=True)


def test_a_pool_with_nothing_listening_is_an_outage(circuit: Any, alias: str) -> None:
    make = backend_for(alias, busy_wait=60, HOST="127.0.0.1", PORT=str(free_port()))
    started = time.monotonic()
    with pytest.raises(Unavailable) as caught:
        db_health.guarded(select_one, {"wrapper": make()})
    assert not isinstance(caught.value, Busy)
    assert time.monotonic() - started < 10 * POOL_TIMEOUT
    assert circuit.failed_at is not None
