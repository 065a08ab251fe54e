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


def pytest_configure(config: Any) -> None:
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        raise pytest.UsageError(
            "The test suite runs on PostgreSQL and Redis: use `make test` "
            "(or export DATABASE_URL and REDIS_URL)."
        )
    if "redis" not in settings.CHANNEL_LAYERS["default"]["BACKEND"].lower():
        raise pytest.UsageError("REDIS_URL must be set for the test suite.")


@pytest.fixture(autouse=True)
def _no_eager_leak(settings: Any) -> Iterator[None]:
    # Celery runs eagerly inside a test unless a test starts a real worker.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    yield


@pytest.fixture(autouse=True)
def _flush_channel_layer() -> Iterator[None]:
    yield


@pytest.fixture
def redis_url() -> str:
    return os.environ["REDIS_URL"]
