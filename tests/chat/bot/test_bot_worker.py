"""The bot behind a real Celery worker on the Redis broker: shopper messages committed within
one batch window reach the worker as one ``chat.bot.reply_many`` task (helpdesk/task_batch.py),
and the worker's answers are stored after them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from chat.bot.knowledge_import import demo_items
from chat.models import BotState, Message
from tests.factories import make_visitor, shopper_says
from tests.procs import celery_worker, server_env

KB = demo_items()

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker() -> Iterator[Any]:
    env = server_env(connection.settings_dict["NAME"])
    env["HELPDESK_BOT_ENABLED"] = "1"
    with celery_worker(env, "bot-test") as proc:
        yield proc


def test_shopper_messages_reach_the_worker_in_batches(
    worker: Any, kb: None, settings: Any, monkeypatch: Any
) -> None:
    from helpdesk.celery import app

    # ``kb`` stored the vectors before the worker sees the shopper's messages (it would
    # otherwise embed the whole knowledge base first).
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    try:
        _run(monkeypatch)
    finally:
        app.conf.task_always_eager = True


def _run(monkeypatch: Any) -> None:
    sent: list[list[int]] = []
    from chat.bot.tasks import bot_batch

    real_delay = bot_batch.task.delay
    monkeypatch.setattr(
        bot_batch.task, "delay", lambda ids: (sent.append(list(ids)), real_delay(ids))[1]
    )
    visitor = make_visitor()
    first = shopper_says(visitor, "How long does shipping take?")
    second = shopper_says(visitor, "Can I return an item?")
    conversation = first.conversation

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = BotState.objects.filter(conversation=conversation).first()
        if state is not None and state.last_message_id >= second.pk:
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"the worker did not reach message {second.pk}; batches sent: {sent}")
    # Every message went out once, in commit order (usually both in one task: they commit
    # within one 50 ms window; a slow box may split them).
    assert [pk for batch in sent for pk in batch] == [first.pk, second.pk]
    answers = Message.objects.filter(
        conversation=conversation, sender_kind=Message.SenderKind.BOT
    ).order_by("seq")
    assert answers.count() >= 2
    assert answers.first().seq > first.seq
