"""A database outage answered at once: ``unavailable`` on sockets, a JSON 503 over REST.

When PostgreSQL stops, each pooled connection fails on its next statement, and every later
call waits the pool's whole timeout for a connection that cannot be made. On the sockets'
database thread those waits queue: 218 sends were held up to 6.5 s (16.4 s with PostgreSQL
down 15 s) instead of a quick refusal the client could retry. So:

- the pool waits at most ``DB_POOL_TIMEOUT`` seconds (settings, default 1.5);
- ``guarded`` (the sockets' calls, ``helpdesk.db_threads``) turns an outage into
  ``Unavailable`` and remembers it: for ``RETRY_SECONDS`` every call is refused at once, then
  one call at a time probes, so no queue of calls waits out the pool's timeout one after
  another; the first call that reaches the database closes the circuit again;
- ``outage_response`` (REST: ``helpdesk.errors.api_exception_handler``,
  ``EdgeMiddleware.process_exception`` and ``handler500`` for every other view) answers a JSON
  503 with ``Retry-After`` instead of Django's HTML 500.

Nothing here ever acks: a refused send stored nothing, and one whose commit raced the
outage is found again by its ``client_id`` when the client resends.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse

from .errors import HelpdeskError

logger = logging.getLogger(__name__)

T = TypeVar("T")

# How long every call is refused after an outage, before one call probes again.
RETRY_SECONDS = 0.5
# SQLSTATE classes and codes that mean "the server is not there", not "this statement failed":
# connection exceptions (08…), administrator shutdown / crash shutdown / cannot connect now.
_OUTAGE_STATES = ("57P01", "57P02", "57P03")


class Unavailable(HelpdeskError):
    code = "unavailable"


def is_outage(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it wraps) says the database cannot be reached, as opposed to a
    statement that failed (a deadlock, a constraint: those are the caller's to handle)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        name = type(current).__name__
        if name == "PoolTimeout":  # psycopg_pool: no connection could be had in time
            return True
        if isinstance(current, InterfaceError):  # "connection already closed"
            return True
        sqlstate = getattr(current, "sqlstate", None)
        module = type(current).__module__
        if module.startswith("psycopg") and name in ("OperationalError", "InterfaceError"):
            # psycopg's own (not a subclass such as DeadlockDetected): the connection failed.
            if sqlstate is None or sqlstate.startswith("08") or sqlstate in _OUTAGE_STATES:
                return True
        elif sqlstate is not None and (sqlstate.startswith("08") or sqlstate in _OUTAGE_STATES):
            return True
        current = current.__cause__ or current.__context__
    return False


class _Circuit:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.failed_at: float | None = None
        self.probing = False

    def admit(self) -> bool:
        """Let a call through (True if it is the probe) or raise ``Unavailable``."""
        with self.lock:
            if self.failed_at is None:
                return False
            if time.monotonic() - self.failed_at < RETRY_SECONDS or self.probing:
                raise Unavailable("The database is unavailable; try again shortly.")
            self.probing = True
            return True

    def done(self, *, probe: bool, outage: bool) -> None:
        with self.lock:
            if probe:
                self.probing = False
            if outage:
                if self.failed_at is None:
                    logger.warning("database unavailable: refusing calls until it answers")
                self.failed_at = time.monotonic()
            elif self.failed_at is not None:
                logger.warning("database available again")
                self.failed_at = None


circuit = _Circuit()


def guarded(fn: Callable[..., T], kwargs: dict[str, Any]) -> T:
    """``fn(**kwargs)``, refused at once while the database is known to be down; an outage
    it meets becomes ``Unavailable``."""
    probe = circuit.admit()
    try:
        result = fn(**kwargs)
    except Unavailable:
        circuit.done(probe=probe, outage=True)
        raise
    except (OperationalError, InterfaceError) as exc:
        if is_outage(exc):
            circuit.done(probe=probe, outage=True)
            raise Unavailable("The database is unavailable; try again shortly.") from exc
        circuit.done(probe=probe, outage=False)
        raise
    except BaseException:
        circuit.done(probe=probe, outage=False)
        raise
    circuit.done(probe=probe, outage=False)
    return result


def outage_response(exc: BaseException | None) -> JsonResponse | None:
    """The JSON 503 for an exception that is a database outage, else None."""
    if exc is None or not (isinstance(exc, Unavailable) or is_outage(exc)):
        return None
    response = JsonResponse(
        {"code": "unavailable", "detail": "The database is unavailable; try again shortly."},
        status=503,
    )
    response["Retry-After"] = "1"
    return response
