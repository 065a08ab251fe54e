"""Translation's sweep (``chat.translation.sweep``): a message whose translation task was lost
(the broker down when its batch was sent) is translated once the beat runs it, and only once.

In process: the message is stored with its after-commit callbacks dropped, which is what a
lost task leaves behind (stored, no translation row)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from chat.models import ConversationTranslation, Message, MessageTranslation
from chat.translation.sweep import translation_lost_messages, translation_sweep_task
from tests.factories import agent_says, make_agent, make_visitor, shopper_says
from tests.providers import LibreTranslateApi, provider_server

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def libretranslate(settings: Any) -> Iterator[LibreTranslateApi]:
    api = LibreTranslateApi()
    with provider_server(api) as url:
        settings.HELPDESK_TRANSLATION = {
            **settings.HELPDESK_TRANSLATION,
            "PROVIDER": "libretranslate",
            "URL": url,
            "TIMEOUT": 2.0,
            "RETRIES": 0,
            "DESK_LANGUAGE": "en",
        }
        yield api


def _lost(body: str, **visitor: Any) -> Message:
    """A shopper's message stored while its translation task was lost, 2 minutes ago."""
    message = shopper_says(make_visitor(**visitor), body)  # on-commit callbacks never run
    Message.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - dt.timedelta(seconds=120)
    )
    return message


def test_a_lost_translation_is_made_once_by_the_sweep(libretranslate: LibreTranslateApi) -> None:
    lost = _lost("Wo ist meine Bestellung?")
    fresh = shopper_says(make_visitor(), "Wo ist mein Paket?")
    assert translation_lost_messages(grace_seconds=60) == [lost.pk]
    # Within the grace its own task may still be on the way: left alone.
    assert fresh.pk in translation_lost_messages(grace_seconds=0)

    assert translation_sweep_task.delay(grace_seconds=60).get() == 1  # eager in tests
    row = MessageTranslation.objects.get(message_id=lost.pk)
    assert (row.status, row.body) == ("done", "Where is my order?")
    # Swept again (or its own task arriving late): nothing more, no second provider call.
    assert translation_sweep_task.delay(grace_seconds=60).get() == 0
    assert len(libretranslate.translations()) == 1


def test_the_sweep_leaves_what_translation_never_takes(libretranslate: LibreTranslateApi) -> None:
    switched_off = _lost("Wo ist meine Bestellung?")
    ConversationTranslation.objects.create(
        conversation_id=switched_off.conversation_id, enabled=False
    )
    note = agent_says(make_agent(), _lost("hallo").conversation, "Kunde wartet", private=True)
    Message.objects.filter(pk=note.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    ancient = _lost("Noch da?")
    Message.objects.filter(pk=ancient.pk).update(created_at=timezone.now() - dt.timedelta(hours=2))
    found = translation_lost_messages(grace_seconds=60)
    assert switched_off.pk not in found and note.pk not in found and ancient.pk not in found


def test_nothing_is_swept_while_translation_is_off(settings: Any) -> None:
    _lost("Wo ist meine Bestellung?")
    assert not settings.HELPDESK_TRANSLATION["PROVIDER"]
    assert translation_sweep_task.delay(grace_seconds=60).get() == 0


def test_the_sweep_is_scheduled_every_minute() -> None:
    from django.conf import settings

    jobs = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "chat.translation.sweep"
    ]
    assert len(jobs) == 1 and float(jobs[0]["schedule"]) == 60.0
