"""A version number in the shared cache (Redis) that tells every process its copy of some
rows is stale: the writer bumps it after a change, readers compare it with the one their copy
was made at. Used by the SLA policies and the automation rules' triggers; a cache that fails
costs only freshness (the caller's local expiry or reload still holds), never an error."""

from __future__ import annotations

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def read(key: str, what: str) -> int:
    """The version under ``key``; 0 before the first change, -1 when the cache is down."""
    try:
        return int(cache.get(key, 0))
    except Exception:
        logger.warning("%s: the shared cache is unavailable", what)
        return -1


def bump(key: str, what: str) -> None:
    """Move the version under ``key`` so every process's copy becomes stale."""
    try:
        try:
            cache.incr(key)
        except ValueError:  # not set yet
            cache.set(key, 1, None)
    except Exception:
        logger.warning("%s: the shared cache is unavailable", what)
