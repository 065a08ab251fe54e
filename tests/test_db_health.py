"""A database outage is answered at once (helpdesk/db_health.py): ``unavailable`` on the
sockets' calls without queueing behind the pool's timeout, a JSON 503 over REST, and
recovery on the first call that reaches the database again."""

from __future__ import annotations

import asyncio
import json
import os
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

import psycopg
import pytest
from django.core import signing
from django.db import IntegrityError, OperationalError
from psycopg_pool import ConnectionPool, PoolTimeout

from chat.services.visitors import VISITOR_TOKEN_SALT
from helpdesk import db_health
from helpdesk.db_threads import db_call
from tests.procs import asgi_process, free_port


def _refused_connection() -> psycopg.OperationalError:
    """A real connection failure: nothing listens on the port."""
    try:
        psycopg.connect(f"host=127.0.0.1 port={free_port()} dbname=x connect_timeout=2")
    except psycopg.OperationalError as exc:
        return exc
    raise AssertionError("connected to nothing")


def test_outages_are_told_apart_from_failed_statements() -> None:
    refused = _refused_connection()
    assert db_health.is_outage(refused)
    wrapped = OperationalError("wrapped")
    wrapped.__cause__ = refused
    assert db_health.is_outage(wrapped)
    pool = ConnectionPool(
        f"host=127.0.0.1 port={free_port()} dbname=x connect_timeout=1",
        min_size=0,
        max_size=1,
        open=True,
    )
    try:
        with pytest.raises(PoolTimeout) as timeout:
            pool.getconn(timeout=0.3)
        assert db_health.is_outage(timeout.value)
    finally:
        pool.close()
    assert not db_health.is_outage(psycopg.errors.DeadlockDetected())
    assert not db_health.is_outage(IntegrityError("duplicate key"))


# The database is allowed: with DB_THREADS=0 the call runs on asgiref's one shared sync thread,
# where Channels' close_old_connections checks a connection an earlier test of this process may
# have left there (the blocker refused that check; nothing here reaches the database).
@pytest.mark.django_db
@pytest.mark.parametrize("threads", [0, 4])
def test_after_an_outage_calls_are_refused_at_once_then_one_probe_heals(
    settings: Any, circuit: Any, threads: int
) -> None:
    settings.HELPDESK = {**settings.HELPDESK, "DB_THREADS": threads}
    refused = _refused_connection()
    reached: list[int] = []
    down = True

    def call(*, n: int) -> int:
        reached.append(n)
        if down:
            time.sleep(0.3)  # what a wait for the pool costs, at least
            raise OperationalError("no connection") from refused
        return n

    async def burst(count: int) -> tuple[list[Any], float]:
        started = time.monotonic()
        results = await asyncio.gather(
            *(db_call(call, n=n) for n in range(count)), return_exceptions=True
        )
        return results, time.monotonic() - started

    with pytest.raises(db_health.Unavailable):
        asyncio.run(db_call(call, n=-1))
    # 50 calls while it is down: none waits, none reaches the database.
    results, took = asyncio.run(burst(50))
    assert all(isinstance(r, db_health.Unavailable) for r in results)
    # (A call that waited would take at least the pool's 0.3 s; the bound leaves room for 50
    # thread hops on a box running two test workers at once.)
    assert reached == [-1] and took < 1.0, took
    # Later, one call probes (still down: refused, the others too) …
    time.sleep(db_health.RETRY_SECONDS + 0.05)
    results, _ = asyncio.run(burst(10))
    assert all(isinstance(r, db_health.Unavailable) for r in results)
    assert len(reached) == 2
    # … and once the database answers, the probe closes the circuit for everyone.
    down = False
    time.sleep(db_health.RETRY_SECONDS + 0.05)
    assert asyncio.run(db_call(call, n=7)) == 7
    results, _ = asyncio.run(burst(10))
    assert results == list(range(10))


def test_a_failed_statement_does_not_open_the_circuit(circuit: Any) -> None:
    def conflict() -> None:
        raise IntegrityError("duplicate key")

    with pytest.raises(IntegrityError):
        asyncio.run(db_call(conflict))
    assert circuit.failed_at is None


def test_server_without_its_database_answers_json_503_fast(tmp_path: Any) -> None:
    """A whole server whose PostgreSQL is gone: REST answers the contract's JSON 503 within
    the pool's short wait, and the shopper's socket is told ``unavailable`` and asked to come
    back later (1013), its token kept, not refused as a bad token (4401)."""
    from websockets.sync.client import connect

    env = dict(os.environ)
    env["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:{free_port()}/gone"
    env["DJANGO_SETTINGS_MODULE"] = "helpdesk.settings"
    with asgi_process(env, log_path=tmp_path / "server.log") as (base, _pid):
        for _ in range(3):
            started = time.monotonic()
            request = urllib.request.Request(
                base + "/api/widget/session",
                data=b"{}",
                headers={"Content-Type": "application/json"},
                method="POST",
            )
            with pytest.raises(urllib.error.HTTPError) as answer:
                urllib.request.urlopen(request, timeout=10)
            took = time.monotonic() - started
            assert answer.value.code == 503
            assert answer.value.headers["Content-Type"].startswith("application/json")
            assert json.loads(answer.value.read())["code"] == "unavailable"
            assert took < 4, took  # the pool waits 1.5 s; margin for a loaded box
        with connect(
            base.replace("http", "ws") + "/ws/visitor/",
            additional_headers={"Origin": base},
            open_timeout=10,
        ) as socket:
            token = signing.dumps({"v": str(uuid.uuid4())}, salt=VISITOR_TOKEN_SALT, compress=True)
            socket.send(json.dumps({"type": "auth", "token": token}))
            frame = json.loads(socket.recv(timeout=10))
            assert frame["type"] == "error" and frame["code"] == "unavailable"
            with pytest.raises(Exception):
                socket.recv(timeout=10)
            assert socket.close_code == 1013
        # A workspace socket: Channels looks its session up before any consumer runs
        # (helpdesk/socket_auth.py); without the guard that was an HTTP 500 and a traceback.
        for _ in range(2):
            started = time.monotonic()
            with connect(
                base.replace("http", "ws") + "/ws/agent/",
                additional_headers={"Origin": base, "Cookie": "sessionid=" + "a" * 32},
                open_timeout=10,
            ) as socket:
                frame = json.loads(socket.recv(timeout=10))
                assert frame["type"] == "error" and frame["code"] == "unavailable"
                with pytest.raises(Exception):
                    socket.recv(timeout=10)
                assert socket.close_code == 1013
            assert time.monotonic() - started < 4
    log = (tmp_path / "server.log").read_text()
    assert "Traceback" not in log, log[-3000:]
