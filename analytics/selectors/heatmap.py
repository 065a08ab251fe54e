"""Volume over time: the weekday × hour heat map and the per-day series."""

from __future__ import annotations

import datetime as dt
from typing import Any

from helpdesk.db_routers import report_connection

from .. import dialects
from .common import daily_table, daily_where, hourly_table, hourly_where
from .filters import ReportFilter


def _volume_column(f: ReportFilter) -> str:
    # With an agent filter, a conversation counts where it was assigned to the agent.
    return "assignments" if f.agent_id else "conversations"


def volume_heatmap(f: ReportFilter) -> dict[str, Any]:
    """Conversations started per ISO weekday (1 = Monday) and hour of the filter's time zone,
    summed over the range. The hourly rows are UTC hours, each placed at the local weekday
    and hour it starts in (exact in a zone whose offset is whole hours; docs/metrics.md).

    ``grid[weekday - 1][hour]``; ``max`` is the largest cell (for the colour scale)."""
    where, params = hourly_where(f)
    table, table_params = hourly_table(f)
    column = _volume_column(f)
    d = dialects.current()
    sql = (
        f"SELECT {d.iso_weekday('r.hour', f.time_zone)}, {d.hour_of_day('r.hour', f.time_zone)}, "
        f"sum(r.{column}) FROM {table} r WHERE {where} GROUP BY 1, 2"
    )
    grid = [[0] * 24 for _ in range(7)]
    with report_connection().cursor() as cursor:
        cursor.execute(sql, [*table_params, *params])
        for weekday, hour, count in cursor.fetchall():
            grid[weekday - 1][hour] = int(count)
    return {"grid": grid, "max": max(max(row) for row in grid)}


def daily_series(f: ReportFilter) -> list[dict[str, Any]]:
    """Per day of the filter's time zone: conversations, shopper messages."""
    where, params = daily_where(f)
    table, table_params = daily_table(f)
    column = _volume_column(f)
    sql = (
        f"SELECT r.day, r.{column}, r.msg_visitor, r.fr_count, r.fr_within_3m "
        f"FROM {table} r WHERE {where}"
    )
    by_day: dict[dt.date, tuple[int, int]] = {}
    with report_connection().cursor() as cursor:
        cursor.execute(sql, [*table_params, *params])
        for day, conversations, messages, _fr, _fast in cursor.fetchall():
            by_day[dialects.parse_day(day)] = (int(conversations), int(messages))
    out = []
    day = f.start
    while day <= f.end:
        conversations, messages = by_day.get(day, (0, 0))
        out.append({"day": day, "conversations": conversations, "shopper_messages": messages})
        day += dt.timedelta(days=1)
    return out
