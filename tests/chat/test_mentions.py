"""@mentions in notes: who is named, the Mentions view, reading, and what is not a mention."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from chat.mentions.services import usernames_in
from chat.models import Mention
from tests.factories import agent_says, conversation_of, make_agent

pytestmark = pytest.mark.django_db


def client_of(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_usernames_in() -> None:
    assert usernames_in("@ana can you check? cc @Li-Wei.") == ["ana", "li-wei"]
    assert usernames_in("mail ana@example.com or @@ana") == []
    assert usernames_in("@ana and @ana again") == ["ana"]


def test_note_mentions_notify_list_and_read(django_capture_on_commit_callbacks: Any) -> None:
    ana, bob, cy = make_agent("ana", name="Ana"), make_agent("bob", name="Bob"), make_agent("cy")
    conversation = conversation_of(body="Where is my parcel?")
    other = conversation_of(body="hello")
    with django_capture_on_commit_callbacks() as callbacks:
        note = agent_says(bob, conversation, "@ana can you look? @bob @nobody", private=True)
    assert [(m.user_id, m.by_id, m.seq) for m in Mention.objects.all()] == [
        (ana.pk, bob.pk, note.seq)
    ]
    assert callbacks  # the frame goes out after commit
    # A public reply naming someone, and a shopper's "@", mention nobody.
    agent_says(bob, other, "@ana hello", private=False)
    agent_says(cy, other, "@cy talking to myself", private=True)
    assert Mention.objects.count() == 1

    data = client_of(ana).get("/api/v1/mentions/").json()
    assert data["unread"] == 1
    [row] = data["results"]
    assert row["conversation"]["id"] == conversation.pk
    mention = row["mention"]
    assert mention["by"] == {"id": bob.pk, "name": "Bob"} and mention["read"] is False
    assert mention["seq"] == note.seq and mention["snippet"].startswith("@ana can you look?")
    assert client_of(bob).get("/api/v1/mentions/").json() == {"unread": 0, "results": []}

    read = client_of(ana).post(
        "/api/v1/mentions/read", {"conversation": conversation.pk}, format="json"
    )
    assert read.json() == {"unread": 0}
    data = client_of(ana).get("/api/v1/mentions/").json()
    assert data["unread"] == 0 and data["results"][0]["mention"]["read"] is True
    bad = client_of(ana).post("/api/v1/mentions/read", {"conversation": "x"}, format="json")
    assert bad.status_code == 400


def test_agents_to_mention_and_agents_only() -> None:
    ana = make_agent("ana", name="Ana")
    make_agent("bob", name="Bob")
    agents = client_of(ana).get("/api/v1/mentions/agents").json()["results"]
    assert [(a["username"], a["name"]) for a in agents] == [("ana", "Ana"), ("bob", "Bob")]
    assert APIClient().get("/api/v1/mentions/").status_code in (401, 403)
