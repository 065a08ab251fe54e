"""A busy connection pool is not a database outage.

psycopg_pool raises ``PoolTimeout`` when no connection could be had within the pool's
``timeout`` (``DB_POOL_TIMEOUT``, 1.5 s). That happens for two different reasons:

- **PostgreSQL cannot be reached**: pooled connections fail and the pool cannot make new ones.
  The caller must hear ``unavailable`` within ~2 s, and the sockets' circuit
  (``helpdesk.db_health``) refuses the process's calls at once until a probe gets through.
- **Every connection is healthy and in use**: a saturated server. In the issue-12 soak (two
  servers, 2,000 shopper sockets, 50 msg/s on 2 cores) each server's pool was fully checked
  out for 1.5 s 10–30 times; each time the circuit opened and refused every call of the
  process for 0.5 s (2,494–3,431 sends answered ``unavailable`` in 7 minutes).

The pool cannot tell them apart by itself: its waiters time out the same way, and its
statistics (``get_stats()``) count connection errors but say nothing of which came last.
So every connection attempt the pool makes goes through ``TrackedConnection``, which records
per server (host, port, database) when the latest attempt succeeded or failed and which
attempts are under way. ``connections_failing`` is the verdict on a ``PoolTimeout``: the
latest attempt of the last half second failed, or one has been under way longer than
``SLOW_CONNECT`` seconds; with no attempt that recent (a busy pool at its size makes none), a
single probe connection, made and closed at once, decides (at most one at a time per
server). If a connection can be made: the connections that exist are simply all in use, and
``acquire`` waits again, up to ``busy_wait`` seconds in all (``DB_POOL_BUSY_WAIT``),
re-judging after every timeout so an outage that starts meanwhile is still answered within
about one pool timeout. If the pool stays busy the caller gets ``PoolBusy`` (a
``PoolTimeout``), which ``helpdesk.errors`` answers as "busy", never as an outage.

``helpdesk.postgresql.base`` (the database backend) puts both in front of Django's pool, so
every entry point (sockets, REST, Celery) waits out a busy pool the same way. This module
imports only psycopg and psycopg_pool.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from time import monotonic
from typing import Any, TypeVar

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool, PoolTimeout

logger = logging.getLogger(__name__)

T = TypeVar("T")

# A connection attempt under way this long means the server is not answering: on a healthy
# server, even a saturated one, a connection is made in milliseconds to a few hundred.
SLOW_CONNECT = 1.0
# How long the outcome of a connection attempt stands for the server's state; older than
# that, a timed-out caller probes again (one probe per server at a time, so at most about
# two a second however many callers time out).
RECENT = 0.5

Server = tuple[str, str, str]


@dataclass
class _Attempts:
    succeeded_at: float | None = None
    failed_at: float | None = None
    under_way: dict[int, float] = field(default_factory=dict)


_lock = threading.Lock()
_servers: dict[Server, _Attempts] = {}
_probe_locks: dict[Server, threading.Lock] = {}
_tokens = itertools.count()


def server_of(conninfo: str, kwargs: dict[str, Any]) -> Server:
    """The (host, port, database) a connection string and keyword arguments point at."""
    params: dict[str, Any] = {**conninfo_to_dict(conninfo or ""), **kwargs}
    return (
        str(params.get("host") or ""),
        str(params.get("port") or ""),
        str(params.get("dbname") or ""),
    )


class PoolBusy(PoolTimeout):
    """Every connection of the pool stayed healthy and in use for the whole wait: the server is
    saturated, not cut off from its database."""


class TrackedConnection(psycopg.Connection[Any]):
    """A psycopg connection whose every ``connect`` (the pool's way of making a connection)
    is recorded for ``connections_failing``."""

    @classmethod
    def connect(cls, conninfo: str = "", **kwargs: Any) -> Any:  # type: ignore[override]
        server = server_of(conninfo, kwargs)
        token = next(_tokens)
        with _lock:
            attempts = _servers.setdefault(server, _Attempts())
            attempts.under_way[token] = monotonic()
        try:
            connection = super().connect(conninfo, **kwargs)
        except BaseException:
            with _lock:
                attempts.under_way.pop(token, None)
                attempts.failed_at = monotonic()
            raise
        with _lock:
            attempts.under_way.pop(token, None)
            attempts.succeeded_at = monotonic()
        return connection


def track(pool: ConnectionPool[Any]) -> None:
    """Make ``pool`` record its connection attempts (before it opens, or its first connections
    go unrecorded). A pool given a connection class of its own is left alone."""
    if pool.connection_class is psycopg.Connection:
        pool.connection_class = TrackedConnection


def _recorded(server: Server) -> bool | None:
    """What the recorded attempts say of ``server``: failing (True), reachable (False), or
    nothing recent enough to tell (None)."""
    now = monotonic()
    with _lock:
        attempts = _servers.get(server)
        if attempts is None:
            return None
        if any(now - started > SLOW_CONNECT for started in attempts.under_way.values()):
            return True
        latest = max(filter(None, (attempts.failed_at, attempts.succeeded_at)), default=None)
        if latest is None or now - latest > RECENT:
            return None
        return latest == attempts.failed_at


def connections_failing(pool: ConnectionPool[Any]) -> bool:
    """Whether new connections to ``pool``'s server cannot be made now.

    The latest attempt of the last ``RECENT`` seconds decides (the pool's own, or an earlier
    probe's); one under way longer than ``SLOW_CONNECT`` seconds means failing. With nothing
    that recent (a busy pool at its size makes no attempts), one caller at a time per server
    probes: it makes a connection of its own and closes it at once. That also catches
    connections that are all checked out and idle while PostgreSQL stopped, which no attempt
    of the pool's would notice. A pool whose attempts are not recorded (``track``) is judged
    failing: no evidence, the old answer."""
    if not issubclass(pool.connection_class, TrackedConnection):
        return True
    kwargs: dict[str, Any] = pool.kwargs if isinstance(pool.kwargs, dict) else {}
    conninfo = pool.conninfo if isinstance(pool.conninfo, str) else ""
    server = server_of(conninfo, kwargs)
    verdict = _recorded(server)
    if verdict is not None:
        return verdict
    with _probe_locks.setdefault(server, threading.Lock()):
        verdict = _recorded(server)  # another caller probed while this one waited
        if verdict is not None:
            return verdict
        probe_kwargs = {**kwargs, "connect_timeout": max(round(pool.timeout), 1)}
        try:
            TrackedConnection.connect(conninfo, **probe_kwargs).close()
        except Exception as exc:
            logger.info("no new connection to the database: %s", exc)
            return True
        return False


def acquire(pool: ConnectionPool[Any], get: Callable[[], T], busy_wait: float) -> T:
    """``get()`` (which takes a connection from ``pool``), waiting again while the pool is
    busy but healthy: ``busy_wait`` seconds in all, in waits of the pool's timeout (at least
    one). A timeout while connections are failing is re-raised as it is (an outage); a pool
    still busy at the end raises ``PoolBusy``."""
    waits = max(1, round(busy_wait / pool.timeout)) if pool.timeout > 0 else 1
    started = monotonic()
    waited = 0
    while True:
        waited += 1
        try:
            return get()
        except PoolBusy:
            raise
        except PoolTimeout as exc:
            if connections_failing(pool):
                raise
            if waited >= waits:
                stats = pool.get_stats()
                busy = PoolBusy(
                    f"every connection of the pool busy for {monotonic() - started:.1f} s"
                    f" (size {stats.get('pool_size')} of {stats.get('pool_max')},"
                    f" {stats.get('requests_waiting', 0)} waiting)"
                )
                logger.warning("database pool busy: %s", busy)
                raise busy from exc
