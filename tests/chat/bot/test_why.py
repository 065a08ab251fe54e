"""Which entry answered and why (chat/bot/why.py): recorded with each bot answer and "did you
mean", sent to agents as the message's ``bot_why`` (staff-only payload part), and never to a
shopper: not on their socket (live or resumed), not in their REST history."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from rest_framework.test import APIClient

from chat import events, services
from chat.access import Actor
from chat.bot.knowledge_import import demo_items, knowledge_base_load
from chat.bot.why import matched_terms
from chat.models import BotWhy, KnowledgeEntry, Message
from tests.factories import make_agent, make_visitor, visitor_token
from tests.sockets import agent_socket, receive_type, visitor_socket

PICK = "/api/widget/bot/suggestion"


def _history(client: Any, conversation_id: int) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/conversations/{conversation_id}/messages?after_seq=0")
    assert response.status_code == 200, response.content
    return list(response.json()["messages"])


def test_matched_terms_show_words_typos_and_synonyms() -> None:
    texts = ["Invoice for my order", "Can I get a receipt?", "开发票"]
    assert matched_terms(
        "i need an invoise for my ordr", texts, lambda w: {"invoise": "invoice"}.get(w, w)
    ) == [
        "≈invoice",
        "invoise→invoice",
    ]
    chinese = matched_terms("能开发票吗", texts, lambda w: w)
    assert "发票" in chinese and "≈invoice" in chinese
    assert matched_terms("what is the weather", texts, lambda w: w) == []


@pytest.mark.django_db
def test_an_answer_records_its_entry_score_and_words(kb: None, say: Any) -> None:
    visitor = make_visitor()
    (answer,) = say(visitor, "how do I get a refnud for my order")
    assert answer.card["type"] == "bot_answer"
    entry = KnowledgeEntry.objects.get(pk=answer.card["entry"])
    why = BotWhy.objects.get(message=answer).data
    assert why["decision"] == "answer" and why["picked"] is False
    assert why["entry"]["id"] == entry.pk and why["entry"]["title"] == entry.title
    assert "refnud→refund" in why["entry"]["terms"]
    assert 0 < why["score"] <= 1 and 0 < why["lexical"] <= 1
    # Staff get it with the admin link of the entry; a shopper's payload has no such key.
    staff = events.message_payload(Message.objects.get(pk=answer.pk), staff=True)["bot_why"]
    assert staff["entry"]["url"] == f"/admin/chat/knowledgeentry/{entry.pk}/change/"
    assert "bot_why" not in events.message_payload(answer)
    # A shopper's own message carries nothing of the kind, staff or not.
    question = Message.objects.get(conversation=answer.conversation, seq=1)
    assert "bot_why" not in events.message_payload(question, staff=True)


@pytest.mark.django_db
def test_a_suggestion_and_its_pick_record_why(kb: None, always_suggest: None, say: Any) -> None:
    visitor = make_visitor()
    (suggest,) = say(visitor, "where is the money for the shoes I sent back")
    why = BotWhy.objects.get(message=suggest).data
    assert why["decision"] == "suggest" and why["entry"] is None
    offered = [s["key"] for s in suggest.card["suggestions"]]
    assert [s["key"] for s in why["suggestions"]] == offered
    assert all(isinstance(s["terms"], list) and s["score"] > 0 for s in why["suggestions"])
    key = offered[-1]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Visitor {visitor_token(visitor)}")
    picked = client.post(PICK, {"message": suggest.pk, "key": key}, format="json")
    assert picked.status_code == 200, picked.content
    answer_why = BotWhy.objects.get(message_id=picked.json()["message"]).data
    assert answer_why["picked"] is True and answer_why["decision"] == "suggest"
    assert answer_why["entry"]["key"] == key and answer_why["suggest_message"] == suggest.pk
    assert answer_why["score"] == next(s["score"] for s in why["suggestions"] if s["key"] == key)
    # The shopper's history has the answer and the suggestion, without their why.
    shopper_history = _history(client, suggest.conversation_id)
    assert {m["card"]["type"] for m in shopper_history if m["sender"]["kind"] == "bot"} == {
        "bot_suggest",
        "bot_answer",
    }
    assert not any("bot_why" in m for m in shopper_history)
    agent = Client()
    agent.force_login(make_agent())
    staff_history = _history(agent, suggest.conversation_id)
    whys = [m["bot_why"] for m in staff_history if "bot_why" in m]
    assert [w["decision"] for w in whys] == ["suggest", "suggest"]
    assert whys[1]["entry"]["url"].endswith(f"/{answer_why['entry']['id']}/change/")


def _setup() -> tuple[Any, str, Any]:
    knowledge_base_load(items=demo_items())
    visitor = make_visitor()
    return visitor, services.visitor_token_make(visitor), make_agent()


@pytest.mark.django_db(transaction=True)
async def test_only_agent_sockets_get_why_live_and_on_resume() -> None:
    visitor, token, agent = await sync_to_async(_setup)()
    shopper = await visitor_socket(token)
    desk = await agent_socket(agent)
    try:
        await shopper.send_json_to(
            {"type": "message.send", "client_id": "c1", "body": "what is your return policy"}
        )
        ack = await receive_type(shopper, "message.ack")
        conversation_id = ack["message"]["conversation"]
        # The agent watches the conversation, catching up on what is there.
        await desk.send_json_to({"type": "resume", "conversation": conversation_id, "after_seq": 0})
        frames = []
        while True:
            frame = await desk.receive_json_from(timeout=10)
            if frame["type"] == "resume.done":
                break
            if frame["type"] == "message.created":
                frames.append(frame["message"])
        await sync_to_async(services.message_send)(
            actor=Actor(visitor=visitor), client_id="c2", body="how long does shipping take"
        )
        for _ in range(10):
            frame = await receive_type(desk, "message.created", timeout=10)
            frames.append(frame["message"])
            if frame["message"]["sender"]["kind"] == "bot" and frame["message"]["seq"] > 2:
                break
        desk_bot = {m["seq"]: m for m in frames if m["sender"]["kind"] == "bot"}
        assert len(desk_bot) == 2, frames
        assert all(m["bot_why"]["decision"] == "answer" for m in desk_bot.values())
        assert {m["bot_why"]["entry"]["key"] for m in desk_bot.values()} == {
            "returns",
            "shipping_time",
        }

        # The shopper got the same two answers live, and again on resume: never a why.
        seen: list[dict[str, Any]] = []
        while len([m for m in seen if m["sender"]["kind"] == "bot"]) < 2:
            frame = await receive_type(shopper, "message.created", timeout=10)
            seen.append(frame["message"])
        await shopper.send_json_to(
            {"type": "resume", "conversation": conversation_id, "after_seq": 0}
        )
        while True:
            frame = await shopper.receive_json_from(timeout=10)
            if frame["type"] == "resume.done":
                break
            if frame["type"] == "message.created":
                seen.append(frame["message"])
        assert len([m for m in seen if m["sender"]["kind"] == "bot"]) >= 4
        assert not any("bot_why" in m for m in seen)
    finally:
        await shopper.disconnect()
        await desk.disconnect()
