"""Erasure reaches analytics: question facts lose the shopper's words, counts stay."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import Sum

from analytics import services as analytics_services
from analytics.models import ALL, Fact, QuestionDaily, QuestionFact
from analytics.selectors import hot_questions, overview
from tests.factories import T0, WEEK, agent_at, at, make_agent, make_visitor

pytestmark = pytest.mark.django_db

QUESTION = "do you sell purple giraffe socks"


def _customer(key: str) -> Any:
    from orders.models import Customer

    return Customer.objects.create(external_id=key, name="Lin Mei", email="lin@example.com")


def _erase(customer: Any) -> None:
    from orders.privacy import customer_erase

    customer_erase(customer=customer)


def _counts() -> dict[str, Any]:
    return {
        "facts": Fact.objects.count(),
        "questions": QuestionFact.objects.count(),
        "conversations": overview(WEEK)["values"]["conversations"],
        "question_days": QuestionDaily.objects.filter(team_id=ALL).aggregate(n=Sum("count"))["n"],
    }


def test_erase_clears_question_text_and_keeps_counts(kb: None, ask: Any) -> None:
    customer = _customer("c-erase")
    conv = ask(make_visitor(customer=customer), QUESTION, 0)
    agent_at(make_agent("ana"), conv, 60)
    other = ask(make_visitor(), QUESTION, 30)  # someone else asking the same: untouched
    with at(3600):
        analytics_services.rollup_tick(lag=dt.timedelta(0))
    fact = QuestionFact.objects.get(conversation_id=conv.pk, kb_entry_id__isnull=True)
    assert fact.text == QUESTION and fact.topic_key
    before = _counts()
    assert before["questions"] >= 2 and before["conversations"] == 2

    _erase(customer)

    fact.refresh_from_db()
    assert (fact.text, fact.topic_key, fact.products) == ("", "", "")
    kept = QuestionFact.objects.get(conversation_id=other.pk, kb_entry_id__isnull=True)
    assert kept.text == QUESTION
    with at(7200):
        analytics_services.rollup_rebuild()
    assert _counts() == before  # facts kept, anonymous: every count unchanged
    examples = [e for c in hot_questions(WEEK)["clusters"] for e in c["examples"]]
    assert examples == [QUESTION]  # only the other shopper's words remain
    assert sum(c["count"] for c in hot_questions(WEEK)["clusters"]) == 1


def test_question_of_an_erased_customer_is_imported_anonymous(kb: None, ask: Any) -> None:
    customer = _customer("c-late")
    conv = ask(make_visitor(customer=customer), QUESTION, 0)
    _erase(customer)  # before the tick imported the bot's unmatched question
    with at(3600):
        analytics_services.rollup_tick(lag=dt.timedelta(0))
    fact = QuestionFact.objects.get(conversation_id=conv.pk, kb_entry_id__isnull=True)
    assert (fact.text, fact.topic_key, fact.products) == ("", "", "")
    assert fact.at >= T0


def test_erase_takes_the_key_words_out_of_the_days_topics_and_vectors(kb: None, ask: Any) -> None:
    """The question's key words were copied into the day's topic rows and the topic's vector:
    after the erasure, with no rebuild, no row names them; the counts stay and another
    shopper's topic keeps its row and vector."""
    from analytics.models import TopicVector

    customer = _customer("c-keys")
    conv = ask(make_visitor(customer=customer), "any zebra umbrella discount", 0)
    ask(make_visitor(), QUESTION, 30)
    with at(3600):
        analytics_services.rollup_tick(lag=dt.timedelta(0))
    mine = QuestionFact.objects.get(conversation_id=conv.pk, kb_entry_id__isnull=True).topic_key
    theirs = QuestionFact.objects.exclude(conversation_id=conv.pk).get(kb_entry_id__isnull=True)
    assert "zebra" in mine
    for key in (mine, theirs.topic_key):
        TopicVector.objects.create(topic_key=key, model="m", vector=b"\0" * 8)
    keys = set(QuestionDaily.objects.values_list("topic_key", flat=True))
    assert mine in keys and theirs.topic_key in keys
    before = _counts()

    _erase(customer)

    keys = set(QuestionDaily.objects.values_list("topic_key", flat=True))
    assert not any("zebra" in key for key in keys), keys
    assert theirs.topic_key in keys
    assert set(TopicVector.objects.values_list("topic_key", flat=True)) == {theirs.topic_key}
    assert _counts() == before
