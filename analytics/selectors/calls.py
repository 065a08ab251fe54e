"""The calls figures of the overview (docs/metrics.md, "Calls"): calls, answered, missed,
total and average duration, for the filter's period and the one before.

Read from ``chat.Call`` itself rather than from rollups: a call row is already the fact,
written once when the call ends (one row per call, not per message), and the period is one
range scan of its ``started_at`` index. Durations are wall-clock (a call is live time);
the business-hours toggle does not apply to them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.utils.translation import gettext_lazy as _

from chat.models import Call

from .filters import ReportFilter
from .overview import MetricRow

ROWS: list[tuple[str, Any, str]] = [
    ("calls", _("Calls"), "count"),
    ("video_calls", _("Video calls"), "count"),
    ("answered", _("Calls answered"), "count"),
    ("missed", _("Missed calls"), "count"),
    ("missed_share", _("Missed share"), "share"),
    ("total_seconds", _("Call time, total"), "seconds"),
    ("average_seconds", _("Call duration, average"), "seconds"),
]


def _period(f: ReportFilter) -> dict[str, Any]:
    calls = Call.objects.filter(started_at__gte=f.lo, started_at__lt=f.hi)
    if f.team_id:
        calls = calls.filter(conversation__team_id=f.team_id)
    if f.agent_id:
        calls = calls.filter(agent_id=f.agent_id)
    if f.channel_id:
        calls = calls.filter(conversation__channel_id=f.channel_id)
    talked = Q(answered_at__isnull=False, ended_at__isnull=False)
    sums = calls.aggregate(
        calls=Count("id"),
        video_calls=Count("id", filter=Q(media=Call.Media.VIDEO)),
        answered=Count("id", filter=Q(answered_at__isnull=False)),
        missed=Count("id", filter=Q(status=Call.Status.ENDED, answered_at__isnull=True)),
        talked=Count("id", filter=talked),
        total=Sum(
            ExpressionWrapper(F("ended_at") - F("answered_at"), output_field=DurationField()),
            filter=talked,
        ),
    )
    total: dt.timedelta | None = sums["total"]
    seconds = total.total_seconds() if total is not None else 0.0
    ended = sums["answered"] + sums["missed"]
    return {
        "calls": sums["calls"],
        "video_calls": sums["video_calls"],
        "answered": sums["answered"],
        "missed": sums["missed"],
        "missed_share": sums["missed"] / ended if ended else None,
        "total_seconds": seconds,
        "average_seconds": seconds / sums["talked"] if sums["talked"] else None,
    }


def calls_summary(f: ReportFilter) -> dict[str, Any]:
    """The calls rows for the filter (and the previous period when it compares)."""
    current = _period(f)
    previous = _period(f.previous()) if f.compare else {}
    rows = [
        MetricRow(key, label, unit, current[key], previous.get(key)) for key, label, unit in ROWS
    ]
    return {"rows": rows, "values": current}
