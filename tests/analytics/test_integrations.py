"""Facts from the other areas' real code: the bot, business hours, orders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Sum

from analytics import services as analytics_services
from analytics.models import Fact, MessageCount, QuestionDaily, QuestionFact
from analytics.selectors import ReportFilter, agents_table, hot_questions, overview
from chat.models import Schedule, ScheduleInterval
from tests.factories import (
    T0,
    WEEK,
    agent_at,
    at,
    make_agent,
    make_visitor,
    shopper_at,
    shopper_says,
    status_at,
)

pytestmark = pytest.mark.django_db


def test_real_bot_answer_unmatched_and_handover(kb: None, ask: Any) -> None:
    ana = make_agent("ana")
    visitor = make_visitor()
    conv = ask(visitor, "how long does shipping take", 0)
    ask(visitor, "do you sell purple giraffe socks", 30)
    ask(visitor, "human please", 60)
    agent_at(ana, conv, 120)

    matched = QuestionFact.objects.get(kb_entry_id__isnull=False)
    assert matched.text == "how long does shipping take"
    handovers = Fact.objects.filter(kind=Fact.Kind.HANDOVER)
    assert handovers.count() == 1
    (first,) = Fact.objects.filter(kind=Fact.Kind.FIRST_RESPONSE)
    assert first.seconds == pytest.approx(60.0, abs=1)  # from the hand-over, not from 0 s
    bot_messages = MessageCount.objects.filter(sender=Fact.Sender.BOT).aggregate(n=Sum("count"))
    assert bot_messages["n"] >= 2

    with at(3600):
        analytics_services.rollup_tick(lag=dt.timedelta(0))
    assert QuestionFact.objects.filter(kb_entry_id__isnull=True).exists()
    hot = hot_questions(WEEK)
    assert hot["matched"][0]["count"] == 1
    titles = [c["title"] for c in hot["clusters"]]
    assert "do you sell purple giraffe socks" in titles
    assert QuestionDaily.objects.filter(kb_entry_id=0).exists()


def _office_hours() -> None:
    """Mon–Fri 09:00–17:00 UTC, desk-wide (routing's real schedule)."""
    schedule = Schedule.objects.create(team=None, timezone="UTC")
    for weekday in range(5):
        ScheduleInterval.objects.create(
            schedule=schedule, weekday=weekday, opens=dt.time(9), closes=dt.time(17)
        )


def test_business_hours_and_resolved_outside_hours() -> None:
    _office_hours()
    ana = make_agent("ana")
    conv = shopper_at(make_visitor(), 7 * 3600 + 50 * 60)  # Monday 16:50
    agent_at(ana, conv, 8 * 3600 + 10 * 60)  # 17:10
    status_at(ana, conv, "resolved", 24 * 3600 + 5 * 60)  # Tuesday 09:05
    late = shopper_at(make_visitor(), 9 * 3600)  # Monday 18:00: outside hours

    (first,) = Fact.objects.filter(kind=Fact.Kind.FIRST_RESPONSE)
    assert (first.seconds, first.bh_seconds) == (1200.0, 600.0)
    (resolved,) = Fact.objects.filter(kind=Fact.Kind.RESOLVED)
    assert resolved.seconds == 16 * 3600 + 15 * 60
    assert resolved.bh_seconds == 15 * 60  # 16:50–17:00 and 09:00–09:05
    opened = {f.conversation_id: f.flag for f in Fact.objects.filter(kind=Fact.Kind.OPENED)}
    assert opened == {conv.pk: False, late.pk: True}

    analytics_services.rollup_tick(lag=dt.timedelta(0))
    wall = overview(WEEK)["values"]
    bh = overview(ReportFilter(start=WEEK.start, end=WEEK.end, compare=False, business_hours=True))
    assert wall["resolution_median"] == 58500.0 and bh["values"]["resolution_median"] == 900.0
    assert wall["within_3m_share"] == 0.0
    assert wall["outside_hours_share"] == 0.5


def test_conversion_within_24h_and_7d() -> None:
    from orders.models import Customer
    from orders.services.orders import orders_upsert

    ana = make_agent("ana")
    customer = Customer.objects.create(external_id="c-1", name="Lin")
    visitor = make_visitor(customer=customer)
    first = shopper_at(visitor, 0)
    agent_at(ana, first, 30)
    status_at(ana, first, "resolved", 600)
    stranger = shopper_at(make_visitor(), 10)
    agent_at(ana, stranger, 40)

    def order(key: str, after: dt.timedelta, total: str) -> None:
        orders_upsert(
            orders=[
                {
                    "external_id": key,
                    "customer": "c-1",
                    "status": "paid",
                    "placed_at": T0 + after,
                    "total": Decimal(total),
                }
            ]
        )

    order("o-1", dt.timedelta(days=3), "80.00")  # 7 d only
    analytics_services.rollup_tick(lag=dt.timedelta(0))
    facts = {(f.conversation_id, f.kind): f for f in Fact.objects.filter(kind__in=[12, 13])}
    assert set(facts) == {(first.pk, Fact.Kind.CONVERSION_7D)}
    one = facts[(first.pk, Fact.Kind.CONVERSION_7D)]
    # Dated at the order, credited to the agent holding the conversation then.
    assert (one.amount, one.at, one.agent_id, one.flag) == (
        Decimal("80.00"),
        T0 + dt.timedelta(days=3),
        ana.pk,  # she took it by replying
        True,
    )

    order("o-2", dt.timedelta(hours=5), "20.00")  # imported late, placed 5 h after: 24 h
    analytics_services.rollup_tick(lag=dt.timedelta(0))
    got = sorted(
        (f.kind, f.value is not None, f.flag, f.amount)
        for f in Fact.objects.filter(kind__in=[12, 13])
    )
    # o-2 is the conversation's first 24 h order and its second 7 d order (no new 7 d credit).
    assert got == [
        (Fact.Kind.CONVERSION_24H, True, True, Decimal("20.00")),
        (Fact.Kind.CONVERSION_7D, True, False, Decimal("20.00")),
        (Fact.Kind.CONVERSION_7D, True, True, Decimal("80.00")),
    ]
    analytics_services.rollup_tick(lag=dt.timedelta(0))  # re-reading orders adds nothing
    assert Fact.objects.filter(kind__in=[12, 13]).count() == 3

    rows = {r["agent_id"]: r for r in agents_table(WEEK)}
    assert rows[ana.pk]["handled"] == 2
    assert rows[ana.pk]["conversion_24h"] == 0.5
    assert rows[ana.pk]["conversion_24h_value"] == Decimal("20.00")
    assert rows[ana.pk]["conversion_7d"] == 0.5
    assert rows[ana.pk]["conversion_7d_value"] == Decimal("100.00")


def test_unmatched_clusters_examples_products_and_trend() -> None:
    from chat.models import UnmatchedQuestion
    from orders.models import Product

    kettle = Product.objects.create(external_id="p-1", name="Blue Kettle", slug="blue-kettle")
    questions = [
        (-7 * 86400, "is the blue kettle dishwasher safe"),  # previous week
        (0, "is the Blue Kettle dishwasher safe?"),
        (60, "blue kettle dishwasher safe"),
        (120, "can the blue kettles go in the dishwasher safe"),
        (180, "可以开发票吗"),
        (240, "能开发票吗"),
        (300, "可以开发票吗"),
    ]
    for seconds, text in questions:
        visitor = make_visitor()
        with at(seconds):
            message = shopper_says(visitor, text)
        UnmatchedQuestion.objects.create(
            conversation_id=message.conversation_id,
            message=message,
            text=text,
            language="en",
            created_at=message.created_at,
        )
    analytics_services.rollup_tick(lag=dt.timedelta(0))
    analytics_services.rollup_tick(lag=dt.timedelta(0))  # importing twice adds nothing
    assert QuestionFact.objects.count() == len(questions)

    hot = hot_questions(ReportFilter(start=T0.date(), end=T0.date() + dt.timedelta(days=6)))
    (kettle_cluster,) = [c for c in hot["clusters"] if "kettle" in c["seed"]]
    assert kettle_cluster["count"] == 3
    assert kettle_cluster["products"] == [kettle.name]
    assert kettle_cluster["previous"] == 1 and kettle_cluster["change"] == 2.0
    assert kettle_cluster["examples"][0] == "can the blue kettles go in the dishwasher safe"
    (invoice,) = [c for c in hot["clusters"] if "发票" in c["seed"]]
    assert invoice["count"] == 3 and invoice["previous"] == 0
    assert set(invoice["examples"]) == {"可以开发票吗", "能开发票吗"}
