"""The two SQL dialects analytics runs on, as the few fragments in which they differ.

Every statement of analytics is written once (``analytics.services.statements``, the
selectors, the message listener) and asks the connection's dialect for the pieces PostgreSQL
(production) and SQLite (the embedded default, ``make run``) spell differently:

- **lists of values** travel as arrays on PostgreSQL (``unnest(%s::date[])``, ``= ANY(%s)``)
  and as JSON text on SQLite (``json_each``, ``IN (…)``);
- **datetimes**: SQLite stores them as naive UTC text (``YYYY-MM-DD HH:MM:SS[.ffffff]``), so a
  datetime parameter is passed in that form for text comparisons to hold, and an hour is cut
  with ``strftime``;
- **grouping sets**: PostgreSQL sums every slice in one pass (``GROUPING SETS``); SQLite has
  none, so the same groupings are a ``UNION ALL`` over a CTE;
- a new **sequence value** inside an upsert, a histogram **bucket**'s arithmetic, code-point
  **collation**, the ISO **weekday** and **packed doubles** (``float8send`` on PostgreSQL, a
  Python aggregate on SQLite).

Generic SQL (``FILTER``, ``ON CONFLICT … DO UPDATE``, ``CAST``, ``coalesce``, window
functions, ``WITH``) is written as is: both engines accept it. ``tests/analytics/
test_dialects.py`` runs the same hand-built conversations on both and compares every rollup row
and every report table.
"""

from __future__ import annotations

import datetime as dt
import json
import struct
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from django.db import connection

from .shop import sql_zone


