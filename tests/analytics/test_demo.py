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
    assert week["values"]["first_response_median"] is not None
