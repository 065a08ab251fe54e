"""Rolling facts into the hourly / daily aggregates.

Every rollup recomputes whole periods from the facts (delete + insert in one transaction), so
running it twice gives the same rows. An advisory transaction lock serialises ticks and
rebuilds: two workers never interleave (SQLite, the embedded default, serialises writers
itself and runs in one process). The tick is incremental: it reads only facts past the
watermark and recomputes the hours they fall in. The statements are written once for both
SQL dialects (``statements``, ``analytics.dialects``).
"""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from .. import dialects
from ..dialects import Dialect, parse_day, parse_stamp
from ..shop import report_zones
from . import statements
from .imports import conversions_scan, questions_import
from .marks import Marks

LOCK_KEY = 0x48444B_414E  # "HDK" "AN"
# A fact recorded longer ago than this is committed (chat transactions last milliseconds);
# newer facts are read again by the next tick, which is harmless (periods are recomputed).
LAG = dt.timedelta(minutes=2)
HOUR = dt.timedelta(hours=1)


@dataclass
class RollupResult:
    hours: int
    days: int
    imported: int
    seconds: float


def _begin(cursor: Any, d: Dialect, *, full: bool = False) -> None:
    if d.sqlite:  # SQLite serialises writers; the embedded default is one process
        return
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    # The full rebuild's aggregates stay in memory (hashed, not sorted on disk). JIT is off:
    # for a tick's few hundred facts compiling (triggered by the planner's guess for the
    # unnest join) costs ten times the query itself, and over the full rebuild's millions
    # it saves about what it costs to compile.
    cursor.execute(f"SET LOCAL work_mem = '{'256MB' if full else '128MB'}'")
    cursor.execute("SET LOCAL jit = off")


def _zone_days(days: list[dt.date], zone: str) -> list[tuple[dt.date, dt.datetime, dt.datetime]]:
    """Each day of ``zone`` with the UTC instants it starts and ends at (23 or 25 hours apart
    on the days the clocks change)."""
    tz = zoneinfo.ZoneInfo(zone)
    out = []
    for day in days:
        lo = dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(dt.UTC)
        hi = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz)
        out.append((day, lo, hi.astimezone(dt.UTC)))
    return out


def _local_days(hours: list[dt.datetime], zone: str) -> list[dt.date]:
    """The days of ``zone`` that these UTC hours touch (an hour can straddle two days in a
    zone whose offset is not whole hours)."""
    tz = zoneinfo.ZoneInfo(zone)
    days = set()
    for hour in hours:
        days.add(hour.astimezone(tz).date())
        days.add((hour + HOUR - dt.timedelta(microseconds=1)).astimezone(tz).date())
    return sorted(days)


DAY_COLUMNS = [("day", "date"), ("lo", "timestamptz"), ("hi", "timestamptz")]
ZONED = (
    "analytics_dailyrollup",
    "analytics_agentdurations",
    "analytics_durationhistogram",
    "analytics_questiondaily",
    "analytics_pendingday",
)


def _delete_days(cursor: Any, d: Dialect, table: str, zone: str, days: list[dt.date]) -> None:
    where, params = d.any_of("day", days)
    cursor.execute(f"DELETE FROM {table} WHERE zone = %s AND {where}", [zone, *params])


def _roll_hours(cursor: Any, d: Dialect, hours: list[dt.datetime], zones: list[str]) -> None:
    """Recompute these UTC hours (heat map rows), then the days of every report zone they
    touch (daily rows; their histograms follow on their own beat)."""
    if not hours:
        return
    where, params = d.any_of("hour", hours)
    cursor.execute(f"DELETE FROM analytics_hourlyrollup WHERE {where}", params)
    source, source_params = d.rows(
        "d", [("h", "timestamptz"), ("h_end", "timestamptz")], [(h, h + HOUR) for h in hours]
    )
    # The outer bounds let the planner see how few facts the hours hold: with the join
    # alone it guessed ~20 % of the table for two hours (a tick just after the hour) and
    # scanned all facts (140 ms on the 1.25M-fact bench instead of ~2 ms).
    cursor.execute(
        statements.hourly_insert(
            d,
            f"JOIN {source} ON f.at >= d.h AND f.at < d.h_end AND f.at >= %s AND f.at < %s",
        ),
        [*source_params, d.stamp(min(hours)), d.stamp(max(hours) + HOUR)],
    )
    for zone in zones:
        _roll_zone_days(cursor, d, zone, _local_days(hours, zone))