class Dialect:
    """PostgreSQL's spelling; ``SQLiteDialect`` overrides what SQLite spells differently."""

    sqlite = False

    def stamp(self, value: dt.datetime) -> Any:
        """A datetime parameter as the column stores it."""
        return value

    def rows(
        self, alias: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]]
    ) -> tuple[str, list[Any]]:
        """A table source ``alias(column, …)`` holding ``rows``; ``columns`` are (name, SQL
        type) pairs, the types being PostgreSQL's (``date``, ``timestamptz``, ``bigint``, …)."""
        arrays = ", ".join(f"%s::{kind}[]" for _name, kind in columns)
        names = ", ".join(name for name, _kind in columns)
        params = [[self._value(row[i]) for row in rows] for i in range(len(columns))]
        return f"unnest({arrays}) AS {alias}({names})", params

    def any_of(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """``column`` equals one of ``values``."""
        return f"{column} = ANY(%s)", [list(values)]

    def utc_hour(self, expr: str) -> str:
        """The UTC hour a timestamp falls in (as the column type stores it)."""
        return f"date_trunc('hour', {expr})"

    def local_day(self, expr: str, zone: str) -> str:
        """The day a timestamp falls on in ``zone`` (a name checked by
        ``analytics.shop.checked_zone``, written as a literal; a fixed offset when the zone
        has one: ``analytics.shop.sql_zone``)."""
        return f"(({expr}) AT TIME ZONE {sql_zone(zone)})::date"

    def iso_weekday(self, expr: str, zone: str = "UTC") -> str:
        """1 = Monday … 7 = Sunday of a timestamp, in ``zone``."""
        return f"extract(isodow FROM ({expr}) AT TIME ZONE {sql_zone(zone)})::int"

    def hour_of_day(self, expr: str, zone: str = "UTC") -> str:
        return f"extract(hour FROM ({expr}) AT TIME ZONE {sql_zone(zone)})::int"

    def bucket(self, expr: str, growth: float, top: int) -> str:
        """The histogram bucket of a duration: 0 under one second, else
        ``1 + floor(log_growth(seconds))``, at most ``top``."""
        return (
            f"CASE WHEN {expr} < 1 THEN 0 "
            f"ELSE least(1 + floor(ln({expr}) / ln({growth}))::int, {top}) END"
        )

    def packed_doubles(self, expr: str) -> str:
        """An aggregate: the group's non-null values of ``expr`` packed as big-endian IEEE
        doubles, 8 bytes each, in no particular order (an empty string for none)."""
        return f"coalesce(string_agg(float8send({expr}), ''::bytea), ''::bytea)"

    def joined_bytes(self, expr: str) -> str:
        """An aggregate: the group's byte strings ``expr`` concatenated."""
        return f"string_agg({expr}, ''::bytea)"

    def next_seq(self, table: str, column: str) -> str:
        """A fresh value of ``table.column``'s sequence inside ``ON CONFLICT … DO UPDATE``: the
        identity default already drew one for the proposed row."""
        return f"excluded.{column}"

    def codepoint_order(self, expr: str) -> str:
        """``expr`` compared by code point, as Python compares strings."""
        return f'{expr} COLLATE "C"'

    def slices(
        self,
        inner: str,
        keys: Sequence[str],
        sets: Sequence[Sequence[str]],
        select: Callable[[list[str]], str],
        *,
        rollup_value: str = "-1",
    ) -> str:
        """A SELECT summing the rows of ``inner`` (a subquery with the columns ``keys`` and
        the ones ``select`` aggregates) once per grouping set. ``select(key_exprs)`` returns
        the select list given one expression per key: the key itself, or ``rollup_value``
        where the set leaves it out."""
        exprs = [
            key if all(key in s for s in sets) else f"coalesce({key}, {rollup_value})"
            for key in keys
        ]
        grouping = ", ".join("(" + ", ".join(s) + ")" for s in sets)
        return f"SELECT {select(exprs)} FROM ({inner}) AS a GROUP BY GROUPING SETS ({grouping})"

    def _value(self, value: Any) -> Any:
        return value


class SQLiteDialect(Dialect):
    sqlite = True

    def stamp(self, value: dt.datetime) -> Any:
        return connection.ops.adapt_datetimefield_value(value)

    def rows(
        self, alias: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]]
    ) -> tuple[str, list[Any]]:
        names = ", ".join(
            f"json_extract(value, '$[{i}]') AS {name}" for i, (name, _kind) in enumerate(columns)
        )
        data = json.dumps([[self._value(v) for v in row] for row in rows])
        return f"(SELECT {names} FROM json_each(%s)) AS {alias}", [data]

    def any_of(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        if not values:
            return "1 = 0", []
        return f"{column} IN ({', '.join(['%s'] * len(values))})", [self._value(v) for v in values]

    def utc_hour(self, expr: str) -> str:
        # Every statement runs with a parameter list (possibly empty), so a literal % is %%.
        return f"strftime('%%Y-%%m-%%d %%H:00:00', {expr})"

    def local_day(self, expr: str, zone: str) -> str:
        # SQLite knows no time zones: a Python function (``register_sqlite_functions``).
        return f"hd_local(({expr}), '{zone}', 'day')"

    def iso_weekday(self, expr: str, zone: str = "UTC") -> str:
        return f"CAST(hd_local(({expr}), '{zone}', 'isodow') AS INTEGER)"

    def hour_of_day(self, expr: str, zone: str = "UTC") -> str:
        return f"CAST(hd_local(({expr}), '{zone}', 'hour') AS INTEGER)"

    def bucket(self, expr: str, growth: float, top: int) -> str:
        return (
            f"CASE WHEN {expr} < 1 THEN 0 "
            f"ELSE min(1 + CAST(floor(ln({expr}) / ln({growth})) AS INTEGER), {top}) END"
        )

    def packed_doubles(self, expr: str) -> str:
        # A Python aggregate (``register_sqlite_functions``).
        return f"coalesce(hd_doubles({expr}), X'')"

    def joined_bytes(self, expr: str) -> str:
        # group_concat would treat a blob as text; a Python aggregate keeps the bytes.
        return f"hd_joined({expr})"

    def next_seq(self, table: str, column: str) -> str:
        # No sequences; SQLite serialises writers, so the largest plus one is free.
        return f"(SELECT max({column}) + 1 FROM {table})"

    def codepoint_order(self, expr: str) -> str:
        # BINARY compares UTF-8 bytes, whose order is the code points' order.
        return f"{expr} COLLATE BINARY"

    def slices(
        self,
        inner: str,
        keys: Sequence[str],
        sets: Sequence[Sequence[str]],
        select: Callable[[list[str]], str],
        *,
        rollup_value: str = "-1",
    ) -> str:
        parts = []
        for grouping in sets:
            exprs = [key if key in grouping else rollup_value for key in keys]
            parts.append(f"SELECT {select(exprs)} FROM a GROUP BY {', '.join(grouping)}")
        return f"WITH a AS ({inner}) " + " UNION ALL ".join(parts)

    def _value(self, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return self.stamp(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        return value


def _sqlite_local(value: Any, zone: str, part: str) -> Any:
    """``hd_local(stamp, zone, part)`` on SQLite: the day (``YYYY-MM-DD``), ISO weekday or
    hour of a stored UTC datetime in ``zone``, as PostgreSQL's ``AT TIME ZONE`` gives it."""
    if value is None:
        return None
    moment = parse_stamp(str(value)).astimezone(_zone(zone))
    if part == "day":
        return moment.date().isoformat()
    if part == "isodow":
        return moment.isoweekday()
    return moment.hour


class _Doubles:
    """``hd_doubles(x)`` on SQLite: PostgreSQL's ``string_agg(float8send(x), '')``."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def step(self, value: Any) -> None:
        if value is not None:
            self.parts.append(struct.pack(">d", value))

    def finalize(self) -> bytes | None:
        return b"".join(self.parts) if self.parts else None


class _Joined:
    """``hd_joined(b)`` on SQLite: PostgreSQL's ``string_agg(b, ''::bytea)``."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def step(self, value: Any) -> None:
        if value is not None:
            self.parts.append(bytes(value))

    def finalize(self) -> bytes | None:
        return b"".join(self.parts) if self.parts else None


def unpack_doubles(packed: bytes | memoryview | None) -> Any:
    """The values of ``Dialect.packed_doubles`` as a new numpy array of native doubles."""
    if packed is None:
        return np.empty(0)
    return np.frombuffer(packed, dtype=">f8").astype(np.float64)


def _zone(name: str) -> dt.tzinfo:
    import zoneinfo

    return zoneinfo.ZoneInfo(name)


def register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: SQLite connections get ``hd_local`` and the aggregates
    ``hd_doubles`` and ``hd_joined``."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("hd_local", 3, _sqlite_local, deterministic=True)
        connection.connection.create_aggregate("hd_doubles", 1, _Doubles)
        connection.connection.create_aggregate("hd_joined", 1, _Joined)


POSTGRESQL = Dialect()
SQLITE = SQLiteDialect()


def current() -> Dialect:
    """The dialect of the default connection."""
    return SQLITE if connection.vendor == "sqlite" else POSTGRESQL


def parse_day(value: Any) -> dt.date:
    """A date read back from either engine (SQLite returns text from expressions)."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def parse_stamp(value: Any) -> dt.datetime:
    """A datetime read back from either engine, as an aware UTC datetime."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def percentile_cont(ordered: Sequence[float], p: float) -> float | None:
    """PostgreSQL's ``percentile_cont`` over sorted values (linear interpolation): SQLite
    has no such aggregate, so its durations are read in order and interpolated here."""
    if len(ordered) == 0:
        return None
    rank = p * (len(ordered) - 1)
    below = int(rank)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (rank - below)
