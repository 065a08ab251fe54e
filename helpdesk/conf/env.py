"""Reading settings from the environment: booleans, lists, and ``DATABASE_URL``."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict[str, Any]:
    """Turn ``postgresql://user:pw@host:port/name?opt=v`` into a DATABASES entry."""
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ValueError(f"DATABASE_URL scheme {parsed.scheme!r} is not supported")
    options: dict[str, Any] = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
    # Server-side binding lets psycopg prepare what a process runs again and again (from the
    # fifth run on a connection): the message path's joined load of a conversation spends
    # ~1 ms planning and ~0.1 ms running (docs/performance.md). Off behind a PgBouncer in
    # transaction mode (DB_PREPARED_STATEMENTS=0), which cannot keep prepared statements.
    if env_bool("DB_PREPARED_STATEMENTS", True):
        options.setdefault("server_side_binding", True)
        options["prepare_threshold"] = int(options.get("prepare_threshold", 5))
    # PostgreSQL's JIT compiles any statement whose estimated cost passes jit_above_cost: on a
    # million-message table the agents' list query paid 200-350 ms of compiling on every call
    # (docs/search.md). The desk's statements are short; DB_JIT=1 gives PostgreSQL's default.
    if not env_bool("DB_JIT", False):
        options["options"] = " ".join(filter(None, [options.get("options", ""), "-c jit=off"]))
    pool_max = int(os.environ.get("DB_POOL_MAX", "20"))
    if env_bool("DB_POOL", True):
        # A short wait for a pooled connection: when PostgreSQL is down no connection comes,
        # and a send must answer "unavailable" within two seconds (helpdesk/db_health.py).
        # Normal load never waits: the sockets' threads and the HTTP threads stay under
        # DB_POOL_MAX. A saturated server's pool can stay all in use longer than this: that is
        # not an outage (POOL_BUSY_WAIT below).
        options["pool"] = {
            "min_size": 1,
            "max_size": pool_max,
            "timeout": float(os.environ.get("DB_POOL_TIMEOUT", "1.5")),
        }
        options.setdefault("connect_timeout", os.environ.get("DB_CONNECT_TIMEOUT", "3"))
    return {
        # Django's backend, with a pool that tells "every connection busy" from "PostgreSQL
        # cannot be reached" (helpdesk/postgresql/pool.py).
        "ENGINE": "helpdesk.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")) or "helpdesk",
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        # Pooled connections go back to the pool at the end of each request; a persistent
        # connection under ASGI leaks one per thread (DESIGN.md, measured pitfalls).
        "CONN_MAX_AGE": 0,
        "OPTIONS": options,
        # A caller that timed out on a pool whose connections are all healthy and in use waits
        # again, up to this many seconds in all, before it is told the server is busy (not
        # that the database is down: helpdesk/postgresql/pool.py).
        "POOL_BUSY_WAIT": float(os.environ.get("DB_POOL_BUSY_WAIT", "6")),
        "TEST": {"NAME": os.environ.get("HELPDESK_TEST_DB", "test_helpdesk")},
    }