def _roll_zone_days(cursor: Any, d: Dialect, zone: str, days: list[dt.date]) -> None:
    """The daily rows of these days of ``zone``, each summed whole from its facts and counts."""
    _delete_days(cursor, d, "analytics_dailyrollup", zone, days)
    source, source_params = d.rows("d", DAY_COLUMNS, _zone_days(days, zone))
    # The outer bounds, as for the hours: the planner sees the range the days cover.
    bounds = "AND {c} >= %s AND {c} < %s"
    lo = d.stamp(_zone_days(days[:1], zone)[0][1])
    hi = d.stamp(_zone_days(days[-1:], zone)[0][2])
    cursor.execute(
        statements.daily_insert(
            d,
            zone,
            f"JOIN {source} ON f.at >= d.lo AND f.at < d.hi {bounds.format(c='f.at')}",
            f"JOIN {source} ON m.hour >= d.lo AND m.hour < d.hi {bounds.format(c='m.hour')}",
        ),
        [*source_params, lo, hi, *source_params, lo, hi],
    )
    # Each agent's durations of these days (the agents table's exact percentiles).
    _delete_days(cursor, d, "analytics_agentdurations", zone, days)
    cursor.execute(
        statements.agent_durations_insert(
            d, zone, f"JOIN {source} ON f.at >= d.lo AND f.at < d.hi {bounds.format(c='f.at')}"
        ),
        [*source_params, lo, hi],
    )
    # The day's histograms are recomputed by ``histograms_refresh`` (every few minutes), off
    # the per-minute tick: they only feed the percentiles of large ranges.
    pending, pending_params = d.rows("d", [("day", "date")], [(day,) for day in days])
    cursor.execute(
        f"INSERT INTO analytics_pendingday (zone, day) SELECT %s, d.day FROM {pending} "
        "WHERE true ON CONFLICT DO NOTHING",
        [zone, *pending_params],
    )


def _roll_histograms(cursor: Any, d: Dialect, zone: str, days: list[dt.date]) -> None:
    if not days:
        return
    _delete_days(cursor, d, "analytics_durationhistogram", zone, days)
    source, params = d.rows("d", DAY_COLUMNS, _zone_days(days, zone))
    cursor.execute(
        statements.histogram_insert(d, zone, f"JOIN {source} ON f.at >= d.lo AND f.at < d.hi"),
        [*params, *params],
    )
    _delete_days(cursor, d, "analytics_pendingday", zone, days)


def histograms_refresh() -> int:
    """Recompute the duration histograms of every pending day; returns how many."""
    d = dialects.current()
    zones = report_zones()
    with transaction.atomic(), connection.cursor() as cursor:
        _begin(cursor, d)
        cursor.execute("SELECT zone, day FROM analytics_pendingday ORDER BY zone, day")
        pending: dict[str, list[dt.date]] = {}
        for zone, day in cursor.fetchall():
            pending.setdefault(zone, []).append(parse_day(day))
        for zone, days in pending.items():
            if zone in zones:
                _roll_histograms(cursor, d, zone, days)
            else:  # a zone no longer reported in
                _delete_days(cursor, d, "analytics_pendingday", zone, days)
    return sum(len(days) for days in pending.values())


def _roll_days(cursor: Any, d: Dialect, zone: str, days: list[dt.date]) -> None:
    if not days:
        return
    _delete_days(cursor, d, "analytics_questiondaily", zone, days)
    source, params = d.rows("d", DAY_COLUMNS, _zone_days(days, zone))
    cursor.execute(
        statements.question_insert(d, zone, f"JOIN {source} ON q.at >= d.lo AND q.at < d.hi"),
        params,
    )


def _histograms_all(cursor: Any, d: Dialect, zone: str) -> None:
    """Every day's histograms of ``zone``. Read from the duration index (index-only: 64 MB
    of the 1.35M-fact bench instead of the 154 MB table, twice): the planner picks the
    sequential scan because the durations are half the facts, which cost 1.32 s of server
    CPU against 0.88 s (docs/performance.md)."""
    if not d.sqlite:
        cursor.execute("SET LOCAL enable_seqscan = off")
    cursor.execute(statements.histogram_insert(d, zone, ""), [])
    if not d.sqlite:
        cursor.execute("SET LOCAL enable_seqscan = on")


def _agent_durations_all(cursor: Any, d: Dialect, zone: str) -> None:
    """Every day's ``AgentDurations`` of ``zone``. Hashed, not sorted: the planner cannot see
    that the ~660,000 durations of the bench fall into only ~14,000 (day, kind, agent, team)
    groups (it guesses ~500,000), so it sorted them all first: 0.52–0.65 s of server CPU
    against 0.31–0.35 s hashed (docs/performance.md)."""
    if not d.sqlite:
        cursor.execute("SET LOCAL enable_sort = off")
    cursor.execute(statements.agent_durations_insert(d, zone, ""), [])
    if not d.sqlite:
        cursor.execute("SET LOCAL enable_sort = on")


