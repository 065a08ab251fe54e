"""The sockets' database calls on a small, bounded pool of threads.

Channels runs every ``database_sync_to_async`` call of a process on one thread, so a message
waits for the previous one's round trips to PostgreSQL even when the process's CPU is half
idle: one process topped out near 180 msg/s that way (docs/performance.md). Each call a
consumer makes is a whole unit of work (a service with its own transaction, or a read), so
it may run on any thread; what must hold is what the one thread guaranteed by accident:

- **Connections always go back to the pool.** A Django connection belongs to the thread that
  opened it. Every call here closes its thread's connections when it ends, whatever it
  raised, so with the pool (``CONN_MAX_AGE = 0``) a thread never keeps a connection between
  calls, and at most ``DB_THREADS`` connections serve the sockets at once (well under
  ``DB_POOL_MAX``, which HTTP requests share). A leak here is what would exhaust the pool and
  stall the server; ``tests/test_db_threads.py`` runs calls that fail, time out and overlap and
  checks every connection came back.
- **One transaction per message, the seq gap-free**: unchanged, since a service still runs
  whole on one thread; concurrent writers of one conversation serialise on its row lock as
  they do across processes.
- **Order per socket**: a consumer awaits each call before the next, so one socket's calls
  never overlap; calls of different sockets do, which is the point.

``DB_THREADS = 0`` falls back to Channels' one thread. Either way a call meets a database
outage through ``helpdesk.db_health.guarded``: refused at once as ``unavailable`` while
PostgreSQL is known to be down, never queued behind the pool's timeout. A pool that is only
busy (every connection healthy and in use) is not an outage: the call waits for a connection
(``helpdesk.postgresql.pool``, up to ``DB_POOL_BUSY_WAIT``) and the circuit stays closed.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import close_old_connections, connections

from .db_health import guarded

T = TypeVar("T")

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_size = 0


def _pool() -> ThreadPoolExecutor:
    global _executor, _size
    size = int(settings.HELPDESK.get("DB_THREADS", 0))
    with _lock:
        if _executor is None or size != _size:
            _executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="helpdesk-db")
            _size = size
        return _executor


def _run_closing(fn: Callable[..., T], kwargs: dict[str, Any]) -> T:
    close_old_connections()
    try:
        return guarded(fn, kwargs)
    finally:
        # Back to the pool, whatever happened: the thread takes the next socket's call.
        for connection in connections.all(initialized_only=True):
            connection.close()


def _run(fn: Callable[..., T], /, **kwargs: Any) -> T:
    return guarded(fn, kwargs)


_one_thread = database_sync_to_async(_run)


async def db_call(fn: Callable[..., T], /, **kwargs: Any) -> T:
    """Run ``fn(**kwargs)`` (sync, database work) off the event loop and return its result."""
    if not int(settings.HELPDESK.get("DB_THREADS", 0)):
        return await _one_thread(fn, **kwargs)  # type: ignore[no-any-return]
    loop = asyncio.get_running_loop()
    context = contextvars.copy_context()
    call = functools.partial(context.run, _run_closing, fn, kwargs)
    return await loop.run_in_executor(_pool(), call)
