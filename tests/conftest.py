"""Test setup: the suite runs against the real PostgreSQL and Redis the machine runs.

``make test`` exports DATABASE_URL and REDIS_URL; running pytest without them is refused so a
green run can never silently mean SQLite and the in-memory layer. Tests marked ``embedded``
start their own subprocess with the embedded default.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings

# tests/chat/test_backpressure.py imports it from here until it moves to tests.procs.
from tests.process_caches import reset_process_caches
from tests.procs import chromium_launch, reset_server_caches, server_env

# The bot answers every shopper message; tests that are not about it run without it (also in
# the servers they start). tests/chat/bot and tests/e2e/test_bot.py switch it on (docs/bot.md).
os.environ["HELPDESK_BOT_ENABLED"] = "0"


def pytest_configure(config: Any) -> None:
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        raise pytest.UsageError(
            "The test suite runs on PostgreSQL and Redis: use `make test` "
            "(or export DATABASE_URL and REDIS_URL)."
        )
    if "redis" not in settings.CHANNEL_LAYERS["default"]["BACKEND"].lower():
        raise pytest.UsageError("REDIS_URL must be set for the test suite.")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and os.environ.get("HELPDESK_TEST_WORKER") != worker:
        # Another DJANGO_SETTINGS_MODULE than tests.settings: the workers would share Redis.
        raise pytest.UsageError(
            "pytest -n needs DJANGO_SETTINGS_MODULE=tests.settings (pyproject.toml), which "
            "gives each worker its own Redis database and channel-layer prefix."
        )


@pytest.fixture(autouse=True)
def _no_eager_leak(settings: Any) -> Iterator[None]:
    # Celery runs eagerly inside a test unless a test starts a real worker.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    yield


@pytest.fixture(autouse=True)
def _process_caches() -> Iterator[None]:
    reset_process_caches()
    yield
    reset_process_caches()


@pytest.fixture(autouse=True)
def _celery_joins_allowed() -> Iterator[None]:
    """Celery keeps "a task is running" in one process-wide flag: an eager task sets it and
    restores what it saw, so two threads running eager tasks at once (a live server's and the
    embedded beat's in an earlier test) can leave it set for good, and every later eager
    ``.delay().get()`` of that xdist worker then raises "Never call result.get() within a
    task!" (the idle-scan test failed so in a full run). Each test starts outside a task."""
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_pyfunc_call(pyfuncitem: Any) -> Iterator[None]:
    """Close the test body's database connections right where it ran.

    With Playwright's loop on the main thread, the connection a browser test's body opened
    lives in a context the fixture teardown does not see; left open, it keeps the test
    database busy when pytest drops it.
    """
    yield
    if "browser" in getattr(pyfuncitem, "fixturenames", ()):
        from django.db import connections

        for conn in connections.all(initialized_only=True):
            conn.close()


@pytest.fixture
def circuit() -> Iterator[Any]:
    """The sockets' database circuit (helpdesk.db_health), closed before and after the test."""
    from helpdesk import db_health

    db_health.circuit.failed_at = None
    db_health.circuit.probing = False
    yield db_health.circuit
    db_health.circuit.failed_at = None
    db_health.circuit.probing = False


@pytest.fixture
def redis_url() -> str:
    return os.environ["REDIS_URL"]


@pytest.fixture(scope="session")
def _session_daphne(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """The session's Daphne process on the test database and the test Redis (its base URL)."""
    from django.db import connection

    from tests.procs import daphne

    with django_db_blocker.unblock():
        db_name = connection.settings_dict["NAME"]
    env = server_env(db_name)
    with daphne(env) as base:
        yield base


@pytest.fixture
def live_daphne(_session_daphne: str) -> str:
    """A real Daphne process on the test database and the test Redis; yields its base URL.

    One process for the session, which forgets what it cached from the database before each
    test (``tests/process_caches.py``): an earlier test's flush deleted those rows and made
    the content types again under new ids. Tests that use it must also use
    ``transactional_db`` so their data is committed and visible to the server process.
    """
    reset_server_caches(_session_daphne)
    return _session_daphne


@pytest.fixture
def browser() -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright (no downloaded browser).

    Function-scoped on purpose: Playwright's sync API runs an event loop on the main thread
    while it lives, which would break later tests that call ``asyncio.run``.
    """
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on the main thread; Django's ORM in the same
    # test (setup, assertions, flush) is still synchronous code (pytest-playwright docs).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        b = chromium_launch(p)
        try:
            yield b
        finally:
            b.close()
