"""POST /api/widget/bot/feedback and GET /api/v1/conversations/{id}/bot."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from chat.models import BotFeedback, BotState, Message
from helpdesk import dispatch
from tests.factories import agent_says, make_agent, make_visitor, visitor_token

pytestmark = pytest.mark.django_db
URL = "/api/widget/bot/feedback"


def client_for(visitor: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Visitor {visitor_token(visitor)}")
    return client


@pytest.fixture
def answered(kb: None, visitor: Any, say: Any) -> Message:
    (answer,) = say(visitor, "what is your return policy")
    assert answer.card["type"] == "bot_answer"
    return answer


def test_yes_is_recorded_once(answered: Message, visitor: Any) -> None:
    seen: list[dispatch.DomainEvent] = []
    dispatch.subscribe(dispatch.Event.BOT_FEEDBACK, seen.append)
    try:
        client = client_for(visitor)
        for _ in range(2):
            response = client.post(URL, {"message": answered.pk, "choice": "yes"}, format="json")
            assert response.status_code == 200, response.json()
            assert response.json() == {"message": answered.pk, "choice": "yes"}
    finally:
        dispatch.unsubscribe(dispatch.Event.BOT_FEEDBACK, seen.append)
    feedback = BotFeedback.objects.get()
    assert feedback.entry_id == answered.card["entry"] and feedback.choice == "yes"
    assert [e.data["choice"] for e in seen] == ["yes"]
    # "Yes" adds nothing to the conversation.
    assert Message.objects.filter(conversation_id=answered.conversation_id).count() == 2


def test_human_hands_over(
    answered: Message, visitor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(visitor).post(
            URL, {"message": answered.pk, "choice": "human"}, format="json"
        )
    assert response.status_code == 200
    state = BotState.objects.get(conversation_id=answered.conversation_id)
    assert state.handover_reason == BotState.Reason.FEEDBACK
    last = Message.objects.filter(conversation_id=answered.conversation_id).order_by("-seq")
    assert [m.card["type"] for m in last[:2]] == ["bot_handover_note", "bot_handover"]


def test_no_counts_as_a_miss(kb: None, visitor: Any, say: Any) -> None:
    client = client_for(visitor)
    (first,) = say(visitor, "what is your return policy")
    assert client.post(URL, {"message": first.pk, "choice": "no"}, format="json").status_code == 200
    prompt = Message.objects.filter(conversation_id=first.conversation_id).order_by("-seq").first()
    assert prompt.card["type"] == "bot_prompt" and "didn't help" in prompt.body
    # A repeated click changes nothing.
    client.post(URL, {"message": first.pk, "choice": "no"}, format="json")
    assert Message.objects.filter(conversation_id=first.conversation_id).count() == 3
    # "No" then a miss: two in a row → hand-over.
    added = say(visitor, "what's the weather like today")
    assert [m.card["type"] for m in added] == ["bot_handover", "bot_handover_note"]
    state = BotState.objects.get(conversation_id=first.conversation_id)
    assert state.handover_reason == BotState.Reason.LOW_CONFIDENCE


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"message": 1, "choice": "maybe"}, 400, "bad_request"),
        ({"choice": "yes"}, 400, "bad_request"),
        ({"message": "abc", "choice": "yes"}, 400, "bad_request"),
        ({"message": -5, "choice": "yes"}, 400, "bad_request"),
        ({"message": 10**30, "choice": "yes"}, 400, "bad_request"),
        ({"message": 999999999, "choice": "yes"}, 404, "not_found"),
    ],
)
def test_validation(answered: Message, visitor: Any, body: dict, status: int, code: str) -> None:
    response = client_for(visitor).post(URL, body, format="json")
    assert response.status_code == status
    assert response.json()["code"] == code


def test_another_shoppers_message_is_not_found(answered: Message) -> None:
    stranger = make_visitor()
    response = client_for(stranger).post(
        URL, {"message": answered.pk, "choice": "yes"}, format="json"
    )
    assert response.status_code == 404
    assert not BotFeedback.objects.exists()


def test_only_bot_messages_and_offered_choices(answered: Message, visitor: Any, say: Any) -> None:
    client = client_for(visitor)
    own = Message.objects.get(conversation_id=answered.conversation_id, seq=1)
    response = client.post(URL, {"message": own.pk, "choice": "yes"}, format="json")
    assert response.status_code == 404
    (prompt,) = say(visitor, "tell me a joke")
    response = client.post(URL, {"message": prompt.pk, "choice": "yes"}, format="json")
    assert response.status_code == 400 and response.json()["fields"] == {"choice": ["Not offered."]}


def test_needs_visitor_auth(answered: Message) -> None:
    response = APIClient().post(URL, {"message": answered.pk, "choice": "yes"}, format="json")
    assert response.status_code == 401
    agent = make_agent()
    client = APIClient()
    client.force_login(agent)
    response = client.post(URL, {"message": answered.pk, "choice": "yes"}, format="json")
    assert response.status_code in (401, 403)


def test_after_a_human_replied_feedback_is_stored_but_bot_stays_quiet(
    answered: Message, visitor: Any
) -> None:
    agent = make_agent()
    agent_says(agent, answered.conversation, "Hello, I'm here")
    response = client_for(visitor).post(
        URL, {"message": answered.pk, "choice": "human"}, format="json"
    )
    assert response.status_code == 200
    assert BotFeedback.objects.get().choice == "human"
    assert BotState.objects.get(conversation_id=answered.conversation_id).handed_over_at is None


def test_agent_bot_panel(answered: Message, visitor: Any, say: Any) -> None:
    say(visitor, "this is terrible, I want a human")
    agent = make_agent()
    client = APIClient()
    client.force_login(agent)
    response = client.get(f"/api/v1/conversations/{answered.conversation_id}/bot")
    assert response.status_code == 200
    data = response.json()
    assert data["answers"] == 1
    assert data["handover"]["reason"] == "requested"
    assert len(data["sentiment"]) == 2 and data["sentiment"][1]["score"] < 0
    assert client_for(visitor).get(
        f"/api/v1/conversations/{answered.conversation_id}/bot"
    ).status_code in (401, 403)
    assert client.get("/api/v1/conversations/99999999/bot").status_code == 404
