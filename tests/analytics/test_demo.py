"""The demo report history: loads once, rolls up, pages have data."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.demo import load_report_history
from analytics.models import Fact, HourlyRollup, QuestionDaily
from analytics.selectors import ReportFilter, overview
from tests.factories import make_agent

pytestmark = pytest.mark.django_db


def test_demo_history_is_idempotent_and_rolled_up() -> None:
    from django.utils import timezone

    make_agent("ana")
    lines: list[str] = []
    load_report_history(lines.append)
    facts = Fact.objects.count()
    assert facts > 1000 and HourlyRollup.objects.exists() and QuestionDaily.objects.exists()
    load_report_history(lines.append)
    assert Fact.objects.count() == facts
    assert "already loaded" in lines[-1]
    today = timezone.now().date()
    week = overview(ReportFilter(start=today - dt.timedelta(days=7), end=today))
    assert week["values"]["conversations"] > 100
    values = week["values"]
    assert values["first_response_median"] is not None
    # Conversations go back and forth: more shopper messages than conversations, and the
    # later replies (quicker than the first) make the reply wait its own figure.
    assert values["shopper_messages"] > values["conversations"] * 1.3, values
    assert values["reply_wait_count"] > values["first_response_count"] * 1.5, values
    assert values["reply_wait_median"] < values["first_response_median"], values


def test_demo_days_differ_and_weekends_have_chats() -> None:
    """Not exactly 40 conversations a day with none on Sundays: every day of the two weeks,
    weekends included, has conversations, and the days' counts differ."""
    from collections import Counter

    from analytics.demo import demo_history

    make_agent("ana")
    demo_history(days=14)
    opened = Fact.objects.filter(kind=Fact.Kind.OPENED).values_list("at", flat=True)
    per_date = Counter(at.date() for at in opened)
    weekdays = {date.weekday() for date in per_date}
    assert {5, 6} <= weekdays, sorted(weekdays)
    assert len(set(per_date.values())) > 5, per_date
