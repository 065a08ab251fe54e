"""The bot and a German question: translated into the knowledge base's English through the
local LibreTranslate server (tests/providers.py) before matching, answered from the English
entry, the answer translated back into German."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from chat.models import Message, MessageTranslation, UnmatchedQuestion
from tests.factories import shopper_says
from tests.providers import LibreTranslateApi

pytestmark = pytest.mark.django_db

# The knowledge base's multilingual vectors match many German questions as written (the
# shipping ones do); this one they do not (confidence 0.03: a hand-over), its English does.
CANCEL = "cancel an order from My orders"
GERMAN = "Kann ich meine Bestellung stornieren?"
ENGLISH = "Can I cancel my order?"


def test_a_german_question_is_matched_in_english_and_answered_in_german(
    libretranslate: LibreTranslateApi, kb: None, visitor: Any, say: Any
) -> None:
    answer = say(visitor, GERMAN)[0]
    assert answer.sender_kind == Message.SenderKind.BOT
    assert answer.card["type"] == "bot_answer"
    assert CANCEL in answer.body
    calls = [(c["source"], c["target"], c["q"]) for c in libretranslate.translations()]
    # The question is translated once: the agents read it in English, the knowledge base's
    # language, so the bot matches the stored translation (no second provider call).
    assert calls.count(("de", "en", GERMAN)) == 1, calls
    question = Message.objects.get(body=GERMAN)
    shown = MessageTranslation.objects.get(message_id=question.pk)
    assert (shown.status, shown.target_language, shown.body) == ("done", "en", ENGLISH)
    row = MessageTranslation.objects.get(message_id=answer.pk)
    assert (row.source_language, row.target_language) == ("en", "de")
    assert not UnmatchedQuestion.objects.filter(text=GERMAN).exists()


def test_without_a_provider_the_german_question_is_matched_as_written(
    kb: None, visitor: Any, say: Any
) -> None:
    replies = say(visitor, GERMAN)
    assert not any(CANCEL in m.body for m in replies)
    assert UnmatchedQuestion.objects.filter(text=GERMAN).exists()


def test_a_failing_provider_leaves_the_question_as_written(
    libretranslate: LibreTranslateApi, kb: None, visitor: Any, say: Any
) -> None:
    libretranslate.fail_next = 100
    replies = say(visitor, GERMAN)
    assert not any(CANCEL in m.body for m in replies)
    assert UnmatchedQuestion.objects.filter(text=GERMAN).exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_translating_one_question_at_once_call_the_provider_once(
    libretranslate: LibreTranslateApi, visitor: Any, settings: Any
) -> None:
    """The bot's task and the translation task at the same moment, on two threads, the
    provider slow: the second waits for the first's row and takes it."""
    from chat.translation.bot import kb_question
    from chat.translation.services import message_translate

    # Committed (the threads read it), with neither task queued: the test runs both.
    conf = settings.HELPDESK_TRANSLATION
    settings.HELPDESK_BOT = {**settings.HELPDESK_BOT, "ENABLED": False}
    settings.HELPDESK_TRANSLATION = {**conf, "PROVIDER": ""}
    question = shopper_says(visitor, GERMAN)
    settings.HELPDESK_TRANSLATION = conf
    libretranslate.delay = 0.5
    results: dict[str, Any] = {}

    def bot() -> None:
        try:
            results["bot"] = kb_question(question, GERMAN, "de")
        finally:
            connection.close()

    def task() -> None:
        try:
            results["task"] = message_translate(message_id=question.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=bot), threading.Thread(target=task)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert results["bot"] == (ENGLISH, "en")
    assert results["task"].body == ENGLISH
    assert [c["q"] for c in libretranslate.translations()] == [GERMAN]
