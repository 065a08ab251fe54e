"""DeepL and an OpenAI-compatible endpoint through local servers (what the desk sends, how
their answers come back, the glossary kept), the workspace's REST endpoints, and the bot
answering in the shopper's language."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from chat.access import Actor
from chat.bot.handover import bot_say
from chat.models import GlossaryTerm, KnowledgeEntry, MessageTranslation
from chat.services import message_send
from chat.translation import services as translation
from chat.translation import switches
from chat.translation.glossary import glossary_pattern, segments
from chat.translation.providers import DeepL, OpenAICompatible, TranslationError
from tests.factories import make_agent, make_visitor, shopper_says
from tests.providers import LibreTranslateApi, provider_server

pytestmark = pytest.mark.django_db


class Recorder:
    """Answers every POST with ``answer(body)`` and keeps (path, headers, body)."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.seen: list[tuple[str, dict[str, str], dict[str, Any]]] = []

    def handle(self, method: str, path: str, headers: Any, body: bytes) -> tuple[int, bytes, str]:
        data = json.loads(body or b"{}")
        self.seen.append((path, dict(headers), data))
        status, out = self.answer(data)
        return status, json.dumps(out).encode(), "application/json"


@pytest.fixture
def airflex() -> Iterator[list[Any]]:
    yield segments("Is the AirFlex jacket waterproof?", glossary_pattern([("AirFlex", True)]))


def test_deepl_request_and_answer(airflex: list[Any]) -> None:
    recorder = Recorder(
        lambda data: (200, {"translations": [{"text": "Ist die <x>Luft</x> Jacke wasserdicht?"}]})
    )
    with provider_server(recorder) as url:
        text = DeepL(url, "key-1:fx").translate(airflex, source="en", target="de")
    # Whatever came back inside the marker, the term itself is put back.
    assert text == "Ist die AirFlex Jacke wasserdicht?"
    [(path, headers, data)] = recorder.seen
    assert path == "/v2/translate"
    assert headers["Authorization"] == "DeepL-Auth-Key key-1:fx"
    assert data["text"] == ["Is the <x>AirFlex</x> jacket waterproof?"]
    assert (data["source_lang"], data["target_lang"]) == ("EN", "DE")
    assert (data["tag_handling"], data["ignore_tags"]) == ("xml", ["x"])
    assert DeepL("", "k:fx").url == "https://api-free.deepl.com"
    assert DeepL("", "k").url == "https://api.deepl.com"


def test_deepl_chinese_target_and_errors(airflex: list[Any]) -> None:
    recorder = Recorder(lambda data: (456, {"message": "Quota exceeded"}))
    with provider_server(recorder) as url, pytest.raises(TranslationError, match="456"):
        DeepL(url, "k").translate(airflex, source="en", target="zh")
    assert recorder.seen[0][2]["target_lang"] == "ZH-HANS"


def test_openai_compatible_request_and_answer(airflex: list[Any]) -> None:
    answer = {"choices": [{"message": {"content": " 这件 <x>AirFlex</x> 夹克防水吗？\n"}}]}
    recorder = Recorder(lambda data: (200, answer))
    with provider_server(recorder) as url:
        provider = OpenAICompatible(url + "/v1", "sk-test", "qwen2.5")
        assert provider.translate(airflex, source="en", target="zh") == "这件 AirFlex 夹克防水吗？"
    [(path, headers, data)] = recorder.seen
    assert path == "/v1/chat/completions"
    assert headers["Authorization"] == "Bearer sk-test"
    assert data["model"] == "qwen2.5" and data["temperature"] == 0
    assert "English to Simplified Chinese" in data["messages"][0]["content"]
    assert data["messages"][1]["content"] == "Is the <x>AirFlex</x> jacket waterproof?"
    with pytest.raises(TranslationError):
        OpenAICompatible("", "", "")


def test_openai_compatible_empty_answer_fails(airflex: list[Any]) -> None:
    recorder = Recorder(lambda data: (200, {"choices": [{"message": {"content": "  "}}]}))
    with provider_server(recorder) as url, pytest.raises(TranslationError, match="nothing"):
        OpenAICompatible(url, "", "m").translate(airflex, source="en", target="de")