def _build_zone(cursor: Any, d: Dialect, zone: str) -> None:
    """Every day of ``zone`` from all facts: a report zone added (or the shop's zone changed)
    since the rows were built."""
    for table in ZONED:
        cursor.execute(f"DELETE FROM {table} WHERE zone = %s", [zone])
    cursor.execute(statements.daily_insert(d, zone, "", ""), [])
    _agent_durations_all(cursor, d, zone)
    _histograms_all(cursor, d, zone)
    cursor.execute(statements.question_insert(d, zone, ""), [])


def _zones_sync(cursor: Any, d: Dialect, marks: Marks, zones: list[str]) -> None:
    """Build the report zones that have no rows yet, drop the rows of zones no longer
    reported in. A zone's watermark ``zone:<name>`` is 1 once its rows are built."""
    built = {name[5:] for name, value in marks.values.items() if name.startswith("zone:") and value}
    for zone in zones:
        if zone not in built:
            _build_zone(cursor, d, zone)
            marks.set(f"zone:{zone}", 1)
    for zone in sorted(built - set(zones)):
        for table in ZONED:
            cursor.execute(f"DELETE FROM {table} WHERE zone = %s", [zone])
        marks.set(f"zone:{zone}", 0)


# The watermarks: name -> (table, its increasing column, its time column). A message
# counter takes a new ``seq`` on every upsert, so a counter changed after a tick read it is
# past the watermark.
SOURCES = {
    "facts": ("analytics_fact", "id", "at"),
    "messages": ("analytics_messagecount", "seq", "hour"),
    "questions": ("analytics_questionfact", "id", "at"),
}


def _settled(cursor: Any, d: Dialect, name: str, after: int, lag: dt.timedelta) -> int:
    """The highest id (seq) past ``after`` written longer than ``lag`` ago (else ``after``):
    every lower one was written earlier still, so its transaction has committed."""
    table, column, _at = SOURCES[name]
    cursor.execute(
        f"SELECT {column} FROM {table} WHERE {column} > %s AND recorded_at <= %s "
        f"ORDER BY {column} DESC LIMIT 1",
        [after, d.stamp(timezone.now() - lag)],
    )
    row = cursor.fetchone()
    return int(row[0]) if row else after


def _new_periods(cursor: Any, d: Dialect, name: str, after: int) -> list[dt.datetime]:
    """The UTC hours of the rows written past the watermark."""
    table, column, at = SOURCES[name]
    cursor.execute(f"SELECT DISTINCT {d.utc_hour(at)} FROM {table} WHERE {column} > %s", [after])
    return [parse_stamp(row[0]) for row in cursor.fetchall()]


def rollup_tick(*, lag: dt.timedelta = LAG) -> RollupResult:
    """One incremental run: recompute the hours and days that new facts fall in (and build
    the report zones that have no rows yet)."""
    started = time.perf_counter()
    d = dialects.current()
    zones = report_zones()
    with transaction.atomic(), connection.cursor() as cursor:
        _begin(cursor, d)
        marks = Marks()
        imported = questions_import(marks=marks, lag=lag)
        conversions_scan(marks=marks)
        _zones_sync(cursor, d, marks, zones)
        hours = sorted(
            {
                *_new_periods(cursor, d, "facts", marks.get("facts")),
                *_new_periods(cursor, d, "messages", marks.get("messages")),
            }
        )
        question_hours = sorted(_new_periods(cursor, d, "questions", marks.get("questions")))
        _roll_hours(cursor, d, hours, zones)
        days = _local_days(question_hours, zones[0])
        for zone in zones:
            _roll_days(cursor, d, zone, _local_days(question_hours, zone))
        for name in SOURCES:
            marks.set(name, _settled(cursor, d, name, marks.get(name), lag))
        marks.save(cursor)
    return RollupResult(len(hours), len(days), imported, time.perf_counter() - started)


def question_days_reroll(stamps: list[dt.datetime]) -> None:
    """Recompute the question-daily rows of the days these instants fall in, in every report
    zone, from the facts as they are now: after an erasure cleared some facts' key words, the
    day's topics no longer name them. Takes the rollup lock first (a caller erasing facts calls
    this before touching them, so the lock comes before any fact's row lock, as in a tick)."""
    d = dialects.current()
    with transaction.atomic(), connection.cursor() as cursor:
        _begin(cursor, d)
        if not stamps:
            return
        hours = sorted(
            {s.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0) for s in stamps}
        )
        for zone in report_zones():
            _roll_days(cursor, d, zone, _local_days(hours, zone))
