"""The report filter: date range, team, agent, channel, business-hours toggle, comparison."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils import timezone

from helpdesk.errors import BadRequest

from ..shop import report_zones, time_zone_name

MAX_DAYS = 366


@dataclass(frozen=True)
class ReportFilter:
    """Whole days ``start`` … ``end`` (inclusive) of the time zone ``time_zone`` (one of the
    report zones, ``analytics.shop.report_zones``: the shop's by default)."""

    start: dt.date
    end: dt.date
    team_id: int | None = None
    agent_id: int | None = None
    # One channel (chat.Channel): the numbers are then summed live from the facts of its
    # conversations instead of read from the rollups (docs/channels.md, "Reports by channel").
    channel_id: int | None = None
    business_hours: bool = False
    compare: bool = True
    time_zone: str = field(default_factory=time_zone_name)

    @property
    def lo(self) -> dt.datetime:
        """The instant the first day starts, in UTC."""
        zone = zoneinfo.ZoneInfo(self.time_zone)
        return dt.datetime.combine(self.start, dt.time(), tzinfo=zone).astimezone(dt.UTC)

    @property
    def hi(self) -> dt.datetime:
        """The instant after the last day ends, in UTC."""
        zone = zoneinfo.ZoneInfo(self.time_zone)
        after = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), tzinfo=zone)
        return after.astimezone(dt.UTC)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> ReportFilter:
        """The period of the same length right before this one."""
        length = dt.timedelta(days=self.days)
        return replace(self, start=self.start - length, end=self.end - length)

    def query(self, **override: Any) -> str:
        from urllib.parse import urlencode

        params: dict[str, Any] = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.team_id:
            params["team"] = self.team_id
        if self.agent_id:
            params["agent"] = self.agent_id
        if self.channel_id:
            params["channel"] = self.channel_id
        if self.business_hours:
            params["bh"] = 1
        if not self.compare:
            params["compare"] = 0
        if self.time_zone != time_zone_name():
            params["tz"] = self.time_zone
        params.update(override)
        return urlencode(params)


def _int_or_none(value: Any, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise BadRequest(f"{name} must be a number.", fields={name: ["Invalid."]}) from None
    if number <= 0 or number > 2**62:
        raise BadRequest(f"{name} must be a positive number.", fields={name: ["Invalid."]})
    return number


def _date(value: Any, name: str, default: dt.date, zone: str) -> dt.date:
    """A day: ``YYYY-MM-DD``, or a moment with an offset (``2026-11-02T00:00:00+08:00``,
    ``…Z``) meaning the day of ``zone`` it falls on (a naive moment: its own date)."""
    if value in (None, ""):
        return default
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        # An offset's "+" arrives as a space when the query string was not encoded.
        head, space, tail = text.rpartition(" ")
        if space and re.fullmatch(r"\d{2}(:?\d{2})?", tail):
            text = f"{head}+{tail}"
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise BadRequest(
            f"{name} must be a date (YYYY-MM-DD) or a date and time with an offset "
            "(YYYY-MM-DDTHH:MM:SS+08:00).",
            fields={name: ["Invalid."]},
        ) from None
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).date()


def _zone(value: Any) -> str:
    zones = report_zones()
    if value in (None, ""):
        return zones[0]
    if str(value) not in zones:
        raise BadRequest(
            f"tz must be one of the report time zones: {', '.join(zones)}.",
            fields={"tz": ["Not a report time zone."]},
        )
    return str(value)


def report_filter_from_query(params: Any) -> ReportFilter:
    """Parse the report query string; default: the last 7 days including today, in the
    shop's time zone (``tz``: another report zone)."""
    zone = _zone(params.get("tz"))
    today = timezone.now().astimezone(zoneinfo.ZoneInfo(zone)).date()
    end = _date(params.get("end"), "end", today, zone)
    start = _date(params.get("start"), "start", end - dt.timedelta(days=6), zone)
    if start > end:
        raise BadRequest("start must not be after end.", fields={"start": ["After end."]})
    if (end - start).days + 1 > MAX_DAYS:
        raise BadRequest(f"At most {MAX_DAYS} days.", fields={"start": ["Range too long."]})
    if start.year < 2000 or end.year > 2999:
        raise BadRequest("Date out of range.", fields={"start": ["Out of range."]})
    return ReportFilter(
        start=start,
        end=end,
        team_id=_int_or_none(params.get("team"), "team"),
        agent_id=_int_or_none(params.get("agent"), "agent"),
        channel_id=_int_or_none(params.get("channel"), "channel"),
        business_hours=str(params.get("bh", "")) in {"1", "true", "on"},
        compare=str(params.get("compare", "1")) not in {"0", "false", "off"},
        time_zone=zone,
    )
