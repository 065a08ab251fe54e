"""The report filter: date range, team, agent, business-hours toggle, comparison."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from django.utils import timezone

from helpdesk.errors import BadRequest

MAX_DAYS = 366


@dataclass(frozen=True)
class ReportFilter:
    """Whole UTC days ``start`` … ``end`` (inclusive)."""

    start: dt.date
    end: dt.date
    team_id: int | None = None
    agent_id: int | None = None
    business_hours: bool = False
    compare: bool = True

    @property
    def lo(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time(), tzinfo=dt.UTC)

    @property
    def hi(self) -> dt.datetime:
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)

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
        if self.business_hours:
            params["bh"] = 1
        if not self.compare:
            params["compare"] = 0
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


def _date(value: Any, name: str, default: dt.date) -> dt.date:
    if value in (None, ""):
        return default
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise BadRequest(
            f"{name} must be a date (YYYY-MM-DD).", fields={name: ["Invalid."]}
        ) from None


def report_filter_from_query(params: Any) -> ReportFilter:
    """Parse the report query string; default: the last 7 days including today."""
    today = timezone.now().date()
    end = _date(params.get("end"), "end", today)
    start = _date(params.get("start"), "start", end - dt.timedelta(days=6))
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
        business_hours=str(params.get("bh", "")) in {"1", "true", "on"},
        compare=str(params.get("compare", "1")) not in {"0", "false", "off"},
    )
