"""Watermarks of the incremental rollup, read once and written once per run."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.utils import timezone

from .. import dialects


class Marks:
    """``name -> last id`` for every watermark; the caller holds the rollup lock, so nobody
    else writes them meanwhile."""

    def __init__(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, last_id FROM analytics_watermark")
            self.values: dict[str, int] = dict(cursor.fetchall())
        self.changed: set[str] = set()

    def get(self, name: str) -> int:
        return self.values.get(name, 0)

    def set(self, name: str, value: int) -> None:
        if self.values.get(name) != value:
            self.values[name] = value
            self.changed.add(name)

    def save(self, cursor: Any) -> None:
        if not self.changed:
            return
        d = dialects.current()
        source, params = d.rows(
            "r",
            [("n", "text"), ("v", "bigint")],
            [(name, self.values[name]) for name in sorted(self.changed)],
        )
        # ``WHERE true`` tells SQLite's parser that ON CONFLICT is not a join's ON.
        cursor.execute(
            "INSERT INTO analytics_watermark (name, last_id, updated_at) "
            f"SELECT r.n, r.v, %s FROM {source} WHERE true "
            "ON CONFLICT (name) DO UPDATE SET last_id = excluded.last_id, "
            "updated_at = excluded.updated_at",
            [d.stamp(timezone.now()), *params],
        )
        self.changed.clear()
