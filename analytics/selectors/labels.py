"""The labels report (docs/metrics.md, "Labels"): conversations per label and day, read live
from the conversations and their labels (labels change after the fact, so no rollup)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from helpdesk.db_routers import report_connection

from .. import dialects
from .common import change
from .filters import ReportFilter

MAX_LABEL_COLUMNS = 12


def _counts(f: ReportFilter) -> dict[tuple[dt.date, int], int]:
    """(day of the filter's zone, label id) → conversations opened that day with the label."""
    from chat.models import Label

    d = dialects.current()
    through = Label.conversations.through._meta.db_table
    where = ["c.created_at >= %s", "c.created_at < %s"]
    params: list[Any] = [d.stamp(f.lo), d.stamp(f.hi)]
    for column, value in (
        ("c.team_id", f.team_id),
        ("c.assignee_id", f.agent_id),
        ("c.channel_id", f.channel_id),
    ):
        if value:
            where.append(f"{column} = %s")
            params.append(value)
    sql = (
        f"SELECT {d.local_day('c.created_at', f.time_zone)}, lc.label_id, count(*) "
        f"FROM {through} lc JOIN chat_conversation c ON c.id = lc.conversation_id "
        f"WHERE {' AND '.join(where)} GROUP BY 1, 2"
    )
    with report_connection().cursor() as cursor:
        cursor.execute(sql, params)
        return {
            (dialects.parse_day(day), int(label)): int(n) for day, label, n in cursor.fetchall()
        }


def labels_report(f: ReportFilter) -> dict[str, Any]:
    """Per label: conversations in the range (and the previous period's), and per day."""
    from chat.models import Label

    counts = _counts(f)
    previous = _counts(f.previous()) if f.compare else {}
    totals: dict[int, int] = {}
    for (_day, label), n in counts.items():
        totals[label] = totals.get(label, 0) + n
    before: dict[int, int] = {}
    for (_day, label), n in previous.items():
        before[label] = before.get(label, 0) + n
    labels = list(Label.objects.using(report_connection().alias).order_by("name"))
    rows: list[dict[str, Any]] = [
        {
            "label_id": label.pk,
            "label": label.name,
            "color": label.color,
            "count": totals.get(label.pk, 0),
            "previous": before.get(label.pk, 0) if f.compare else None,
            "change": change(totals.get(label.pk, 0), before.get(label.pk)) if f.compare else None,
        }
        for label in labels
        if totals.get(label.pk) or before.get(label.pk)
    ]
    rows.sort(key=lambda r: (-r["count"], r["label"]))
    shown = rows[:MAX_LABEL_COLUMNS]
    days = []
    day = f.start
    while day <= f.end:
        days.append(
            {
                "day": day,
                **{f"label_{r['label_id']}": counts.get((day, r["label_id"]), 0) for r in shown},
            }
        )
        day += dt.timedelta(days=1)
    return {"rows": rows, "columns": shown, "days": days}
