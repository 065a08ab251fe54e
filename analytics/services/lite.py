"""The rollups on SQLite (the embedded default): the same rows as the PostgreSQL statements.

SQLite stores datetimes as naive UTC text ('YYYY-MM-DD HH:MM:SS[.ffffff]'), so an hour is
``strftime('%Y-%m-%d %H:00:00', at)`` and a UTC day ``date(at)``; lists of periods travel as
JSON (``json_each``); ``GROUPING SETS`` become ``UNION ALL`` of the groupings over a CTE. No
advisory lock: SQLite serialises writers and the embedded default is one process.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..dialect import hour_stamp, json_list, parse_day, parse_hour
from .sql import _COLUMNS, _OUTER, HOURLY_COLUMNS, HOURLY_INNER, _inner

# Every statement is run with a parameter list (possibly empty), so a literal % is %%.
_HOUR = "strftime('%%Y-%%m-%%d %%H:00:00', {})"
HOURS_JOIN = "JOIN json_each(%s) AS d ON f.at >= d.value AND f.at < datetime(d.value, '+1 hour')"


def _days_join(alias: str, column: str = "at") -> str:
    return (
        f"JOIN json_each(%s) AS d ON {alias}.{column} >= d.value "
        f"AND {alias}.{column} < date(d.value, '+1 day')"
    )


def _slices(columns: str) -> str:
    """``GROUP BY GROUPING SETS`` of the four slices over the CTE ``a``, as UNION ALL."""
    sets = [("team", "agent"), ("team", "-1"), ("-1", "agent"), ("-1", "-1")]
    return " UNION ALL ".join(
        f"SELECT period, {team}, {agent}, {columns} FROM a GROUP BY "
        + ", ".join(["period", *(c for c in (team, agent) if c != "-1")])
        for team, agent in sets
    )


def hourly_insert(source: str) -> str:
    return f"""
WITH a AS ({HOURLY_INNER.format(hour=_HOUR.format("f.at"), source=source)})
INSERT INTO analytics_hourlyrollup ({HOURLY_COLUMNS})
{_slices("sum(conversations), sum(assignments)")}
"""


def daily_insert(source: str, message_source: str) -> str:
    return f"""
WITH a AS ({_inner(source, message_source, "date({})")})
INSERT INTO analytics_dailyrollup ({_COLUMNS})
{_slices(", ".join(_OUTER))}
"""


def histogram_insert(source: str) -> str:
    kinds = "f.kind IN (6, 7, 8, 9)"
    part = (
        "SELECT date(f.at) AS day, coalesce(f.team_id, 0) AS team, f.kind AS kind, {bh} AS bh, "
        "f.{col} AS s FROM analytics_fact f {source} WHERE {kinds} AND f.{col} IS NOT NULL"
    )
    return f"""
WITH v AS (
    {part.format(bh=0, col="seconds", source=source, kinds=kinds)}
    UNION ALL
    {part.format(bh=1, col="bh_seconds", source=source, kinds=kinds)}
), x AS (
    SELECT day, team, kind, bh,
        CASE WHEN s < 1 THEN 0 ELSE min(1 + CAST(floor(ln(s) / ln(1.05)) AS INTEGER), 30000) END
            AS bucket,
        count(*) AS n
    FROM v GROUP BY 1, 2, 3, 4, 5
)
INSERT INTO analytics_durationhistogram
    (day, team_id, agent_id, kind, business_hours, bucket, count)
SELECT day, team, -1, kind, bh, bucket, sum(n) FROM x GROUP BY day, team, kind, bh, bucket
UNION ALL
SELECT day, -1, -1, kind, bh, bucket, sum(n) FROM x GROUP BY day, kind, bh, bucket
"""


def question_insert(source: str) -> str:
    return f"""
