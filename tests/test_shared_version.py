"""helpdesk/shared_version.py on real Redis: the version reads of the sockets' database calls
share one connection instead of opening one each."""

from __future__ import annotations

import contextvars
import os
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from django.core.cache import cache
from django.test import override_settings

from helpdesk import shared_version

REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (real Redis)")


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "shared-version-test",
        }
    }
)
def test_reads_in_the_database_threads_contexts_share_one_connection() -> None:
    """Each database call of a socket runs in a fresh copy of the loop's context on one of
    the pool's threads (helpdesk/db_threads.py); ``django.core.cache.cache`` is one per
    context, so each read there used to open a Redis connection of its own."""
    server = redis.Redis.from_url(REDIS_URL)

    def opened() -> int:
        return int(server.info("stats")["total_connections_received"])

    shared_version.bump("test-key", "test")
    start = shared_version.read("test-key", "test")
    before = opened()
    with ThreadPoolExecutor(4, thread_name_prefix="helpdesk-db") as pool:
        for _ in range(20):
            context = contextvars.copy_context()
            assert pool.submit(context.run, shared_version.read, "test-key", "test").result() == (
                start
            )
        context = contextvars.copy_context()
        pool.submit(context.run, shared_version.bump, "test-key", "test").result()
    assert shared_version.read("test-key", "test") == start + 1
    assert opened() - before <= 4  # one per thread at most, not one per read (was 21)
    assert int(cache.get("test-key")) == start + 1  # the same cache the desk reads
