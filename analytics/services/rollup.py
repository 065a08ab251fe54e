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
    # The full rebuild's aggregates stay in memory (hashed, not sorted on disk). JIT is off:
    # for a tick's few hundred facts compiling (triggered by the planner's guess for the
    # unnest join) costs ten times the query itself, and over the full rebuild's millions
    # it saves about what it costs to compile.
    cursor.execute(f"SET LOCAL work_mem = '{'256MB' if full else '128MB'}'")
    cursor.execute("SET LOCAL jit = off")


def _roll_hours(cursor: Any, hours: list[dt.datetime]) -> None:
    """Recompute these hours (heat map rows), then the days they are in (daily rows; their
    histograms follow on their own beat)."""
    if not hours:
        return
    if lite():
        sqlite.roll_hours(cursor, hours)
        return
    cursor.execute("DELETE FROM analytics_hourlyrollup WHERE hour = ANY(%s)", [hours])
    # The outer bounds let the planner see how few facts the hours hold: with the join
    # alone it guessed ~20 % of the table for two hours (a tick just after the hour) and
    # scanned all facts (140 ms on the 1.25M-fact bench instead of ~2 ms).
    cursor.execute(
        hourly_insert(
            "JOIN unnest(%s::timestamptz[]) AS d(h) "
            "ON f.at >= d.h AND f.at < d.h + interval '1 hour' AND f.at >= %s AND f.at < %s"
        ),
        [hours, min(hours), max(hours) + dt.timedelta(hours=1)],
    )
    # A day is always summed whole from its facts and counts.
    days = sorted({h.astimezone(dt.UTC).date() for h in hours})
    day_range = (
        "JOIN unnest(%s::date[]) AS d(day) ON {0} >= d.day::timestamp AT TIME ZONE 'UTC' "
        "AND {0} < (d.day + 1)::timestamp AT TIME ZONE 'UTC'"
    )
    cursor.execute("DELETE FROM analytics_dailyrollup WHERE day = ANY(%s)", [days])
    cursor.execute(daily_insert(day_range.format("f.at"), day_range.format("m.hour")), [days, days])
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
        [days, days],
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


# The watermarks: name -> (table, its increasing column). A message counter takes a new
# ``seq`` on every upsert, so a counter changed after a tick read it is past the watermark.
SOURCES = {
    "facts": ("analytics_fact", "id"),
    "messages": ("analytics_messagecount", "seq"),
    "questions": ("analytics_questionfact", "id"),
}


def _settled(cursor: Any, name: str, after: int, lag: dt.timedelta) -> int:
    """The highest id (seq) past ``after`` written longer than ``lag`` ago (else ``after``):
    every lower one was written earlier still, so its transaction has committed."""
    table, column = SOURCES[name]
    cursor.execute(
        f"SELECT {column} FROM {table} WHERE {column} > %s AND recorded_at <= %s "
        f"ORDER BY {column} DESC LIMIT 1",
        [after, stamp(timezone.now() - lag)],
    )
    row = cursor.fetchone()
    return int(row[0]) if row else after


def _new_periods(cursor: Any, name: str, after: int) -> list[Any]:
    """The hours (facts, messages) or UTC days (questions) written past the watermark."""
    if lite():
        return sqlite.new_periods(cursor, name, after)
    table, column = SOURCES[name]
    period = {
        "facts": "date_trunc('hour', at)",
        "messages": "hour",
        "questions": "(at AT TIME ZONE 'UTC')::date",
    }[name]
    cursor.execute(f"SELECT DISTINCT {period} FROM {table} WHERE {column} > %s", [after])
    return [row[0] for row in cursor.fetchall()]


def rollup_tick(*, lag: dt.timedelta = LAG) -> RollupResult:
    """One incremental run: recompute the hours and days that new facts fall in."""
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        _begin(cursor)
        marks = Marks()
        imported = questions_import(marks=marks, lag=lag)
        conversions_scan(marks=marks)
        hours = sorted(
            {
                *_new_periods(cursor, "facts", marks.get("facts")),
                *_new_periods(cursor, "messages", marks.get("messages")),
            }
        )
        days = _new_periods(cursor, "questions", marks.get("questions"))
        _roll_hours(cursor, hours)
        _roll_days(cursor, days)
        for name in SOURCES:
            marks.set(name, _settled(cursor, name, marks.get(name), lag))
        marks.save(cursor)
    return RollupResult(len(hours), len(days), imported, time.perf_counter() - started)


REBUILT = (
    "analytics_hourlyrollup",
    "analytics_dailyrollup",
    "analytics_durationhistogram",
    "analytics_questiondaily",
)


def _rebuild_all(cursor: Any) -> tuple[int, int]:
    """Every rollup table recomputed from all facts (PostgreSQL); (hourly rows, question-day
    rows). Loaded the way PostgreSQL's manual advises for bulk loads: TRUNCATE rather than
    DELETE (no dead copies beside the new rows whose keys each unique-index insert must
    check), and the secondary indexes (the unique constraints) built once after the rows are
    in instead of updated row by row: together they halve the rebuild's writes. Both take
    the tables' exclusive lock, so a report page reading meanwhile waits for the commit; a
    duplicate key still fails the rebuild (the constraint is checked when it is re-added)."""
    cursor.execute(
        "SELECT 'ALTER TABLE ' || c.conrelid::regclass::text "
        "|| ' ADD CONSTRAINT ' || quote_ident(c.conname) || ' ' || pg_get_constraintdef(c.oid), "
        "'ALTER TABLE ' || c.conrelid::regclass::text "
        "|| ' DROP CONSTRAINT ' || quote_ident(c.conname) "
        "FROM pg_constraint c WHERE c.contype = 'u' AND c.conrelid = ANY(%s::regclass[]) "
        "UNION ALL "
        "SELECT pg_get_indexdef(i.indexrelid), 'DROP INDEX ' || i.indexrelid::regclass::text "
        "FROM pg_index i WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        [list(REBUILT), list(REBUILT)],
    )
    indexes = cursor.fetchall()
    cursor.execute(f"TRUNCATE {', '.join(REBUILT)}, analytics_pendingday")
    for _, drop in indexes:
        cursor.execute(drop)
    cursor.execute(hourly_insert(""))
    hours = cursor.rowcount
    cursor.execute(daily_insert("", ""))
    cursor.execute(HISTOGRAM_INSERT.format(source=""))
    cursor.execute(QUESTION_INSERT.format(source=""))
    days = cursor.rowcount
    for create, _ in indexes:
        cursor.execute(create)
    return hours, days


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
            for name in SOURCES:
                marks.set(name, _settled(cursor, name, marks.get(name), LAG))
            marks.save(cursor)
            if lite():
                hours, days = sqlite.rebuild_all(cursor)
                return RollupResult(hours, days, 0, time.perf_counter() - started)
            hours, days = _rebuild_all(cursor)
        elif lite():
            hour_list = sqlite.hour_range(cursor, start, end)
            day_list = sorted({h.date() for h in hour_list})
            _roll_hours(cursor, hour_list)
            _roll_histograms(cursor, day_list)
            _roll_days(cursor, day_list)
            hours, days = len(hour_list), len(day_list)
        else:
            cursor.execute(
                "SELECT least((SELECT min(at) FROM analytics_fact), "
                "(SELECT min(hour) FROM analytics_messagecount)), "
                "greatest((SELECT max(at) FROM analytics_fact), "
                "(SELECT max(hour) FROM analytics_messagecount))"
            )
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
