"""The search index on PostgreSQL, built without blocking writes on a large table.

``chat_message`` is partitioned (chat/partitions.py) and PostgreSQL cannot build an index on
a partitioned table ``CONCURRENTLY``. So: an invalid index ``ON ONLY`` the parent, then each
partition's index built ``CONCURRENTLY`` (writes go on) and attached; the parent's index is
valid once every partition has one, and partitions created later get theirs automatically.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from .segment import CJK_RUN, index_text

logger = logging.getLogger(__name__)

TABLE = "chat_message"
INDEX = "message_search_vector"
EXPRESSION = "(to_tsvector('simple'::regconfig, COALESCE(search_text, body)))"


def _partitions(cursor: Any) -> list[str]:
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = %s::regclass ORDER BY c.relname",
        [TABLE],
    )
    return [row[0] for row in cursor.fetchall()]


def _is_partitioned(cursor: Any) -> bool:
    cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass", [TABLE])
    return cursor.fetchone() is not None


def create_index(cursor: Any) -> None:
    """Call outside a transaction (``CONCURRENTLY``). Safe to run again after a failure: an
    invalid leftover partition index is dropped and rebuilt."""
    if not _is_partitioned(cursor):
        cursor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON {TABLE} USING gin {EXPRESSION}"
        )
        return
    cursor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON ONLY {TABLE} USING gin {EXPRESSION}")
    for partition in _partitions(cursor):
        name = f"{partition}_search"
        cursor.execute(
            "SELECT i.indisvalid, EXISTS (SELECT 1 FROM pg_inherits h"
            " WHERE h.inhrelid = i.indexrelid) FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = %s",
            [name],
        )
        row = cursor.fetchone()
        if row and row[1]:
            continue  # built and attached
        if row and not row[0]:
            cursor.execute(f"DROP INDEX CONCURRENTLY {name}")  # a build interrupted earlier
        started = time.monotonic()
        cursor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {partition} USING gin {EXPRESSION}"
        )
        cursor.execute(f"ALTER INDEX {INDEX} ATTACH PARTITION {name}")
        # The index expression's statistics (its commonest words): without them PostgreSQL
        # takes every word for a rare one and reads all of a common word's matches.
        cursor.execute(f"ANALYZE {partition}")
        logger.info("search index on %s built in %.1f s", partition, time.monotonic() - started)


def drop_index(cursor: Any) -> None:
    cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")


def backfill(cursor: Any, batch: int = 2000) -> int:
    """Fill ``search_text`` of stored messages with Chinese, a batch per statement (each its
    own transaction when run in autocommit, so no long lock). Returns the rows updated."""
    done, last = 0, 0
    pattern = CJK_RUN.pattern.replace("+", "")
    while True:
        cursor.execute(
            f"SELECT id, body FROM {TABLE} WHERE id > %s AND search_text IS NULL "
            "AND body ~ %s ORDER BY id LIMIT %s",
            [last, pattern, batch],
        )
        rows = cursor.fetchall()
        if not rows:
            return done
        ids = [row[0] for row in rows]
        texts = [index_text(row[1]) for row in rows]
        cursor.execute(
            f"UPDATE {TABLE} m SET search_text = v.t FROM unnest(%s::bigint[], %s::text[]) "
            "AS v(id, t) WHERE m.id = v.id",
            [ids, texts],
        )
        done += len(rows)
        last = ids[-1]
