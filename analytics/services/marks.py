"""Watermarks of the incremental rollup, read once and written once per run."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.utils import timezone


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
        rows = [(name, self.values[name]) for name in sorted(self.changed)]
        if connection.vendor == "sqlite":
            from .lite import marks_save

            marks_save(cursor, rows, timezone.now())
            self.changed.clear()
            return
        cursor.execute(
            "INSERT INTO analytics_watermark (name, last_id, updated_at) "
            "SELECT n, v, now() FROM unnest(%s::text[], %s::bigint[]) AS r(n, v) "
            "ON CONFLICT (name) DO UPDATE SET last_id = EXCLUDED.last_id, updated_at = now()",
            [[r[0] for r in rows], [r[1] for r in rows]],
        )
        self.changed.clear()
