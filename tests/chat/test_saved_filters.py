"""Saved filters: save, replace by name, share, who sees and deletes what, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.factories import make_agent

pytestmark = pytest.mark.django_db
URL = "/api/v1/saved-filters/"


def client_of(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_save_replace_share_list_and_delete() -> None:
    ana, bob = make_agent("ana", name="Ana"), make_agent("bob", name="Bob")
    desk = client_of(ana)
    filters = {"view": "mine", "status": "open", "label": "3", "channel": "", "q": "退货"}
    made = desk.post(URL, {"name": "My refunds", "filters": filters}, format="json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["filters"] == {"view": "mine", "status": "open", "label": "3", "q": "退货"}
    assert body["mine"] is True and body["shared"] is False
    assert body["owner"] == {"id": ana.pk, "name": "Ana"}
    # Saving the same name again replaces it (one row), and shares it.
    again = desk.post(
        URL,
        {"name": "My refunds", "shared": True, "filters": {"status": "pending"}},
        format="json",
    )
    assert again.json()["id"] == body["id"] and again.json()["filters"] == {"status": "pending"}
    desk.post(URL, {"name": "Private", "filters": {"view": "all"}}, format="json")

    names = [(s["name"], s["mine"]) for s in desk.get(URL).json()["results"]]
    assert names == [("My refunds", True), ("Private", True)]
    # Bob sees only the shared one, cannot delete it.
    his = client_of(bob)
    assert [(s["name"], s["mine"]) for s in his.get(URL).json()["results"]] == [
        ("My refunds", False)
    ]
    assert his.delete(f"{URL}{body['id']}").status_code == 404
    assert desk.delete(f"{URL}{body['id']}").status_code == 204
    assert his.get(URL).json()["results"] == []


@pytest.mark.parametrize(
    "data",
    [
        {"name": "", "filters": {}},
        {"name": "x" * 81, "filters": {}},
        {"name": "a", "filters": {"assignee_secret": "1"}},
        {"name": "a", "filters": {"q": "x" * 101}},
        {"name": "a", "filters": {"q": ["x"]}},
        {"name": "a", "filters": []},
        {"name": "a", "shared": "yes", "filters": {}},
    ],
)
def test_bad_input(data: dict[str, Any]) -> None:
    response = client_of(make_agent("ana")).post(URL, data, format="json")
    assert response.status_code == 400, response.content


def test_agents_only() -> None:
    assert APIClient().get(URL).status_code in (401, 403)


def test_new_desk_strings_are_in_chinese() -> None:
    """Search, mentions and saved filters speak the desk's Chinese (locale/search)."""
    client = client_of(make_agent("ana"))
    catalog = client.get("/jsi18n/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["catalog"]
    for english, chinese in [
        ("Save filters", "保存筛选"),
        ("Share with the team", "与团队共享"),
        ("Mentions", "提及"),
        ("%s mentioned you:", "%s 提及了你："),
        ("No message contains these words.", "没有消息包含这些词。"),
        ("Messages", "消息"),
    ]:
        assert catalog.get(english) == chinese, english
