"""Translating messages through a local LibreTranslate server (tests/providers.py): both
directions, notes, the switch, the glossary, failures, and what is stored and sent."""

from __future__ import annotations

from typing import Any

import pytest

from chat import selectors
from chat.access import Actor
from chat.models import ConversationTranslation, GlossaryTerm, MessageTranslation
from chat.services import conversation_assignee_set
from chat.translation import services as translation
from chat.translation import switches
from chat.translation.providers import TranslationError, provider
from helpdesk.errors import BadRequest
from tests.factories import agent_says, make_agent, make_visitor, shopper_says
from tests.providers import LibreTranslateApi

pytestmark = pytest.mark.django_db


def translated(message: Any) -> MessageTranslation:
    return MessageTranslation.objects.get(message_id=message.pk)


def test_a_shoppers_message_is_translated_into_the_agents_language(
    libretranslate: LibreTranslateApi, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        message = shopper_says(make_visitor(), "Wo ist meine Bestellung?")
    row = translated(message)
    assert (row.status, row.source_language, row.target_language) == ("done", "de", "en")
    assert row.body == "Where is my order?"
    assert row.provider == "libretranslate"
    [call] = libretranslate.translations()
    assert (call["source"], call["target"], call["api_key"]) == ("de", "en", "lt-key")
    switch = ConversationTranslation.objects.get(conversation_id=message.conversation_id)
    assert switch.shopper_language == "de"


def test_both_directions_with_a_chinese_agent(
    libretranslate: LibreTranslateApi, django_capture_on_commit_callbacks: Any
) -> None:
    agent = make_agent(language="zh")
    with django_capture_on_commit_callbacks(execute=True):
        first = shopper_says(make_visitor(), "Hallo")  # too short to tell: not translated
    conversation = first.conversation
    conversation_assignee_set(conversation=conversation, assignee=agent, by=agent)
    with django_capture_on_commit_callbacks(execute=True):
        question = shopper_says(conversation.visitor, "Wo ist meine Bestellung?")
        answer = agent_says(agent, conversation, "您的订单明天发货。")
    assert translated(first).status == "skipped"
    assert translated(question).body == "我的订单在哪里？"  # into the agent's Chinese
    row = translated(answer)
    assert (row.source_language, row.target_language) == ("zh", "de")
    assert row.body == "Ihre Bestellung wird morgen versandt."
    assert [(c["source"], c["target"]) for c in libretranslate.translations()] == [
        ("de", "zh-Hans"),  # the server's code for Chinese, from its /languages
        ("zh-Hans", "de"),
    ]


def test_notes_system_lines_and_same_language_messages_are_not_sent(
    libretranslate: LibreTranslateApi, django_capture_on_commit_callbacks: Any
) -> None:
    agent = make_agent()
    with django_capture_on_commit_callbacks(execute=True):
        message = shopper_says(make_visitor(), "Where is my order?")
        note = agent_says(agent, message.conversation, "Your order ships tomorrow.", private=True)
        reply = agent_says(agent, message.conversation, "Your order ships tomorrow.")
    assert not MessageTranslation.objects.filter(message_id=note.pk).exists()
    assert translated(message).status == "skipped"  # English to an English agent
    assert translated(reply).status == "skipped"  # the shopper writes English
    assert libretranslate.translations() == []


def test_the_conversation_switch(
    libretranslate: LibreTranslateApi, django_capture_on_commit_callbacks: Any
) -> None:
    agent = make_agent()
    first = shopper_says(make_visitor(), "Hello there, I have a question")
    switch = switches.conversation_translation_set(
        actor=Actor(user=agent), conversation_id=first.conversation_id, enabled=False
    )
    assert switch.enabled is False
    with django_capture_on_commit_callbacks(execute=True):
        message = shopper_says(first.conversation.visitor, "Wo ist meine Bestellung?")
    assert not MessageTranslation.objects.filter(message_id=message.pk).exists()
    assert switches.conversation_translation_get(
        actor=Actor(user=agent), conversation_id=first.conversation_id
    ) == {
        "conversation": first.conversation_id,
        "available": True,
        "enabled": False,
        "shopper_language": None,
    }
    with pytest.raises(BadRequest):
        switches.conversation_translation_set(
            actor=Actor(user=agent), conversation_id=first.conversation_id, enabled="no"
        )
    with pytest.raises(BadRequest):
        switches.conversation_translation_set(
            actor=Actor(visitor=first.conversation.visitor),
            conversation_id=first.conversation_id,
            enabled=True,
        )


def test_glossary_terms_are_never_translated(
    libretranslate: LibreTranslateApi, django_capture_on_commit_callbacks: Any
) -> None:
    agent = make_agent()
    with django_capture_on_commit_callbacks(execute=True):
        shopper_says(make_visitor(), "Wo ist meine Bestellung?")
    conversation = shopper_says(make_visitor(), "Wo ist meine Bestellung?").conversation
    # Without the glossary the server translates the product's name.
    with django_capture_on_commit_callbacks(execute=True):
        shopper_says(conversation.visitor, "Wo ist meine Bestellung?")
        plain = agent_says(agent, conversation, "Yes, the AirFlex jacket is waterproof.")
    assert translated(plain).body == "ja, die Luftbiege Jacke ist wasserdicht."
    GlossaryTerm.objects.create(term="airflex")  # case-insensitive by default
    with django_capture_on_commit_callbacks(execute=True):
        kept = agent_says(agent, conversation, "Yes, the AirFlex jacket is waterproof.")
        only = agent_says(agent, conversation, "AirFlex")
    assert translated(kept).body == "ja, die AirFlex Jacke ist wasserdicht."
    assert '<span translate="no">AirFlex</span>' in libretranslate.translations()[-1]["q"]
    assert translated(only).body == "AirFlex"  # nothing to translate, no call
    # The two shopper messages of the conversation each once (the one sent outside the
    # captured commit gets its translation when the agent's reply assigns the conversation:
    # chat/translation/reassign.py), and the agent's two sentences.
    assert [c["q"] for c in libretranslate.translations()][1:] == [
        "Wo ist meine Bestellung?",
        "Wo ist meine Bestellung?",
        "Yes, the AirFlex jacket is waterproof.",
        'Yes, the <span translate="no">AirFlex</span> jacket is waterproof.',
    ]


def test_a_failing_provider_marks_the_message_and_is_retried(
    libretranslate: LibreTranslateApi, django_capture_on_commit_callbacks: Any
) -> None:
    libretranslate.fail_next = 1
    message = shopper_says(make_visitor(), "Wo ist meine Bestellung?")
    with pytest.raises(TranslationError):
        translation.message_translate(message_id=message.pk, final=False)
    row = translated(message)
    assert (row.status, row.attempts, row.body) == ("failed", 1, "")
    assert "HTTP 500" in row.error
    # The retry succeeds; a done translation is never made again.
    assert translation.message_translate(message_id=message.pk).status == "done"
    assert translation.message_translate(message_id=message.pk).attempts == 2
    assert len(libretranslate.translations()) == 2


def test_a_slow_provider_times_out_and_the_final_attempt_keeps_it_failed(
    libretranslate: LibreTranslateApi, settings: Any
) -> None:
    settings.HELPDESK_TRANSLATION = {**settings.HELPDESK_TRANSLATION, "TIMEOUT": 0.3}
    libretranslate.delay = 1.0
    message = shopper_says(make_visitor(), "Wo ist meine Bestellung?")
    row = translation.message_translate(message_id=message.pk, final=True)
    assert row is not None and row.status == "failed"
    assert "Timeout" in row.error


def test_a_wrong_api_key_fails_clearly(libretranslate: LibreTranslateApi, settings: Any) -> None:
    settings.HELPDESK_TRANSLATION = {**settings.HELPDESK_TRANSLATION, "API_KEY": "wrong"}
    message = shopper_says(make_visitor(), "Wo ist meine Bestellung?")
    row = translation.message_translate(message_id=message.pk)
    assert row is not None and row.status == "failed" and "403" in row.error


def test_off_without_a_provider_and_bad_configuration_is_refused(settings: Any) -> None:
    settings.HELPDESK_TRANSLATION = {**settings.HELPDESK_TRANSLATION, "PROVIDER": ""}
    assert provider() is None
    message = shopper_says(make_visitor(), "Wo ist meine Bestellung?")
    assert translation.message_translate(message_id=message.pk) is None
    settings.HELPDESK_TRANSLATION = {**settings.HELPDESK_TRANSLATION, "PROVIDER": "babelfish"}
    with pytest.raises(TranslationError, match="libretranslate, deepl or openai"):
        provider()
    settings.HELPDESK_TRANSLATION = {**settings.HELPDESK_TRANSLATION, "PROVIDER": "deepl"}
    with pytest.raises(TranslationError, match="TRANSLATION_API_KEY"):
        provider()


def test_history_carries_the_stored_translation(
    libretranslate: LibreTranslateApi, django_capture_on_commit_callbacks: Any
) -> None:
    agent = make_agent()
    with django_capture_on_commit_callbacks(execute=True):
        message = shopper_says(make_visitor(), "Wo ist meine Bestellung?")
    _conversation, messages = selectors.messages_after(
        actor=Actor(user=agent), conversation_id=message.conversation_id
    )
    from chat.events import message_payload

    assert message_payload(messages[0])["translation"] == {
        "status": "done",
        "language": "en",
        "source_language": "de",
        "body": "Where is my order?",
    }


def test_agent_language_is_checked(django_capture_on_commit_callbacks: Any) -> None:
    agent = make_agent()
    assert switches.agent_language_set(user=agent, language="ja").language == "ja"
    with pytest.raises(BadRequest):
        switches.agent_language_set(user=agent, language="klingon")


def test_export_carries_and_erasure_removes_translations(
    libretranslate: LibreTranslateApi, django_capture_on_commit_callbacks: Any
) -> None:
    from chat.privacy import erase_chat, export_chat
    from tests.factories import customer_with_orders, verified_visitor

    customer = customer_with_orders("c-tr", n=0)
    with django_capture_on_commit_callbacks(execute=True):
        message = shopper_says(verified_visitor(customer), "Wo ist meine Bestellung?")
    [conversation] = export_chat(customer)["conversations"]
    assert conversation["messages"][0]["translation"]["body"] == "Where is my order?"
    erase_chat(customer)
    assert not MessageTranslation.objects.filter(message_id=message.pk).exists()
