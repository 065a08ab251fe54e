"""Translation when the conversation changes hands or an agent changes language, system lines
in the shopper's language, and the bot matching a German question: against the local
LibreTranslate server (tests/providers.py), Celery tasks run eagerly after commit."""

from __future__ import annotations

from typing import Any

import pytest

from chat import events
from chat.models import Message, MessageTranslation
from chat.services import conversation_assignee_set
from chat.services.messages import message_create
from chat.translation import switches
from tests.factories import make_agent, make_visitor, shopper_says
from tests.providers import LibreTranslateApi

pytestmark = pytest.mark.django_db


@pytest.fixture
def frames(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[str], dict[str, Any]]]:
    """Every frame published, with its groups."""
    seen: list[tuple[list[str], dict[str, Any]]] = []
    real = events.publish

    def publish(groups: Any, frame: dict[str, Any], **kwargs: Any) -> None:
        seen.append((list(groups), frame))
        real(groups, frame, **kwargs)

    monkeypatch.setattr(events, "publish", publish)
    return seen


def translated_frames(frames: list[Any], message: Message) -> list[dict[str, Any]]:
    return [
        f["translation"]
        for _groups, f in frames
        if f["type"] == "message.translated" and f["message"] == message.pk
    ]


def test_a_transfer_to_an_agent_with_another_language_translates_the_history_again(
    libretranslate: LibreTranslateApi, django_capture_on_commit_callbacks: Any, frames: Any
) -> None:
    english = make_agent(language="en")
    chinese = make_agent(language="zh")
    with django_capture_on_commit_callbacks(execute=True):
        question = shopper_says(make_visitor(), "Wo ist meine Bestellung?")
    conversation = question.conversation
    with django_capture_on_commit_callbacks(execute=True):
        conversation_assignee_set(conversation=conversation, assignee=english, by=english)
    assert len(libretranslate.translations()) == 1  # English already: nothing to redo
    with django_capture_on_commit_callbacks(execute=True):
        conversation_assignee_set(conversation=conversation, assignee=chinese, by=english)
    row = MessageTranslation.objects.get(message_id=question.pk)
    assert (row.status, row.source_language, row.target_language) == ("done", "de", "zh")
    assert row.body == "我的订单在哪里？"
    assert row.others == {"en": "Where is my order?"}
    assert [(c["source"], c["target"]) for c in libretranslate.translations()] == [
        ("de", "en"),
        ("de", "zh-Hans"),
    ]
    sent = translated_frames(frames, question)
    assert sent[-1] == {
        "status": "done",
        "language": "zh",
        "source_language": "de",
        "body": "我的订单在哪里？",
    }
    # Handed back: the English translation comes back from the row, no provider call.
    with django_capture_on_commit_callbacks(execute=True):
        conversation_assignee_set(conversation=conversation, assignee=english, by=chinese)
    row.refresh_from_db()
    assert (row.target_language, row.body) == ("en", "Where is my order?")
    assert row.others == {"zh": "我的订单在哪里？"}
    assert len(libretranslate.translations()) == 2
    assert translated_frames(frames, question)[-1]["body"] == "Where is my order?"
    # Back to the Chinese agent, then to nobody (a transfer to a team's queue): the desk's
    # language, English, again from the row.
    with django_capture_on_commit_callbacks(execute=True):
        conversation_assignee_set(conversation=conversation, assignee=chinese, by=english)
        conversation_assignee_set(conversation=conversation, assignee=None, by=english)
    row.refresh_from_db()
    assert (row.target_language, row.body) == ("en", "Where is my order?")
    assert len(libretranslate.translations()) == 2


