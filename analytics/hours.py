"""Business-hours durations, through the routing module's schedule (docs/routing.md).

``chat.routing.business_hours.business_seconds(*, team_id, start, end)`` belongs to routing.
Analytics imports it lazily: without it (or without a schedule) every hour is a business
hour, so business-hours seconds equal wall-clock seconds.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from typing import Any

_fn: Callable[..., float] | None = None
_loaded = False


def _business_seconds_fn() -> Callable[..., float] | None:
    global _fn, _loaded
    if not _loaded:
        try:
            module: Any = importlib.import_module("chat.routing.business_hours")
            _fn = getattr(module, "business_seconds", None)
        except ImportError:
            _fn = None
        _loaded = True
    return _fn


def business_seconds(*, team_id: int | None, start: dt.datetime, end: dt.datetime) -> float:
    """Seconds of ``[start, end)`` inside the team's business hours (never negative)."""
    if end <= start:
        return 0.0
    fn = _business_seconds_fn()
    if fn is None:
        return (end - start).total_seconds()
    return max(0.0, float(fn(team_id=team_id, start=start, end=end)))


def is_outside_hours(*, team_id: int | None, at: dt.datetime) -> bool:
    """True when the team's business hours are closed at ``at``."""
    if _business_seconds_fn() is None:
        return False
    return business_seconds(team_id=team_id, start=at, end=at + dt.timedelta(seconds=1)) <= 0.0


def hours_forget() -> None:
    """Drop this process's copy of routing's schedules (read again on the next use)."""
    if _business_seconds_fn() is not None:
        from chat.routing.business_hours import cache_clear

        cache_clear()


def deadline(
    *, team_id: int | None, start: dt.datetime, seconds: float, business: bool = True
) -> dt.datetime | None:
    """The moment ``seconds`` of the team's business hours (``business``; else of the wall
    clock) have passed since ``start``; ``None`` when the schedule does not open again within
    a year. Without routing's schedule every hour is a business hour."""
    span = dt.timedelta(seconds=seconds)
    if not business or _business_seconds_fn() is None:
        return start + span
    from chat.routing.business_hours import hours_for

    hours = hours_for(team_id)
    if hours is None:
        return start + span
    left = span
    day = start.astimezone(hours.tz).date() - dt.timedelta(days=1)
    for _ in range(400):
        for w_start, w_end in sorted(hours.windows(day)):
            lo = max(w_start, start)
            if w_end <= lo:
                continue
            if w_end - lo >= left:
                return lo + left
            left -= w_end - lo
        day += dt.timedelta(days=1)
    return None
