"""Macros: several actions in one click, all or nothing, each through its own service."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from chat.models import Label, Macro, Message
from tests.factories import conversation_of, make_agent

pytestmark = pytest.mark.django_db


def test_a_macro_replies_labels_takes_and_resolves(
    django_capture_on_commit_callbacks: Any,
) -> None:
    ana = make_agent("ana", name="Ana")
    Label.objects.create(name="Feedback", color="#16a34a")
    macro = Macro.objects.create(
        name="Thank and resolve",
        actions=[
            {"type": "reply", "text": "Thanks {{customer.name|there}}, {{agent.name}} here!"},
            {"type": "note", "text": "closed by macro"},
            {"type": "label", "label": "Feedback"},
            {"type": "assign_me"},
            {"type": "resolve"},
        ],
    )
    conversation = conversation_of(name="Mia")
    client = APIClient()
    client.force_login(ana)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/conversations/{conversation.pk}/macros/{macro.pk}")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "resolved" and data["assignee"]["id"] == ana.pk
    assert [x["name"] for x in data["labels"]] == ["Feedback"]
    sent = list(
        Message.objects.filter(conversation=conversation, sender_kind="agent")
        .order_by("seq")
        .values_list("body", "private")
    )
    assert sent == [("Thanks Mia, Ana here!", False), ("closed by macro", True)]
    assert client.get("/api/v1/macros/").json()["results"] == [
        {"id": macro.pk, "name": "Thank and resolve"}
    ]


def test_a_macro_that_fails_halfway_changes_nothing() -> None:
    ana = make_agent("ana")
    macro = Macro.objects.create(
        name="Broken", actions=[{"type": "assign_me"}, {"type": "label", "label": "Gone"}]
    )
    conversation = conversation_of()
    client = APIClient()
    client.force_login(ana)
    response = client.post(f"/api/v1/conversations/{conversation.pk}/macros/{macro.pk}")
    assert response.status_code == 404 and "no label named 'Gone'" in response.json()["detail"]
    conversation.refresh_from_db()
    assert conversation.assignee_id is None
    assert client.post(f"/api/v1/conversations/{conversation.pk}/macros/99999").status_code == 404


@pytest.mark.parametrize(
    "actions",
    [[], "resolve", [{"type": "delete_everything"}], [{"type": "reply", "text": " "}]],
)
def test_bad_actions_are_refused_in_the_admin(actions: Any) -> None:
    with pytest.raises(ValidationError):
        Macro(name="x", actions=actions).full_clean()
