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
from .sql import _COLUMNS, _OUTER, _SUMMED

# Every statement is run with a parameter list (possibly empty), so a literal % is %%.
_HOUR = "strftime('%%Y-%%m-%%d %%H:00:00', {})"
HOURS_JOIN = "JOIN json_each(%s) AS d ON f.at >= d.value AND f.at < datetime(d.value, '+1 hour')"


def _days_join(alias: str) -> str:
    return (
        f"JOIN json_each(%s) AS d ON {alias}.at >= d.value AND {alias}.at < date(d.value, '+1 day')"
    )


def hourly_insert(source: str) -> str:
    outer = ", ".join(_OUTER)
    sets = [("team", "agent"), ("team", "-1"), ("-1", "agent"), ("-1", "-1")]
    selects = [
        f"SELECT hour, {team}, {agent}, {outer} FROM a GROUP BY "
        + ", ".join(["hour", *(c for c in (team, agent) if c != "-1")])
        for team, agent in sets
    ]
    return f"""
WITH a AS (
    SELECT {_HOUR.format("f.at")} AS hour, coalesce(f.team_id, 0) AS team,
        coalesce(f.agent_id, 0) AS agent, f.kind AS kind,
        CASE WHEN f.kind IN (10, 11) THEN f.value END AS v, f.flag AS flag,
        count(*) AS n, sum(f.seconds) AS s, sum(f.bh_seconds) AS bs,
        count(*) FILTER (WHERE f.seconds <= 180) AS fast,
        count(*) FILTER (WHERE f.bh_seconds <= 180) AS bfast,
        sum(f.amount) AS amount, max(f.value) AS maxv
    FROM analytics_fact f {source}
    GROUP BY 1, 2, 3, 4, 5, 6
)
INSERT INTO analytics_hourlyrollup ({_COLUMNS})
{" UNION ALL ".join(selects)}
"""


def daily_insert(source: str) -> str:
    sums = ", ".join(f"sum(r.{c})" for c in _SUMMED)
    return f"""
INSERT INTO analytics_dailyrollup (day, {", ".join(c.strip() for c in _COLUMNS.split(",")[1:])})
SELECT date(r.hour), r.team_id, r.agent_id, {sums}, max(r.peak_load)
FROM analytics_hourlyrollup r {source}
GROUP BY 1, 2, 3
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
        daily_insert(
            "JOIN json_each(%s) AS d ON r.hour >= d.value AND r.hour < date(d.value, '+1 day')"
        ),
        [days],
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


def new_periods(cursor: Any, table: str, after: int) -> list[Any]:
    """``rollup._new_periods`` on SQLite: aware UTC hours, or dates."""
    if table == "analytics_fact":
        cursor.execute(f"SELECT DISTINCT {_HOUR.format('at')} FROM {table} WHERE id > %s", [after])
        return [parse_hour(row[0]) for row in cursor.fetchall()]
    cursor.execute(f"SELECT DISTINCT date(at) FROM {table} WHERE id > %s", [after])
    return [parse_day(row[0]) for row in cursor.fetchall()]


def rebuild_all(cursor: Any) -> tuple[int, int]:
    """Every rollup table recomputed from all facts; (hourly rows, question-day rows)."""
    cursor.execute("DELETE FROM analytics_hourlyrollup")
    cursor.execute(hourly_insert(""), [])
    hours = cursor.rowcount
    cursor.execute("DELETE FROM analytics_dailyrollup")
    cursor.execute(daily_insert(""), [])
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

    from ..models import Fact

    bounds = Fact.objects.aggregate(first=Min("at"), last=Max("at"))
    lo = start or bounds["first"] or timezone.now()
    hi = end or max(bounds["last"] or lo, timezone.now()) + dt.timedelta(hours=1)
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
