"""Labels on conversations: the bulk API, the list filter, access and bad input."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from chat.models import Label
from tests.factories import conversation_of, make_agent

pytestmark = pytest.mark.django_db
URL = "/api/v1/conversations/labels"


@pytest.fixture
def desk() -> APIClient:
    client = APIClient()
    client.force_login(make_agent("ana"))
    return client


def test_bulk_apply_filter_and_remove(
    desk: APIClient, django_capture_on_commit_callbacks: Any
) -> None:
    vip = Label.objects.create(name="VIP", color="#d97706")
    refund = Label.objects.create(name="Refund", color="#dc2626")
    one, two, three = (conversation_of(body=f"hi {n}") for n in range(3))
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(
            URL, {"conversations": [one.pk, two.pk], "add": [vip.pk, refund.pk]}, format="json"
        )
    assert response.status_code == 200, response.content
    assert {c["id"] for c in response.json()["results"]} == {one.pk, two.pk}
    assert response.json()["results"][0]["labels"] == [
        {"id": refund.pk, "name": "Refund", "color": "#dc2626"},
        {"id": vip.pk, "name": "VIP", "color": "#d97706"},
    ]
    # Applying again changes nothing.
    again = desk.post(URL, {"conversations": [one.pk], "add": [vip.pk]}, format="json")
    assert again.status_code == 200 and len(again.json()["results"][0]["labels"]) == 2
    listed = desk.get("/api/v1/conversations/", {"view": "all", "label": vip.pk}).json()
    assert {c["id"] for c in listed["results"]} == {one.pk, two.pk}
    assert all(c["labels"] for c in listed["results"])
    everyone = desk.get("/api/v1/conversations/", {"view": "all"}).json()["results"]
    assert {c["id"]: bool(c["labels"]) for c in everyone}[three.pk] is False

    desk.post(URL, {"conversations": [two.pk], "remove": [vip.pk]}, format="json")
    listed = desk.get("/api/v1/conversations/", {"view": "all", "label": vip.pk}).json()
    assert [c["id"] for c in listed["results"]] == [one.pk]
    assert desk.get("/api/v1/labels/").json()["results"][1]["name"] == "VIP"


@pytest.mark.parametrize(
    "body",
    [
        {"conversations": [], "add": [1]},
        {"conversations": [1]},
        {"conversations": "1", "add": [1]},
        {"conversations": [1], "add": [999]},
        {"conversations": [1], "add": [True]},
    ],
)
def test_bad_input_is_refused_and_changes_nothing(desk: APIClient, body: dict[str, Any]) -> None:
    conversation = conversation_of()
    Label.objects.create(name="VIP")
    body = {
        **body,
        "conversations": body["conversations"]
        if body["conversations"] != [1]
        else [conversation.pk],
    }
    response = desk.post(URL, body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "bad_request"
    assert not Label.conversations.through.objects.exists()


def test_unknown_conversation_is_not_found_and_shoppers_cannot_label() -> None:
    label = Label.objects.create(name="VIP")
    agent = APIClient()
    agent.force_login(make_agent("bo"))
    response = agent.post(URL, {"conversations": [987654], "add": [label.pk]}, format="json")
    assert response.status_code == 404
    assert APIClient().post(
        URL, {"conversations": [1], "add": [label.pk]}, format="json"
    ).status_code in (401, 403)
