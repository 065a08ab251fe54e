"""The demo desk's business hours are what the storefront advertises ("Live chat 9–18")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from chat.demo import load_business_hours
from chat.models import Schedule
from chat.routing import business_hours

pytestmark = pytest.mark.django_db


def test_demo_hours_are_nine_to_six_every_day_and_load_once() -> None:
    lines: list[str] = []
    load_business_hours(lines.append)
    load_business_hours(lines.append)
    assert Schedule.objects.count() == 1 and "already set" in lines[-1]
    day = timezone.now().date()
    for offset in range(7):  # every weekday, weekends included
        date = day + dt.timedelta(days=offset)
        at = dt.datetime.combine(date, dt.time(10), tzinfo=dt.UTC)
        assert business_hours.is_open(team_id=None, at=at)
        assert not business_hours.is_open(team_id=None, at=at.replace(hour=18, minute=30))
        assert not business_hours.is_open(team_id=None, at=at.replace(hour=8, minute=59))