def test_the_switch_and_language_endpoints(libretranslate: LibreTranslateApi) -> None:
    agent = make_agent("lin")
    message = shopper_says(make_visitor(), "Wo ist meine Bestellung?")
    client = Client()
    client.force_login(agent)
    url = f"/api/v1/conversations/{message.conversation_id}/translation"
    assert client.get(url).json() == {
        "conversation": message.conversation_id,
        "available": True,
        "enabled": True,
        "shopper_language": None,
    }
    response = client.post(url, {"enabled": False}, content_type="application/json")
    assert response.status_code == 200 and response.json()["enabled"] is False
    bad = client.post(url, {"enabled": "maybe"}, content_type="application/json")
    assert bad.status_code == 400
    assert client.get("/api/v1/conversations/999999/translation").status_code == 404

    mine = client.get("/api/v1/translation/language").json()
    assert mine["language"] == "" and mine["effective"] == "en" and mine["available"] is True
    assert {"code": "zh", "name": "Chinese"} in mine["languages"]
    changed = client.post(
        "/api/v1/translation/language", {"language": "zh"}, content_type="application/json"
    ).json()
    assert (changed["language"], changed["effective"]) == ("zh", "zh")
    assert translation.agent_language(type(agent).objects.get(pk=agent.pk)) == "zh"
    refused = client.post(
        "/api/v1/translation/language", {"language": "xx"}, content_type="application/json"
    )
    assert refused.status_code == 400 and refused.json()["code"] == "bad_request"
    assert Client().get(url).status_code in (401, 403)


def test_the_bot_answers_from_the_entry_in_the_shoppers_language(
    libretranslate: LibreTranslateApi,
) -> None:
    english = KnowledgeEntry.objects.create(
        key="shipping", title="Shipping", answer="We ship in 2 days.", language="en"
    )
    chinese = KnowledgeEntry.objects.create(
        key="shipping", title="配送", answer="我们两天内发货。", language="zh-hans"
    )
    question = shopper_says(make_visitor(), "发货要多久 shipping?")
    assert translation.kb_entry_for_shopper(english, question) == chinese
    german = shopper_says(make_visitor(), "Wie lange dauert der Versand?")
    assert translation.kb_entry_for_shopper(english, german) == english  # no German entry


def test_a_bot_answer_is_translated_into_the_shoppers_language(
    libretranslate: LibreTranslateApi, django_capture_on_commit_callbacks: Any
) -> None:
    # The shopper's message is not translated first (its task may run after the bot's):
    # the bot message's task finds the shopper's language from their messages.
    question = shopper_says(make_visitor(), "Wo ist meine Bestellung?")
    with django_capture_on_commit_callbacks(execute=True):
        answer = bot_say(question.conversation, "Your order ships tomorrow.", {"type": "x"})
    row = MessageTranslation.objects.get(message_id=answer.pk)
    assert (row.source_language, row.target_language) == ("en", "de")
    assert row.body == "Ihre Bestellung wird morgen versandt."


def test_glossary_admin_and_a_term_only_message(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/chat/glossaryterm/add/", {"term": "AirFlex", "case_sensitive": "on"}
    )
    assert response.status_code == 302
    assert GlossaryTerm.objects.filter(term="AirFlex", case_sensitive=True).exists()
    duplicate = admin_client.post("/admin/chat/glossaryterm/add/", {"term": "AirFlex"})
    assert duplicate.status_code == 200  # the form says it exists
    assert admin_client.get("/admin/chat/messagetranslation/").status_code == 200


def test_an_agent_message_in_a_conversation_with_translation_off_is_left_alone(
    libretranslate: LibreTranslateApi, django_capture_on_commit_callbacks: Any
) -> None:
    agent = make_agent()
    question = shopper_says(make_visitor(), "Wo ist meine Bestellung?")
    switches.conversation_translation_set(
        actor=Actor(user=agent), conversation_id=question.conversation_id, enabled=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        reply, _ = message_send(
            actor=Actor(user=agent),
            client_id="a-off",
            body="Your order ships tomorrow.",
            conversation_id=question.conversation_id,
        )
    assert not MessageTranslation.objects.filter(message_id=reply.pk).exists()
    assert libretranslate.translations() == []


def test_strings_in_english_and_chinese(client: Client) -> None:
    from helpdesk.storefront import widget_strings

    zh = widget_strings("zh-hans")
    assert (zh["translation.translated"], zh["translation.show_original"]) == ("已翻译", "查看原文")
    assert widget_strings("en")["translation.not_translated"] == "Not translated"
    catalog = client.get("/jsi18n/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["catalog"]
    assert catalog["Show original"] == "查看原文"
    assert catalog["Translated from %s"] == "译自%s"


def test_a_bad_setting_is_refused_by_the_system_check(settings: Any) -> None:
    from chat.translation.checks import translation_settings_check

    base = settings.HELPDESK_TRANSLATION
    assert translation_settings_check() == []
    settings.HELPDESK_TRANSLATION = {**base, "PROVIDER": "libretranslate", "URL": ""}
    [error] = translation_settings_check()
    assert error.id == "helpdesk.T001" and "TRANSLATION_URL" in error.msg
    settings.HELPDESK_TRANSLATION = {**base, "DESK_LANGUAGE": "klingon"}
    assert [e.id for e in translation_settings_check()] == ["helpdesk.T002"]
