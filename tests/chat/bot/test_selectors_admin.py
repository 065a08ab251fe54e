"""The unmatched-questions selector, the demo loader, the admin pages and the API schema."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from chat.bot.demo import load_knowledge_base
from chat.bot.selectors import unmatched_questions
from chat.models import KnowledgeEntry, KnowledgeQuestion
from tests.factories import make_visitor

pytestmark = pytest.mark.django_db


def test_unmatched_questions_selector(kb: None, say: Any) -> None:
    before = timezone.now() - dt.timedelta(seconds=1)
    say(make_visitor(), "do you sell laptops")
    say(make_visitor(), "你们卖电脑吗")
    say(make_visitor(), "what is your return policy")  # answered: not listed
    rows = unmatched_questions(since=before)
    assert [r["text"] for r in rows] == ["你们卖电脑吗", "do you sell laptops"]
    assert rows[0]["language"] == "zh-hans" and rows[1]["language"] == "en"
    assert set(rows[0]) == {
        "id",
        "conversation",
        "message",
        "text",
        "language",
        "best_entry",
        "best_score",
        "created_at",
    }
    assert [r["text"] for r in unmatched_questions(since=before, language="en")] == [
        "do you sell laptops"
    ]
    assert unmatched_questions(since=timezone.now() + dt.timedelta(seconds=5)) == []
    assert len(unmatched_questions(since=before, limit=1)) == 1
    assert unmatched_questions(since=before, until=before) == []


def test_demo_loader_is_idempotent(db: Any) -> None:
    lines: list[str] = []
    load_knowledge_base(lines.append)
    entries, phrasings = KnowledgeEntry.objects.count(), KnowledgeQuestion.objects.count()
    load_knowledge_base(lines.append)
    assert (KnowledgeEntry.objects.count(), KnowledgeQuestion.objects.count()) == (
        entries,
        phrasings,
    )
    assert entries == 32
    assert set(KnowledgeEntry.objects.values_list("language", flat=True)) == {"en", "zh-hans"}
    assert "(0 new)" in lines[-1]


def test_admin_pages(kb: None, admin_client: Any) -> None:
    entry = KnowledgeEntry.objects.first()
    for url in (
        "/admin/chat/knowledgeentry/",
        "/admin/chat/knowledgeentry/?language__exact=zh-hans&q=退货",
        "/admin/chat/knowledgeentry/add/",
        f"/admin/chat/knowledgeentry/{entry.pk}/change/",
        "/admin/chat/unmatchedquestion/",
        "/admin/chat/botfeedback/",
    ):
        assert admin_client.get(url).status_code == 200, url


def test_admin_edit_is_seen_by_the_matcher(kb: None, admin_client: Any) -> None:
    from chat.bot.matching import match_question

    response = admin_client.post(
        "/admin/chat/knowledgeentry/add/",
        {
            "title": "Gift cards",
            "answer": "Gift cards are sold in amounts from $10 to $200.",
            "language": "en",
            "tags": "payment",
            "active": "on",
            "questions-TOTAL_FORMS": "1",
            "questions-INITIAL_FORMS": "0",
            "questions-MIN_NUM_FORMS": "1",
            "questions-MAX_NUM_FORMS": "1000",
            "questions-0-text": "Do you sell gift cards?",
        },
    )
    assert response.status_code == 302, response.content[:500]
    entry = KnowledgeEntry.objects.get(title="Gift cards")
    assert match_question("can i buy a giftcard").entry_id == entry.pk


def test_schema_lists_the_bot_endpoints(client: Any) -> None:
    schema = client.get("/api/schema/?format=json").json()
    assert "/api/widget/bot/feedback" in schema["paths"]
    assert "/api/v1/conversations/{conversation_id}/bot" in schema["paths"]