WITH x AS (
    SELECT date(q.at) AS day, coalesce(q.team_id, 0) AS team,
        coalesce(q.kb_entry_id, 0) AS entry,
        CASE WHEN q.kb_entry_id IS NULL THEN q.topic_key ELSE '' END AS topic, count(*) AS n
    FROM analytics_questionfact q {source}
    GROUP BY 1, 2, 3, 4
)
INSERT INTO analytics_questiondaily (day, team_id, kb_entry_id, topic_key, count)
SELECT day, team, entry, topic, sum(n) FROM x GROUP BY day, team, entry, topic
UNION ALL
SELECT day, -1, entry, topic, sum(n) FROM x GROUP BY day, entry, topic
"""


def _days(days: list[dt.date]) -> str:
    return json_list(d.isoformat() for d in days)


def roll_hours(cursor: Any, hours: list[dt.datetime]) -> None:
    """``rollup._roll_hours`` on SQLite."""
    stamps = json_list(sorted({hour_stamp(h) for h in hours}))
    cursor.execute(
        "DELETE FROM analytics_hourlyrollup WHERE hour IN (SELECT value FROM json_each(%s))",
        [stamps],
    )
    cursor.execute(hourly_insert(HOURS_JOIN), [stamps])
    days = _days(sorted({h.astimezone(dt.UTC).date() for h in hours}))
    cursor.execute(
        "DELETE FROM analytics_dailyrollup WHERE day IN (SELECT value FROM json_each(%s))", [days]
    )
    cursor.execute(
        daily_insert(_days_join("f"), _days_join("m", "hour")),
        [days, days],
    )
    cursor.execute(
        "INSERT OR IGNORE INTO analytics_pendingday (day) SELECT value FROM json_each(%s)", [days]
    )


def roll_histograms(cursor: Any, days: list[dt.date]) -> None:
    listed = _days(days)
    cursor.execute(
        "DELETE FROM analytics_durationhistogram WHERE day IN (SELECT value FROM json_each(%s))",
        [listed],
    )
    cursor.execute(histogram_insert(_days_join("f")), [listed, listed])
    cursor.execute(
        "DELETE FROM analytics_pendingday WHERE day IN (SELECT value FROM json_each(%s))",
        [listed],
    )


def roll_days(cursor: Any, days: list[dt.date]) -> None:
    listed = _days(days)
    cursor.execute(
        "DELETE FROM analytics_questiondaily WHERE day IN (SELECT value FROM json_each(%s))",
        [listed],
    )
    cursor.execute(question_insert(_days_join("q")), [listed])


def new_periods(cursor: Any, name: str, after: int) -> list[Any]:
    """``rollup._new_periods`` on SQLite: aware UTC hours, or dates."""
    if name == "facts":
        cursor.execute(
            f"SELECT DISTINCT {_HOUR.format('at')} FROM analytics_fact WHERE id > %s", [after]
        )
        return [parse_hour(row[0]) for row in cursor.fetchall()]
    if name == "messages":
        cursor.execute("SELECT DISTINCT hour FROM analytics_messagecount WHERE seq > %s", [after])
        return [parse_hour(row[0]) for row in cursor.fetchall()]
    cursor.execute("SELECT DISTINCT date(at) FROM analytics_questionfact WHERE id > %s", [after])
    return [parse_day(row[0]) for row in cursor.fetchall()]


def rebuild_all(cursor: Any) -> tuple[int, int]:
    """Every rollup table recomputed from all facts; (hourly rows, question-day rows)."""
    cursor.execute("DELETE FROM analytics_hourlyrollup")
    cursor.execute(hourly_insert(""), [])
    hours = cursor.rowcount
    cursor.execute("DELETE FROM analytics_dailyrollup")
    cursor.execute(daily_insert("", ""), [])
    cursor.execute("DELETE FROM analytics_durationhistogram")
    cursor.execute(histogram_insert(""), [])
    cursor.execute("DELETE FROM analytics_pendingday")
    cursor.execute("DELETE FROM analytics_questiondaily")
    cursor.execute(question_insert(""), [])
    return hours, cursor.rowcount


def hour_range(cursor: Any, start: dt.datetime | None, end: dt.datetime | None) -> list[Any]:
    """The UTC hours from ``start`` (else the first fact) to before ``end`` (else past now)."""
    from django.db.models import Max, Min
    from django.utils import timezone

    from ..models import Fact, MessageCount

    bounds = Fact.objects.aggregate(first=Min("at"), last=Max("at"))
    counted = MessageCount.objects.aggregate(first=Min("hour"), last=Max("hour"))
    firsts = [v for v in (bounds["first"], counted["first"]) if v is not None]
    lasts = [v for v in (bounds["last"], counted["last"]) if v is not None]
    lo = start or min(firsts, default=None) or timezone.now()
    hi = end or max(max(lasts, default=lo), timezone.now()) + dt.timedelta(hours=1)
    hour = lo.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    out = []
    while hour < hi:
        out.append(hour)
        hour += dt.timedelta(hours=1)
    return out


def marks_save(cursor: Any, rows: list[tuple[str, int]], now: dt.datetime) -> None:
    from ..dialect import stamp

    for name, value in rows:
        cursor.execute(
            "INSERT INTO analytics_watermark (name, last_id, updated_at) VALUES (%s, %s, %s) "
            "ON CONFLICT (name) DO UPDATE SET last_id = excluded.last_id, "
            "updated_at = excluded.updated_at",
            [name, value, stamp(now)],
        )
