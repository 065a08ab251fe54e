"""The bot's sweep (``chat.bot.reply_sweep``) in process: which shopper messages it takes as
lost (tests/faults/test_redis_recovery.py shows it answering one after a real Redis loss).
The test suite's Celery is eager and the bot off, so the bot's own task never ran here: every
message is one the bot did not see, as when the broker was down."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from chat.bot.services import bot_unseen_messages
from chat.models import BotState, Conversation
from tests.factories import make_visitor, shopper_says

pytestmark = [pytest.mark.django_db]


def _age(conversation_id: int, seconds: float) -> None:
    Conversation.objects.filter(pk=conversation_id).update(
        last_activity_at=timezone.now() - dt.timedelta(seconds=seconds)
    )


def test_sweep_finds_the_newest_unseen_shopper_message_past_the_grace() -> None:
    lost = shopper_says(make_visitor(), "where is my parcel?")
    fresh = shopper_says(make_visitor(), "hello?")
    seen = shopper_says(make_visitor(), "thanks")
    old = shopper_says(make_visitor(), "anyone?")
    _age(lost.conversation_id, 120)
    _age(seen.conversation_id, 120)
    _age(old.conversation_id, 7200)
    BotState.objects.update_or_create(
        conversation_id=seen.conversation_id,
        defaults={"cycle_started_at": timezone.now(), "last_message_id": seen.pk},
    )
    assert bot_unseen_messages(grace_seconds=60) == [lost.pk]
    # Within the grace its own task may still be on the way: left alone.
    assert fresh.pk not in bot_unseen_messages(grace_seconds=60)
    assert fresh.pk in bot_unseen_messages(grace_seconds=0)


def test_sweep_takes_only_the_newest_and_skips_resolved_conversations() -> None:
    visitor = make_visitor()
    first = shopper_says(visitor, "one")
    second = shopper_says(visitor, "two")
    assert second.conversation_id == first.conversation_id
    assert bot_unseen_messages(grace_seconds=0) == [second.pk]
    Conversation.objects.filter(pk=first.conversation_id).update(
        status=Conversation.Status.RESOLVED
    )
    assert bot_unseen_messages(grace_seconds=0) == []


def test_the_sweep_is_scheduled_and_runs_the_bot_on_what_it_finds() -> None:
    from django.conf import settings

    from chat.bot.tasks import bot_reply_sweep_task

    jobs = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "chat.bot.reply_sweep"
    ]
    assert len(jobs) == 1 and float(jobs[0]["schedule"]) == 60.0
    lost = shopper_says(make_visitor(), "where is my parcel?")
    assert bot_reply_sweep_task.delay(grace_seconds=0).get() == 1  # eager in tests
    # The bot (off here) looked at it: its state has seen it, the next sweep finds nothing.
    assert BotState.objects.get(conversation_id=lost.conversation_id).last_message_id == lost.pk
    assert bot_unseen_messages(grace_seconds=0) == []