def test_an_untranslated_and_a_same_language_message_and_a_failure_on_hand_over(
    libretranslate: LibreTranslateApi, django_capture_on_commit_callbacks: Any, frames: Any
) -> None:
    german = make_agent(language="de")
    chinese = make_agent(language="zh")
    visitor = make_visitor()
    with django_capture_on_commit_callbacks(execute=True):
        first = shopper_says(visitor, "Wo ist meine Bestellung?")
    conversation = first.conversation
    switches.conversation_translation_set(
        actor=_actor(german), conversation_id=conversation.pk, enabled=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        later = shopper_says(visitor, "Wo ist meine Bestellung?")  # switch off: none
    switches.conversation_translation_set(
        actor=_actor(german), conversation_id=conversation.pk, enabled=True
    )
    assert not MessageTranslation.objects.filter(message_id=later.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        conversation_assignee_set(conversation=conversation, assignee=german, by=german)
    # German to a German agent: no translation needed, the English one kept aside.
    row = MessageTranslation.objects.get(message_id=first.pk)
    assert (row.status, row.target_language, row.others) == (
        "skipped",
        "de",
        {"en": "Where is my order?"},
    )
    assert MessageTranslation.objects.get(message_id=later.pk).status == "skipped"
    assert translated_frames(frames, first)[-1]["status"] == "skipped"
    libretranslate.fail_next = 100
    with django_capture_on_commit_callbacks(execute=True):
        conversation_assignee_set(conversation=conversation, assignee=chinese, by=german)
    row.refresh_from_db()
    # The provider fails: "not translated" for the Chinese agent, retried (eager tasks run
    # every retry at once; RETRIES=2), the original delivered all along.
    assert (row.status, row.target_language) == ("failed", "zh")
    assert row.others == {"en": "Where is my order?"}
    assert translated_frames(frames, first)[-1]["status"] == "failed"
    libretranslate.fail_next = 0
    from chat.translation.tasks import translate_message_task

    translate_message_task.apply(args=(first.pk,))
    row.refresh_from_db()
    assert (row.status, row.body) == ("done", "我的订单在哪里？")


def _actor(user: Any) -> Any:
    from chat.access import Actor

    return Actor(user=user)


def test_an_agent_who_changes_language_gets_their_open_conversations_again(
    libretranslate: LibreTranslateApi, django_capture_on_commit_callbacks: Any
) -> None:
    agent = make_agent(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        question = shopper_says(make_visitor(), "Wo ist meine Bestellung?")
        conversation_assignee_set(conversation=question.conversation, assignee=agent, by=agent)
    with django_capture_on_commit_callbacks(execute=True):
        switches.agent_language_set(user=agent, language="zh")
    row = MessageTranslation.objects.get(message_id=question.pk)
    assert (row.target_language, row.body) == ("zh", "我的订单在哪里？")


def test_system_lines_reach_the_shopper_in_their_language(
    libretranslate: LibreTranslateApi, django_capture_on_commit_callbacks: Any, frames: Any
) -> None:
    visitor = make_visitor(language="de-DE")
    with django_capture_on_commit_callbacks(execute=True):
        question = shopper_says(visitor, "Wo ist meine Bestellung?")
    conversation = question.conversation
    with django_capture_on_commit_callbacks(execute=True):
        joined = message_create(
            conversation=conversation,
            sender_kind=Message.SenderKind.SYSTEM,
            body="Ana has joined the conversation",
            sender_name="Ana",
            card={"type": "agent_joined", "name": "Ana"},
        )
        note = message_create(
            conversation=conversation,
            sender_kind=Message.SenderKind.SYSTEM,
            body="Ana took the conversation",
            private=True,
        )
    row = MessageTranslation.objects.get(message_id=joined.pk)
    assert (row.status, row.source_language, row.target_language) == ("done", "en", "de")
    # The name is protected like a glossary term.
    assert row.body == "Ana ist dem Gespräch beigetreten"
    assert '<span translate="no">Ana</span>' in libretranslate.translations()[-1]["q"]
    assert not MessageTranslation.objects.filter(message_id=note.pk).exists()
    [(groups, _frame)] = [
        (g, f) for g, f in frames if f["type"] == "message.translated" and f["message"] == joined.pk
    ]
    assert events.group_conversation_shopper(conversation.pk) in groups


def test_an_english_shoppers_system_line_needs_no_provider(
    libretranslate: LibreTranslateApi, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        question = shopper_says(make_visitor(language="en"), "Where is my order?")
        joined = message_create(
            conversation=question.conversation,
            sender_kind=Message.SenderKind.SYSTEM,
            body="Ana has joined the conversation",
            card={"type": "agent_joined", "name": "Ana"},
        )
    assert MessageTranslation.objects.get(message_id=joined.pk).status == "skipped"
    assert libretranslate.translations() == []


def test_a_hand_over_translates_the_whole_conversation_again_in_batches_newest_first(
    libretranslate: LibreTranslateApi,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A conversation longer than one batch: every one of the shopper's messages is made
    again for the new agent, the newest batch first, each batch its own task."""
    from chat.translation import reassign

    chinese = make_agent(language="zh")
    visitor = make_visitor()
    count = reassign.RETRANSLATE_BATCH + 12
    # Their own translation tasks not run: every message waits for the hand-over's.
    with django_capture_on_commit_callbacks(execute=False):
        said = [shopper_says(visitor, "Wo ist meine Bestellung?") for _ in range(count)]
    conversation = said[0].conversation
    assert {m.conversation_id for m in said} == {conversation.pk}
    batches: list[int | None] = []
    real = reassign.conversation_retranslate

    def spy(**kwargs: Any) -> Any:
        batches.append(kwargs.get("before_seq"))
        return real(**kwargs)

    monkeypatch.setattr(reassign, "conversation_retranslate", spy)
    with django_capture_on_commit_callbacks(execute=True):
        conversation_assignee_set(conversation=conversation, assignee=chinese, by=chinese)
    rows = MessageTranslation.objects.filter(message__in=said)
    assert rows.count() == count
    assert {(r.status, r.target_language, r.body) for r in rows} == {
        ("done", "zh", "我的订单在哪里？")
    }
    # Two tasks: the newest 50, then the 12 older ones (after the oldest seq of the first).
    first_batch_oldest = said[-reassign.RETRANSLATE_BATCH].seq
    assert batches == [None, first_batch_oldest]
    assert len(libretranslate.translations()) == count
