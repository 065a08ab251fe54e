"""A real Celery worker (subprocess, Redis broker) runs the rollup tasks on the test database."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from analytics import tasks
from analytics.models import HourlyRollup
from tests.factories import snapshot, traffic
from tests.procs import celery_worker, server_env

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker() -> Iterator[subprocess.Popen[bytes]]:
    # Tasks left in the broker by other tests' servers (a bot batch per shopper message on a
    # live Daphne) or by an interrupted run are purged before it starts.
    with celery_worker(server_env(connection.settings_dict["NAME"]), "analytics-test") as proc:
        yield proc


def test_worker_runs_tick_and_rebuild(worker: Any) -> None:
    from helpdesk.celery import app

    traffic(0)
    traffic(1)
    app.conf.task_always_eager = False
    try:
        result = tasks.rollup_tick.delay()
        outcome = result.get(timeout=90)
        assert outcome["hours"] >= 1
        assert tasks.histograms_refresh.delay().get(timeout=90) >= 1
        by_worker = snapshot()
        assert HourlyRollup.objects.exists()
        HourlyRollup.objects.all().delete()
        assert tasks.rollup_rebuild.delay(None, None).get(timeout=90)["hours"] >= 1
        assert snapshot() == by_worker
    finally:
        app.conf.task_always_eager = True
