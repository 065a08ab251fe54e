"""The two SQL dialects of analytics: PostgreSQL (production) and SQLite (the embedded default).

The PostgreSQL statements are written for speed on millions of facts; the embedded default
(no ``DATABASE_URL``: one process, a demo's worth of data) runs SQLite equivalents. These
helpers hide the differences in parameters: SQLite has no arrays (lists become ``IN`` lists
or ``json_each``) and stores datetimes as naive UTC text, so datetime parameters must be
given in that form for text comparisons to hold.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

HOUR_FORMAT = "%Y-%m-%d %H:00:00"


def lite() -> bool:
    """True on the embedded default's SQLite."""
    return connection.vendor == "sqlite"


def stamp(value: dt.datetime) -> Any:
    """A datetime parameter: as is on PostgreSQL, naive UTC text (as stored) on SQLite."""
    if not lite():
        return value
    return connection.ops.adapt_datetimefield_value(value)


def hour_stamp(value: dt.datetime) -> str:
    """The stored text of the UTC hour ``value`` starts (SQLite rollup rows)."""
    return value.astimezone(dt.UTC).strftime(HOUR_FORMAT)


def parse_hour(value: Any) -> dt.datetime:
    """An hour read back from SQLite (text or naive UTC datetime) as an aware datetime."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def parse_day(value: Any) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def any_of(column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    """``column`` equals one of ``values``: ``= ANY(array)`` on PostgreSQL, ``IN`` on SQLite."""
    if not lite():
        return f"{column} = ANY(%s)", [list(values)]
    if not values:
        return "1 = 0", []
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def json_list(values: Iterable[Any]) -> str:
    """A list for SQLite's ``json_each(%s)`` (the stand-in for ``unnest``)."""
    return json.dumps(list(values), default=str)


def percentile_cont(ordered: Sequence[float], p: float) -> float | None:
    """PostgreSQL's ``percentile_cont``: linear interpolation over sorted values."""
    if not ordered:
        return None
    rank = p * (len(ordered) - 1)
    below = int(rank)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (rank - below)
