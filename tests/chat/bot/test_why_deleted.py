"""A why that names an entry deleted since says so, with no admin link to a missing page."""

from __future__ import annotations

from typing import Any

import pytest

from chat import events
from chat.models import BotWhy, KnowledgeEntry, Message
from tests.factories import make_visitor

pytestmark = pytest.mark.django_db


def test_an_answer_whose_entry_was_deleted_says_so(kb: None, say: Any) -> None:
    (answer,) = say(make_visitor(), "how do I get a refnud for my order")
    assert answer.card["type"] == "bot_answer"
    entry = KnowledgeEntry.objects.get(pk=answer.card["entry"])
    other = BotWhy.objects.create(
        message_id=answer.pk + 10_000,
        data={"decision": "answer", "entry": {"id": entry.pk + 1, "title": "kept"}},
    )
    staff = events.message_payload(Message.objects.get(pk=answer.pk), staff=True)["bot_why"]
    assert staff["entry"]["url"].endswith(f"/{entry.pk}/change/")
    assert staff["entry"]["deleted"] is False

    entry.delete()

    staff = events.message_payload(Message.objects.get(pk=answer.pk), staff=True)["bot_why"]
    assert staff["entry"]["deleted"] is True and staff["entry"]["url"] is None
    assert staff["entry"]["title"] and staff["entry"]["id"]
    # A why about another entry is left alone.
    other.refresh_from_db()
    assert "deleted" not in other.data["entry"]


def test_a_suggestion_list_marks_only_the_deleted_entry(
    kb: None, always_suggest: None, say: Any
) -> None:
    (suggest,) = say(make_visitor(), "where is the money for the shoes I sent back")
    offered = suggest.card["suggestions"]
    assert len(offered) >= 2
    gone = KnowledgeEntry.objects.get(key=offered[0]["key"], language="en")
    gone.delete()
    why = events.message_payload(Message.objects.get(pk=suggest.pk), staff=True)["bot_why"]
    by_key = {s["key"]: s for s in why["suggestions"]}
    assert by_key[gone.key]["deleted"] is True and by_key[gone.key]["url"] is None
    for s in why["suggestions"]:
        if s["key"] != gone.key:
            assert s["deleted"] is False and s["url"].endswith(f"/{s['id']}/change/")
