"""Leave-a-message and proactive chat: the widget's REST endpoints."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from chat.models import Conversation, ConversationRouting, LeftMessage, Message, Visitor
from chat.routing import services
from chat.routing.widget import proactive_settings
from tests.factories import make_team, make_visitor, team_agent, visitor_token

pytestmark = pytest.mark.django_db
URL = "/api/widget/leave-message"


def post(client: Client, visitor: Visitor | None, data: Any) -> Any:
    extra = {"HTTP_AUTHORIZATION": f"Visitor {visitor_token(visitor)}"} if visitor else {}
    return client.post(URL, data, content_type="application/json", **extra)


def test_leave_message_is_queued_first_for_the_next_shift(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    team = make_team(default=True)
    early = make_visitor()
    with django_capture_on_commit_callbacks(execute=True):
        from tests.factories import shopper_says

        shopper_says(early, "I was here first but did not leave a message")
        visitor = make_visitor()
        response = post(
            client,
            visitor,
            {"body": "Please call me", "phone": "+86 138 0000 0000", "client_id": "lm-1"},
        )
    assert response.status_code == 201, response.content
    conversation = Conversation.objects.get(pk=response.json()["conversation"])
    routing = ConversationRouting.objects.get(pk=conversation.pk)
    assert routing.queue_reason == "left_message"
    assert routing.queue_priority == services.PRIORITY_LEFT_MESSAGE
    assert Message.objects.filter(conversation=conversation, sender_kind="visitor").count() == 1
    assert LeftMessage.objects.get().phone == "+86 138 0000 0000"
    # Repeating the same client_id stores nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        again = post(
            client,
            visitor,
            {"body": "Please call me", "phone": "+86 138 0000 0000", "client_id": "lm-1"},
        )
    assert again.status_code == 201 and LeftMessage.objects.count() == 1
    # The shift starts: the left message is served before the earlier plain conversation.
    with django_capture_on_commit_callbacks(execute=True):
        agent = team_agent(team, capacity=1)
    assert Conversation.objects.get(pk=conversation.pk).assignee_id == agent.pk


def test_leave_message_validation(client: Client) -> None:
    visitor = make_visitor()
    no_contact = post(client, visitor, {"body": "hi"})
    assert no_contact.status_code == 400 and "email" in no_contact.json()["fields"]
    bad_email = post(client, visitor, {"body": "hi", "email": "not-an-email"})
    assert bad_email.status_code == 400 and "email" in bad_email.json()["fields"]
    bad_phone = post(client, visitor, {"body": "hi", "phone": "call me maybe"})
    assert bad_phone.status_code == 400 and "phone" in bad_phone.json()["fields"]
    empty = post(client, visitor, {"body": "  ", "email": "a@example.com"})
    assert empty.status_code == 400
    assert post(client, None, {"body": "hi", "email": "a@example.com"}).status_code == 401
    assert post(client, visitor, {"body": "hi\x00", "email": "a@example.com"}).status_code == 400
    ok = post(client, visitor, {"body": "hi", "email": "a@example.com"})
    assert ok.status_code == 201
    assert Visitor.objects.get(pk=visitor.pk).email == "a@example.com"
    assert LeftMessage.objects.count() == 1


def test_proactive_settings_endpoint(client: Client) -> None:
    assert client.get("/api/widget/proactive").json()["enabled"] is False
    row = proactive_settings()
    row.enabled = True
    row.delay_seconds = 12
    row.greeting_en = "Need a hand?"
    row.greeting_zh = "需要帮忙吗？"
    row.save()
    assert client.get("/api/widget/proactive?lang=en").json() == {
        "enabled": True,
        "delay_seconds": 12,
        "greeting": "Need a hand?",
    }
    assert client.get("/api/widget/proactive?lang=zh-CN").json()["greeting"] == "需要帮忙吗？"
    zh = client.get("/api/widget/proactive", HTTP_ACCEPT_LANGUAGE="zh-Hans,zh;q=0.9")
    assert zh.json()["greeting"] == "需要帮忙吗？"


def test_widget_strings_ship_in_chinese(client: Client) -> None:
    zh = client.get("/api/widget/config?lang=zh-hans").json()["strings"]
    assert zh["queue.position"] == "您排在第 %(n)s 位"
    assert zh["csat.question"] == "您对本次服务满意吗？"
    en = client.get("/api/widget/config?lang=en").json()["strings"]
    assert en["queue.position"] == "You are number %(n)s in line"
