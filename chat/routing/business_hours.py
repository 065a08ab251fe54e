"""Business hours per team: weekly intervals in the team's time zone, minus holidays.

A team without its own schedule uses the desk-wide one (``Schedule`` with no team); a desk with
no schedule at all is always open. Analytics measures every duration in business hours through
``business_seconds``, so it is pure arithmetic over a cached copy of the schedule: no query per
call once the schedule is loaded.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import zoneinfo
from dataclasses import dataclass, field

from chat.models import Holiday, Schedule, ScheduleInterval

CACHE_SECONDS = 60.0
# next_open looks this far ahead before concluding the desk never opens.
LOOKAHEAD_DAYS = 400


@dataclass(frozen=True)
class WeeklyHours:
    tz: zoneinfo.ZoneInfo
    # weekday -> [(opens, closes)] local times; closes None means midnight at the day's end.
    days: dict[int, list[tuple[dt.time, dt.time | None]]] = field(default_factory=dict)
    holidays: frozenset[dt.date] = frozenset()

    def windows(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """Open windows of one local calendar day, as aware UTC datetimes."""
        if day in self.holidays:
            return []
        out = []
        for opens, closes in self.days.get(day.weekday(), []):
            start = dt.datetime.combine(day, opens, tzinfo=self.tz)
            if closes is None:
                end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=self.tz)
            else:
                end = dt.datetime.combine(day, closes, tzinfo=self.tz)
            start_utc, end_utc = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
            if end_utc > start_utc:
                out.append((start_utc, end_utc))
        return out


# None = always open (no schedule anywhere).
_cache: dict[int | None, tuple[float, WeeklyHours | None]] = {}
_lock = threading.Lock()


def _load(team_id: int | None) -> WeeklyHours | None:
    schedule = None
    if team_id is not None:
        schedule = Schedule.objects.filter(team_id=team_id).first()
    if schedule is None:
        schedule = Schedule.objects.filter(team__isnull=True).first()
    if schedule is None:
        return None
    try:
        tz = zoneinfo.ZoneInfo(schedule.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo("UTC")
    days: dict[int, list[tuple[dt.time, dt.time | None]]] = {}
    for interval in ScheduleInterval.objects.filter(schedule=schedule).order_by("opens"):
        closes = None if interval.closes == dt.time(0) else interval.closes
        if closes is not None and closes <= interval.opens:
            continue
        days.setdefault(interval.weekday, []).append((interval.opens, closes))
    holidays = frozenset(Holiday.objects.filter(schedule=schedule).values_list("date", flat=True))
    return WeeklyHours(tz=tz, days=days, holidays=holidays)


def hours_for(team_id: int | None) -> WeeklyHours | None:
    """The team's weekly hours (cached for a minute, dropped when the admin saves a change)."""
    now = time.monotonic()
    with _lock:
        hit = _cache.get(team_id)
        if hit is not None and now - hit[0] < CACHE_SECONDS:
            return hit[1]
    hours = _load(team_id)
    with _lock:
        _cache[team_id] = (now, hours)
    return hours


def cache_clear(**_kwargs: object) -> None:
    with _lock:
        _cache.clear()


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError("business hours need aware datetimes")
    return value.astimezone(dt.UTC)


def business_seconds(*, team_id: int | None, start: dt.datetime, end: dt.datetime) -> float:
    """Seconds between ``start`` and ``end`` that fall inside the team's business hours
    (0 when ``end`` is not after ``start``)."""
    start, end = _aware(start), _aware(end)
    if end <= start:
        return 0.0
    hours = hours_for(team_id)
    if hours is None:
        return (end - start).total_seconds()
    total = 0.0
    # One day of slack either side: a local day's window can start the UTC day before.
    day = start.astimezone(hours.tz).date() - dt.timedelta(days=1)
    last = end.astimezone(hours.tz).date() + dt.timedelta(days=1)
    while day <= last:
        for w_start, w_end in hours.windows(day):
            overlap = (min(end, w_end) - max(start, w_start)).total_seconds()
            if overlap > 0:
                total += overlap
        day += dt.timedelta(days=1)
    return total


def is_open(*, team_id: int | None, at: dt.datetime) -> bool:
    """Whether the team is within business hours at ``at``."""
    at = _aware(at)
    hours = hours_for(team_id)
    if hours is None:
        return True
    local = at.astimezone(hours.tz).date()
    for day in (local - dt.timedelta(days=1), local):
        for w_start, w_end in hours.windows(day):
            if w_start <= at < w_end:
                return True
    return False


def next_open(*, team_id: int | None, after: dt.datetime) -> dt.datetime | None:
    """When the team next opens at or after ``after`` (``after`` itself if open now); None if
    the schedule has no opening hours in the coming year."""
    after = _aware(after)
    hours = hours_for(team_id)
    if hours is None:
        return after
    day = after.astimezone(hours.tz).date() - dt.timedelta(days=1)
    for _ in range(LOOKAHEAD_DAYS):
        for w_start, w_end in hours.windows(day):
            if w_end > after:
                return max(w_start, after)
        day += dt.timedelta(days=1)
    return None
