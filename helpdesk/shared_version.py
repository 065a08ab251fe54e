"""A version number in the shared cache (Redis) that tells every process its copy of some
rows is stale: the writer bumps it after a change, readers compare it with the one their copy
was made at. Used by the SLA policies and the automation rules' triggers; a cache that fails
costs only freshness (the caller's local expiry or reload still holds), never an error."""

from __future__ import annotations

import logging
import os
import threading

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.base import BaseCache
from django.core.signals import setting_changed

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_held: tuple[int, BaseCache] | None = None  # (the process it was made in, the cache)


def _cache() -> BaseCache:
    """The default cache, one instance per process.

    ``django.core.cache.cache`` is one instance per thread and async context, and each of the
    sockets' database calls runs in a fresh copy of the event loop's context
    (``helpdesk/db_threads.py``): every read there made a new cache, a new Redis client and a
    new connection to Redis (one a second per version on the message path, for the
    automation rules' check). Redis' client and the local-memory cache are thread-safe."""
    global _held
    held = _held
    if held is None or held[0] != os.getpid():  # a forked child makes its own connection
        with _lock:
            held = _held
            if held is None or held[0] != os.getpid():
                held = _held = (os.getpid(), caches.create_connection(DEFAULT_CACHE_ALIAS))
    return held[1]


def _forget(*, setting: str, **_kwargs: object) -> None:
    global _held
    if setting == "CACHES":
        _held = None


setting_changed.connect(_forget)


def read(key: str, what: str) -> int:
    """The version under ``key``; 0 before the first change, -1 when the cache is down."""
    try:
        return int(_cache().get(key, 0))
    except Exception:
        logger.warning("%s: the shared cache is unavailable", what)
        return -1


def bump(key: str, what: str) -> None:
    """Move the version under ``key`` so every process's copy becomes stale."""
    try:
        cache = _cache()
        try:
            cache.incr(key)
        except ValueError:  # not set yet
            cache.set(key, 1, None)
    except Exception:
        logger.warning("%s: the shared cache is unavailable", what)
