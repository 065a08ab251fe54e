"""Satisfaction: once per resolution, only the shopper, only when resolved; the event."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from chat import events
from chat import services as chat_services
from chat.access import Actor
from chat.csat.services import Conflict, csat_submit
from chat.models import Conversation, Message, SatisfactionRating
from helpdesk import dispatch
from helpdesk.errors import BadRequest, Forbidden, NotFound
from tests.factories import agent_says, make_agent, make_visitor, shopper_says, visitor_token

pytestmark = pytest.mark.django_db


def resolved_conversation() -> tuple[Any, Conversation, Any]:
    agent = make_agent()
    visitor = make_visitor()
    conversation = shopper_says(visitor, "help").conversation
    agent_says(agent, conversation, "done")
    chat_services.conversation_status_set(
        actor=Actor(user=agent), conversation_id=conversation.pk, status="resolved"
    )
    return agent, Conversation.objects.get(pk=conversation.pk), visitor


def test_rating_stored_once_per_resolution_and_again_after_reopen() -> None:
    agent, conversation, visitor = resolved_conversation()
    seen: list[dispatch.DomainEvent] = []
    dispatch.subscribe(dispatch.Event.CSAT_SUBMITTED, seen.append)
    try:
        shopper = Actor(visitor=visitor)
        assert events.conversation_payload(conversation, staff=False)["csat_requested"] is True
        stored = csat_submit(actor=shopper, conversation_id=conversation.pk, rating=4, comment="ok")
        assert stored.resolved_at == conversation.resolved_at and stored.assignee_id == agent.pk
        assert events.conversation_payload(conversation, staff=False)["csat_requested"] is False
        with pytest.raises(Conflict):
            csat_submit(actor=shopper, conversation_id=conversation.pk, rating=5)
        assert SatisfactionRating.objects.count() == 1
        assert [e.data["rating"] for e in seen] == [4]
        note = Message.objects.filter(conversation=conversation, private=True).last()
        assert note is not None and "4/5" in note.body and note.body.endswith(": ok")
        # The shopper writes again: reopened, a new care cycle, resolved again -> rated again.
        shopper_says(visitor, "one more thing")
        chat_services.conversation_status_set(
            actor=Actor(user=agent), conversation_id=conversation.pk, status="resolved"
        )
        csat_submit(actor=shopper, conversation_id=conversation.pk, rating=2)
        assert SatisfactionRating.objects.filter(conversation=conversation).count() == 2
    finally:
        dispatch.unsubscribe(dispatch.Event.CSAT_SUBMITTED, seen.append)


def test_validation_and_access() -> None:
    agent, conversation, visitor = resolved_conversation()
    shopper = Actor(visitor=visitor)
    for bad in (0, 6, "5", True, None, 4.5):
        with pytest.raises(BadRequest):
            csat_submit(actor=shopper, conversation_id=conversation.pk, rating=bad)
    with pytest.raises(BadRequest):
        csat_submit(actor=shopper, conversation_id=conversation.pk, rating=3, comment="x" * 2001)
    with pytest.raises(Forbidden):
        csat_submit(actor=Actor(user=agent), conversation_id=conversation.pk, rating=5)
    with pytest.raises(NotFound):
        csat_submit(actor=Actor(visitor=make_visitor()), conversation_id=conversation.pk, rating=5)
    open_one = shopper_says(make_visitor(), "hi").conversation
    with pytest.raises(BadRequest):
        csat_submit(actor=Actor(visitor=open_one.visitor), conversation_id=open_one.pk, rating=5)
    assert SatisfactionRating.objects.count() == 0


def test_rest_endpoint(client: Client) -> None:
    _agent, conversation, visitor = resolved_conversation()
    auth = {"HTTP_AUTHORIZATION": f"Visitor {visitor_token(visitor)}"}
    url = "/api/widget/csat"
    bad = client.post(
        url, {"conversation": conversation.pk, "rating": 9}, content_type="application/json", **auth
    )
    assert bad.status_code == 400 and "rating" in bad.json()["fields"]
    ok = client.post(
        url,
        {"conversation": conversation.pk, "rating": 5, "comment": "great"},
        content_type="application/json",
        **auth,
    )
    assert ok.status_code == 201 and ok.json()["rating"] == 5
    again = client.post(
        url, {"conversation": conversation.pk, "rating": 5}, content_type="application/json", **auth
    )
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    anonymous = client.post(
        url, {"conversation": conversation.pk, "rating": 5}, content_type="application/json"
    )
    assert anonymous.status_code == 401
    garbage = client.post(url, "[1,2", content_type="application/json", **auth)
    assert garbage.status_code == 400
