"""Business hours across a time zone, a holiday and a DST change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from chat.models import Holiday, Schedule, ScheduleInterval
from chat.routing.business_hours import business_seconds, is_open, next_open
from tests.factories import make_team

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def shanghai_team() -> int:
    """Mon-Fri 09:00-18:00 in Asia/Shanghai (UTC+8), closed on 2026-10-01 (National Day)."""
    team = make_team("cn")
    schedule = Schedule.objects.create(team=team, timezone="Asia/Shanghai")
    for weekday in range(5):
        ScheduleInterval.objects.create(
            schedule=schedule, weekday=weekday, opens=dt.time(9), closes=dt.time(18)
        )
    Holiday.objects.create(schedule=schedule, date=dt.date(2026, 10, 1), name="National Day")
    return team.pk


def test_open_and_closed_in_the_teams_time_zone() -> None:
    team = shanghai_team()
    # Tuesday 2026-09-29 01:00 UTC = 09:00 in Shanghai: opening minute.
    assert is_open(team_id=team, at=utc(2026, 9, 29, 1, 0))
    assert not is_open(team_id=team, at=utc(2026, 9, 29, 0, 59))
    # 10:00 UTC = 18:00 in Shanghai: closed (end exclusive).
    assert not is_open(team_id=team, at=utc(2026, 9, 29, 10, 0))
    # The holiday (a Thursday) is closed all day.
    assert not is_open(team_id=team, at=utc(2026, 10, 1, 4, 0))


def test_business_seconds_across_night_and_holiday() -> None:
    team = shanghai_team()
    # Wed 2026-09-30 17:00 CST -> Fri 2026-10-02 10:00 CST:
    # 1 h on Wednesday, 0 on the holiday, 1 h on Friday.
    start = utc(2026, 9, 30, 9, 0)
    end = utc(2026, 10, 2, 2, 0)
    assert business_seconds(team_id=team, start=start, end=end) == 2 * 3600
    # Inside one day.
    assert (
        business_seconds(team_id=team, start=utc(2026, 9, 29, 2), end=utc(2026, 9, 29, 3)) == 3600
    )
    # A whole week: 4 working days (Thursday is the holiday) of 9 h.
    week = business_seconds(team_id=team, start=utc(2026, 9, 27, 16), end=utc(2026, 10, 4, 16))
    assert week == 4 * 9 * 3600
    assert business_seconds(team_id=team, start=end, end=start) == 0


def test_next_open_skips_the_night_and_the_holiday() -> None:
    team = shanghai_team()
    # Wed 30 Sep 19:00 CST -> next is Fri 2 Oct 09:00 CST = 01:00 UTC (Thu is the holiday).
    assert next_open(team_id=team, after=utc(2026, 9, 30, 11)) == utc(2026, 10, 2, 1)
    # While open, next_open is now.
    assert next_open(team_id=team, after=utc(2026, 9, 29, 3)) == utc(2026, 9, 29, 3)


def test_daylight_saving_change_is_in_local_time() -> None:
    team = make_team("ny")
    schedule = Schedule.objects.create(team=team, timezone="America/New_York")
    # Sundays 09:00-17:00; 2026-11-01 is the day New York falls back to EST.
    ScheduleInterval.objects.create(
        schedule=schedule, weekday=6, opens=dt.time(9), closes=dt.time(17)
    )
    # 09:00 EST = 14:00 UTC (on the Sunday before, EDT, it was 13:00 UTC).
    assert is_open(team_id=team.pk, at=utc(2026, 11, 1, 14, 0))
    assert not is_open(team_id=team.pk, at=utc(2026, 11, 1, 13, 30))
    assert is_open(team_id=team.pk, at=utc(2026, 10, 25, 13, 30))
    day = business_seconds(team_id=team.pk, start=utc(2026, 11, 1), end=utc(2026, 11, 2, 12))
    assert day == 8 * 3600


def test_global_schedule_applies_to_teams_without_one_and_midnight_close() -> None:
    schedule = Schedule.objects.create(team=None, timezone="UTC")
    ScheduleInterval.objects.create(
        schedule=schedule, weekday=0, opens=dt.time(22), closes=dt.time(0)
    )
    team = make_team("plain")
    # Monday 2026-09-28 22:00-24:00 UTC.
    assert business_seconds(team_id=team.pk, start=utc(2026, 9, 28), end=utc(2026, 9, 29, 6)) == (
        2 * 3600
    )
    assert business_seconds(team_id=None, start=utc(2026, 9, 28, 23), end=utc(2026, 9, 29)) == 3600


def test_no_schedule_means_always_open() -> None:
    start = timezone.now()
    assert is_open(team_id=None, at=start)
    assert business_seconds(team_id=None, start=start, end=start + dt.timedelta(hours=5)) == 18000
    assert next_open(team_id=None, after=start) == start


def test_schedule_without_hours_never_opens() -> None:
    Schedule.objects.create(team=None, timezone="Europe/Berlin")
    assert next_open(team_id=None, after=timezone.now()) is None


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        business_seconds(team_id=None, start=dt.datetime(2026, 1, 1), end=timezone.now())


def test_widget_availability_outside_hours(client: Client) -> None:
    team = make_team("closed", default=True)
    schedule = Schedule.objects.create(team=team, timezone="UTC")
    tomorrow = (timezone.now() + dt.timedelta(days=1)).date()
    # Open only tomorrow 10:00-11:00: certainly closed now.
    ScheduleInterval.objects.create(
        schedule=schedule, weekday=tomorrow.weekday(), opens=dt.time(10), closes=dt.time(11)
    )
    Holiday.objects.create(schedule=schedule, date=timezone.now().date())
    body = client.get("/api/widget/availability").json()
    assert body["open"] is False and body["team"] == team.pk
    assert body["next_open"].startswith(tomorrow.isoformat() + "T10:00")
    assert body["agents_available"] is False
    assert client.get("/api/widget/availability?team=abc").status_code == 400
