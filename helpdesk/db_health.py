"""A database outage answered at once: ``unavailable`` on sockets, a JSON 503 over REST.

When PostgreSQL stops, each pooled connection fails on its next statement, and every later
call waits the pool's whole timeout for a connection that cannot be made. On the sockets'
database thread those waits queue: 218 sends were held up to 6.5 s (16.4 s with PostgreSQL
down 15 s) instead of a quick refusal the client could retry. So:

- the pool waits at most ``DB_POOL_TIMEOUT`` seconds (settings, default 1.5) while
  connections are failing (``helpdesk.postgresql.pool``);
- ``guarded`` (the sockets' calls, ``helpdesk.db_threads``) turns an outage into
  ``Unavailable`` and remembers it: for ``RETRY_SECONDS`` every call is refused at once, then
  one call at a time probes, so no queue of calls waits out the pool's timeout one after
  another; the first call that reaches the database closes the circuit again;
- a pool that is only busy (every connection healthy and in use) is not an outage: the caller
  waits for a connection up to ``DB_POOL_BUSY_WAIT`` seconds (``helpdesk.postgresql.pool``),
  and if none came it alone is answered ``Busy`` (``unavailable``, "the server is busy");
  the circuit stays closed and the process's other calls go on;
- ``helpdesk.errors.outage_response`` (REST: ``api_exception_handler``,
  ``EdgeMiddleware.process_exception`` and ``handler500`` for every other view) answers a JSON
  503 with ``Retry-After`` instead of Django's HTML 500. It and ``is_outage`` (what counts as
  an outage) live in ``helpdesk.errors``, below this module, with the other typed errors.

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

from .errors import OUTAGE_DETAIL, Busy, Unavailable, is_busy, is_outage

logger = logging.getLogger(__name__)

T = TypeVar("T")

# How long every call is refused after an outage, before one call probes again.
RETRY_SECONDS = 0.5


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
                raise Unavailable(OUTAGE_DETAIL)
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
    it meets becomes ``Unavailable``, a pool that stayed busy ``Busy`` (never opens the circuit)."""
    probe = circuit.admit()
    try:
        result = fn(**kwargs)
    except Busy:
        circuit.done(probe=probe, outage=False)
        raise
    except Unavailable:
        circuit.done(probe=probe, outage=True)
        raise
    except (OperationalError, InterfaceError) as exc:
        if is_busy(exc):
            # The pool's connections all worked, all in use: nothing is down.
            circuit.done(probe=probe, outage=False)
            raise Busy() from exc
        if is_outage(exc):
            circuit.done(probe=probe, outage=True)
            raise Unavailable(OUTAGE_DETAIL) from exc
        circuit.done(probe=probe, outage=False)
        raise
    except BaseException:
        circuit.done(probe=probe, outage=False)
        raise
    circuit.done(probe=probe, outage=False)
    return result
