"""The leave-a-message form and contact details go to a person, never to the knowledge base
("Please call me back" was once answered with the return policy)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from chat.models import BotState, Conversation, Message
from tests.factories import visitor_token

pytestmark = pytest.mark.django_db
URL = "/api/widget/leave-message"


def leave(client: Client, visitor: Any, capture: Any, body: str, **contact: str) -> Conversation:
    with capture(execute=True):
        response = client.post(
            URL,
            {"body": body, **contact},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Visitor {visitor_token(visitor)}",
        )
    assert response.status_code == 201, response.content
    return Conversation.objects.get(pk=response.json()["conversation"])


def bot_messages(conversation: Conversation) -> list[Message]:
    return list(Message.objects.filter(conversation=conversation, sender_kind="bot"))


@pytest.mark.parametrize(
    ("body", "contact"),
    [
        ("Please call me back", {"phone": "+49 151 2345 6789"}),
        ("What is your return policy? I want to send the shoes back", {"email": "a@example.com"}),
        ("退货政策是什么？请回电", {"phone": "13812345678"}),
    ],
)
def test_a_left_message_is_never_answered_by_the_bot(
    kb: None,
    visitor: Any,
    client: Client,
    django_capture_on_commit_callbacks: Any,
    body: str,
    contact: dict[str, str],
) -> None:
    conversation = leave(client, visitor, django_capture_on_commit_callbacks, body, **contact)
    # The shopper's message is in the conversation; the bot said nothing, not even a hand-over.
    assert (
        list(
            Message.objects.filter(conversation=conversation).values_list("sender_kind", flat=True)
        ).count("visitor")
        == 1
    )
    assert bot_messages(conversation) == []
    state = BotState.objects.get(conversation=conversation)
    assert state.handed_over_at is not None
    assert state.handover_reason == BotState.Reason.REQUESTED
    assert "left a message" in state.handover_detail


def test_after_a_left_message_the_bot_stays_silent_in_the_chat(
    kb: None, visitor: Any, client: Client, say: Any, django_capture_on_commit_callbacks: Any
) -> None:
    (answer,) = say(visitor, "what is your return policy")
    assert answer.card["type"] == "bot_answer"
    conversation = leave(
        client, visitor, django_capture_on_commit_callbacks, "Call me back", phone="+4915123456789"
    )
    assert conversation.pk == answer.conversation_id
    assert bot_messages(conversation) == [answer]
    # A question typed in the chat afterwards is for the person who calls back, too.
    assert say(visitor, "how long does shipping take") == []


@pytest.mark.parametrize(
    "text",
    [
        "Please call me back",
        "Call me back about the return policy please",
        "my email is anna@example.com, what is your return policy",
        "reach me on +49 151 2345 6789 about the refund",
        "请给我回电，退货政策是什么",
        "我的手机是13812345678",
    ],
)
def test_contact_details_in_the_chat_go_to_a_person(
    kb: None, visitor: Any, say: Any, text: str
) -> None:
    added = say(visitor, text)
    assert added[0].card["type"] == "bot_handover"
    assert not [m for m in added if (m.card or {}).get("type") == "bot_answer"]
    state = BotState.objects.get(conversation_id=added[0].conversation_id)
    assert state.handover_reason == BotState.Reason.REQUESTED
    # The agent sees what the shopper wrote (as stored: long digit runs masked by redaction).
    shopper = Message.objects.get(conversation_id=state.conversation_id, sender_kind="visitor")
    assert state.handover_detail == shopper.body


@pytest.mark.parametrize(
    "text",
    ["where is my order 10023456", "my order number is 12345678", "what is your return policy"],
)
def test_order_numbers_are_not_contact_details(kb: None, visitor: Any, say: Any, text: str) -> None:
    added = say(visitor, text)
    assert added[0].card["type"] != "bot_handover" or added[0].card["reason"] == "order"
