"""Priorities: set through the API (activity line, domain event, live update), filter and
sort the list with paging, the macro action, and bad input."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from chat.models import Conversation, Macro, Message
from helpdesk import dispatch
from tests.factories import conversation_of, make_agent

pytestmark = pytest.mark.django_db
LIST = "/api/v1/conversations/"


@pytest.fixture
def ana() -> Any:
    return make_agent("ana", name="Ana")


@pytest.fixture
def desk(ana: Any) -> APIClient:
    client = APIClient()
    client.force_login(ana)
    return client


def url(conversation: Conversation) -> str:
    return f"/api/v1/conversations/{conversation.pk}/priority"


def test_set_priority_records_who_and_tells_the_listeners(
    desk: APIClient, ana: Any, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = conversation_of(name="Mia")
    heard: list[dispatch.DomainEvent] = []
    dispatch.subscribe(dispatch.Event.CONVERSATION_PRIORITY_CHANGED, heard.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = desk.post(url(conversation), {"priority": "urgent"}, format="json")
        # The same priority again changes nothing: no second line, no second event.
        again = desk.post(url(conversation), {"priority": "urgent"}, format="json")
    finally:
        dispatch.unsubscribe(dispatch.Event.CONVERSATION_PRIORITY_CHANGED, heard.append)
    assert response.status_code == 200, response.content
    assert response.json()["priority"] == "urgent" and again.json()["priority"] == "urgent"
    conversation.refresh_from_db()
    assert conversation.priority == Conversation.Priority.URGENT
    assert [(e.data["priority"], e.data["previous"], e.data["by_user_id"]) for e in heard] == [
        ("urgent", "none", ana.pk)
    ]
    lines = Message.objects.filter(conversation=conversation, sender_kind="system")
    assert [m.body for m in lines] == ["Ana set the priority to Urgent"]
    assert all(m.private for m in lines)  # the shopper never sees it
    detail = desk.get(f"/api/v1/conversations/{conversation.pk}").json()
    assert detail["priority"] == "urgent"


def test_the_shopper_view_has_no_priority(ana: Any) -> None:
    from chat import events

    conversation = conversation_of()
    assert "priority" not in events.conversation_payload(conversation, staff=False)
    assert events.conversation_payload(conversation, staff=True)["priority"] == "none"


def test_list_filters_and_sorts_by_priority_with_paging(desk: APIClient) -> None:
    made = {}
    for name, priority in [
        ("a", "low"),
        ("b", "urgent"),
        ("c", "none"),
        ("d", "high"),
        ("e", "urgent"),
    ]:
        made[name] = conversation_of(name=name)
        if priority != "none":
            desk.post(url(made[name]), {"priority": priority}, format="json")
    urgent = desk.get(LIST, {"view": "all", "priority": "urgent"}).json()["results"]
    assert {c["id"] for c in urgent} == {made["b"].pk, made["e"].pk}
    none = desk.get(LIST, {"view": "all", "priority": "none"}).json()["results"]
    assert [c["id"] for c in none] == [made["c"].pk]

    # Most urgent first, newest first within a priority; pages follow the same order.
    ordered = [made[n].pk for n in ("e", "b", "d", "a", "c")]
    full = desk.get(LIST, {"view": "all", "sort": "priority"}).json()["results"]
    assert [c["id"] for c in full] == ordered
    seen: list[int] = []
    params: dict[str, Any] = {"view": "all", "sort": "priority", "limit": 2}
    while True:
        page = desk.get(LIST, params).json()["results"]
        if not page:
            break
        seen += [c["id"] for c in page]
        last = page[-1]
        params.update(before=last["last_activity_at"], before_priority=last["priority"])
    assert seen == ordered
    # The default order is untouched: newest activity first.
    recent = desk.get(LIST, {"view": "all"}).json()["results"]
    assert [c["id"] for c in recent] == [made[n].pk for n in ("e", "d", "c", "b", "a")]


@pytest.mark.parametrize(
    ("method", "target", "body"),
    [
        ("post", "set", {"priority": "critical"}),
        ("post", "set", {"priority": 4}),
        ("post", "set", {}),
        ("get", LIST, {"priority": "critical"}),
        ("get", LIST, {"sort": "loudest"}),
        (
            "get",
            LIST,
            {"sort": "priority", "before": "2026-01-01T00:00:00Z", "before_priority": "x"},
        ),
    ],
)
def test_bad_priorities_are_refused(
    desk: APIClient, method: str, target: str, body: dict[str, Any]
) -> None:
    conversation = conversation_of()
    if target == "set":
        response = desk.post(url(conversation), body, format="json")
    else:
        response = desk.get(target, body)
    assert response.status_code == 400 and response.json()["code"] == "bad_request"
    conversation.refresh_from_db()
    assert conversation.priority == Conversation.Priority.NONE


def test_unknown_conversation_is_not_found_and_shoppers_cannot_set_priority(
    desk: APIClient,
) -> None:
    assert (
        desk.post(
            "/api/v1/conversations/987654/priority", {"priority": "high"}, format="json"
        ).status_code
        == 404
    )
    conversation = conversation_of()
    response = APIClient().post(url(conversation), {"priority": "high"}, format="json")
    assert response.status_code in (401, 403)


def test_a_macro_sets_the_priority(desk: APIClient) -> None:
    macro = Macro.objects.create(
        name="Escalate", actions=[{"type": "priority", "priority": "high"}, {"type": "assign_me"}]
    )
    conversation = conversation_of()
    response = desk.post(f"/api/v1/conversations/{conversation.pk}/macros/{macro.pk}")
    assert response.status_code == 200, response.content
    assert response.json()["priority"] == "high"
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        Macro(name="x", actions=[{"type": "priority", "priority": "asap"}]).full_clean()
