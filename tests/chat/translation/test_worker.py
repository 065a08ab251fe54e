"""Translation behind a real Celery worker on the Redis broker, against a local LibreTranslate
that fails: the message is stored and marked "not translated" at once, the worker retries
with its backoff, and stops after the bounded number of retries."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from chat.models import MessageTranslation
from tests.factories import make_visitor, shopper_says
from tests.procs import celery_worker, server_env
from tests.providers import LibreTranslateApi, provider_server

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def stack(settings: Any) -> Iterator[LibreTranslateApi]:
    from helpdesk.celery import app

    api = LibreTranslateApi()
    with provider_server(api) as url:
        conf = {
            "TRANSLATION_PROVIDER": "libretranslate",
            "TRANSLATION_URL": url,
            "TRANSLATION_RETRIES": "2",
            "TRANSLATION_BACKOFF_SECONDS": "0.5",
            "TRANSLATION_TIMEOUT": "2",
        }
        settings.HELPDESK_TRANSLATION = {
            **settings.HELPDESK_TRANSLATION,
            "PROVIDER": "libretranslate",
            "URL": url,
        }
        env = {**server_env(connection.settings_dict["NAME"]), **conf}
        settings.CELERY_TASK_ALWAYS_EAGER = False
        app.conf.task_always_eager = False
        try:
            with celery_worker(env, "translate-test"):
                yield api
        finally:
            app.conf.task_always_eager = True


def wait_row(message_id: int, predicate: Any, timeout: float = 60) -> MessageTranslation:
    deadline = time.monotonic() + timeout
    row = None
    while time.monotonic() < deadline:
        row = MessageTranslation.objects.filter(message_id=message_id).first()
        if row is not None and predicate(row):
            return row
        time.sleep(0.1)
    pytest.fail(f"translation of {message_id} stands at {row and row.__dict__}")


def test_retries_with_backoff_until_the_provider_answers(stack: LibreTranslateApi) -> None:
    stack.fail_next = 2
    message = shopper_says(make_visitor(), "Wo ist meine Bestellung?")
    row = wait_row(message.pk, lambda r: r.status == "done")
    assert (row.attempts, row.body) == (3, "Where is my order?")
    calls = stack.translations()
    assert len(calls) == 3
    times = [c["at"] for c in calls]
    # BACKOFF 0.5 s doubling: the pauses are at least 0.5 s and 1 s.
    assert times[1] - times[0] >= 0.45 and times[2] - times[1] >= 0.95, times


def test_gives_up_after_the_bounded_retries(stack: LibreTranslateApi) -> None:
    stack.fail_next = 100
    message = shopper_says(make_visitor(), "Wo ist meine Bestellung?")
    row = wait_row(message.pk, lambda r: r.attempts == 3)
    time.sleep(3)  # longer than the next backoff would be: no fourth call comes
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 3)
    assert len(stack.translations()) == 3
