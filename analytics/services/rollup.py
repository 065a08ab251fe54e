"""Rolling facts into the hourly / daily aggregates.

Every rollup recomputes whole periods from the facts (delete + insert in one transaction), so
running it twice gives the same rows. An advisory transaction lock serialises ticks and
rebuilds: two workers never interleave. The tick is incremental: it reads only facts past
the watermark and recomputes the hours they fall in.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from ..dialect import lite, stamp
from . import lite as sqlite
from .imports import conversions_scan, questions_import
from .marks import Marks
from .sql import HISTOGRAM_INSERT, QUESTION_INSERT, daily_insert, hourly_insert

LOCK_KEY = 0x48444B_414E  # "HDK" "AN"
# A fact recorded longer ago than this is committed (chat transactions last milliseconds);
# newer facts are read again by the next tick, which is harmless (periods are recomputed).
LAG = dt.timedelta(minutes=2)


@dataclass
class RollupResult:
    hours: int
    days: int
    imported: int
    seconds: float


def _begin(cursor: Any, *, full: bool = False) -> None:
    if lite():  # SQLite serialises writers; the embedded default is one process
        return
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    # The full rebuild's aggregates stay in memory instead of spilling to disk, and JIT pays
    # off over millions of facts; for a tick's few hundred facts JIT compiling (triggered by
    # the planner's guess for the unnest join) costs ten times the query itself.
    cursor.execute("SET LOCAL work_mem = '128MB'")
    if not full:
        cursor.execute("SET LOCAL jit = off")


def _roll_hours(cursor: Any, hours: list[dt.datetime]) -> None:
    """Recompute these hours, then the days they are in (daily rows and histograms)."""
    if not hours:
        return
    if lite():
        sqlite.roll_hours(cursor, hours)
        return
    cursor.execute("DELETE FROM analytics_hourlyrollup WHERE hour = ANY(%s)", [hours])
    cursor.execute(
        hourly_insert(
            "JOIN unnest(%s::timestamptz[]) AS d(h) "
            "ON f.at >= d.h AND f.at < d.h + interval '1 hour'"
        ),
        [hours],
    )
    days = sorted({h.astimezone(dt.UTC).date() for h in hours})
    cursor.execute("DELETE FROM analytics_dailyrollup WHERE day = ANY(%s)", [days])
    cursor.execute(
        daily_insert(
            "JOIN unnest(%s::date[]) AS d(day) ON r.hour >= d.day::timestamp AT TIME ZONE 'UTC' "
            "AND r.hour < (d.day + 1)::timestamp AT TIME ZONE 'UTC'"
        ),
        [days],
    )
    # The day's histograms are recomputed by ``histograms_refresh`` (every few minutes), off
    # the per-minute tick: they only feed the percentiles of large ranges.
    cursor.execute(
        "INSERT INTO analytics_pendingday (day) SELECT unnest(%s::date[]) ON CONFLICT DO NOTHING",
        [days],
    )


def _roll_histograms(cursor: Any, days: list[dt.date]) -> None:
    if not days:
        return
    if lite():
        sqlite.roll_histograms(cursor, days)
        return
    cursor.execute("DELETE FROM analytics_durationhistogram WHERE day = ANY(%s)", [days])
    cursor.execute(
        HISTOGRAM_INSERT.format(
            source="JOIN unnest(%s::date[]) AS d(day) "
            "ON f.at >= d.day::timestamp AT TIME ZONE 'UTC' "
            "AND f.at < (d.day + 1)::timestamp AT TIME ZONE 'UTC'"
        ),
        [days],
    )
    cursor.execute("DELETE FROM analytics_pendingday WHERE day = ANY(%s)", [days])


def histograms_refresh() -> int:
    """Recompute the duration histograms of every pending day; returns how many."""
    with transaction.atomic(), connection.cursor() as cursor:
        _begin(cursor)
        cursor.execute("SELECT day FROM analytics_pendingday ORDER BY day")
        days = [row[0] for row in cursor.fetchall()]
        _roll_histograms(cursor, days)
    return len(days)


def _roll_days(cursor: Any, days: list[dt.date]) -> None:
    if not days:
        return
    if lite():
        sqlite.roll_days(cursor, days)
        return
    cursor.execute("DELETE FROM analytics_questiondaily WHERE day = ANY(%s)", [days])
    cursor.execute(
        QUESTION_INSERT.format(
            source="JOIN unnest(%s::date[]) AS d(day) "
            "ON q.at >= d.day::timestamp AT TIME ZONE 'UTC' "
            "AND q.at < (d.day + 1)::timestamp AT TIME ZONE 'UTC'"
        ),
        [days],
    )


def _settled(cursor: Any, table: str, after: int, lag: dt.timedelta) -> int:
    """The highest id past ``after`` recorded longer than ``lag`` ago (else ``after``): every
    lower id was inserted earlier still, so its transaction has committed."""
    cursor.execute(
        f"SELECT id FROM {table} WHERE id > %s AND recorded_at <= %s ORDER BY id DESC LIMIT 1",
        [after, stamp(timezone.now() - lag)],
    )
    row = cursor.fetchone()
    return int(row[0]) if row else after


def _new_periods(cursor: Any, table: str, after: int) -> list[Any]:
    if lite():
        return sqlite.new_periods(cursor, table, after)
    trunc = (
        "date_trunc('hour', at)" if table == "analytics_fact" else "(at AT TIME ZONE 'UTC')::date"
    )
    cursor.execute(f"SELECT DISTINCT {trunc} FROM {table} WHERE id > %s", [after])
    return [row[0] for row in cursor.fetchall()]


def rollup_tick(*, lag: dt.timedelta = LAG) -> RollupResult:
    """One incremental run: recompute the hours and days that new facts fall in."""
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        _begin(cursor)
        marks = Marks()
        imported = questions_import(marks=marks, lag=lag)
        conversions_scan(marks=marks)
        hours = _new_periods(cursor, "analytics_fact", marks.get("facts"))
        days = _new_periods(cursor, "analytics_questionfact", marks.get("questions"))
        _roll_hours(cursor, hours)
        _roll_days(cursor, days)
        for name, table in (("facts", "analytics_fact"), ("questions", "analytics_questionfact")):
            marks.set(name, _settled(cursor, table, marks.get(name), lag))
        marks.save(cursor)
    return RollupResult(len(hours), len(days), imported, time.perf_counter() - started)


def rollup_rebuild(
    *, start: dt.datetime | None = None, end: dt.datetime | None = None
) -> RollupResult:
    """Recompute every hour and day in ``[start, end)`` from the facts (all when both None).

    Used by the admin's on-demand rebuild; gives the same rows as the incremental ticks."""
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        _begin(cursor, full=start is None and end is None)
        if start is None and end is None:
            marks = Marks()
            questions_import(marks=marks, lag=LAG)
            conversions_scan(marks=marks)
            # Everything settled now is in the rebuild: the next tick starts after it.
            for name, table in (
                ("facts", "analytics_fact"),
                ("questions", "analytics_questionfact"),
            ):
                marks.set(name, _settled(cursor, table, marks.get(name), LAG))
            marks.save(cursor)
            if lite():
                hours, days = sqlite.rebuild_all(cursor)
                return RollupResult(hours, days, 0, time.perf_counter() - started)
            cursor.execute("DELETE FROM analytics_hourlyrollup")
            cursor.execute(hourly_insert(""))
            hours = cursor.rowcount
            cursor.execute("DELETE FROM analytics_dailyrollup")
            cursor.execute(daily_insert(""))
            cursor.execute("DELETE FROM analytics_durationhistogram")
            cursor.execute(HISTOGRAM_INSERT.format(source=""))
            cursor.execute("DELETE FROM analytics_pendingday")
            cursor.execute("DELETE FROM analytics_questiondaily")
            cursor.execute(QUESTION_INSERT.format(source=""))
            days = cursor.rowcount
        elif lite():
            hour_list = sqlite.hour_range(cursor, start, end)
            day_list = sorted({h.date() for h in hour_list})
            _roll_hours(cursor, hour_list)
            _roll_histograms(cursor, day_list)
            _roll_days(cursor, day_list)
            hours, days = len(hour_list), len(day_list)
        else:
            cursor.execute("SELECT min(at), max(at) FROM analytics_fact")
            first, last = cursor.fetchone()
            lo = start or first or timezone.now()
            hi = end or max(last or lo, timezone.now()) + dt.timedelta(hours=1)
            cursor.execute(
                "SELECT array_agg(h) FROM generate_series(date_trunc('hour', %s::timestamptz), "
                "%s::timestamptz - interval '1 microsecond', interval '1 hour') AS h",
                [lo, hi],
            )
            hour_list = cursor.fetchone()[0] or []
            day_list = sorted({h.date() for h in hour_list})
            _roll_hours(cursor, hour_list)
            _roll_histograms(cursor, day_list)
            _roll_days(cursor, day_list)
            hours, days = len(hour_list), len(day_list)
    return RollupResult(hours, days, 0, time.perf_counter() - started)
