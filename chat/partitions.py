"""The message table partitioned by month on PostgreSQL (declarative range partitioning).

The partition key is ``conversation_created_at``: the month the message's *conversation*
started, copied into every message. Two reasons:

- **The contract's idempotency survives as a real constraint.** A unique constraint on a
  partitioned table must contain the partition key. Keyed by the message's own time, the
  unique ``(conversation, client_id)`` could only be enforced per month, and a resend that
  arrives after midnight on the 1st would be stored twice. The conversation's start is a
  function of the conversation, so ``(conversation, client_id, conversation_created_at)`` is
  the same constraint as ``(conversation, client_id)``: a resend hits it in the same
  partition, whenever it arrives. The same holds for the gap-free ``(conversation, seq)``.
- **A conversation lives in one partition**: history and ``resume`` read one partition's
  index, and retention drops whole conversations (a month of them) with ``DROP TABLE``,
  never half a thread.

The price: rows referencing a message (attachments, bot feedback, sentiment, unmatched
questions) cannot have a database foreign key to it (the referenced key would have to be
``(id, conversation_created_at)``); Django still cascades their deletes, and the message id
stays unique through the table's one sequence. Months are created ahead by
``message_partitions_ensure`` (Celery beat, daily); a DEFAULT partition takes any row whose
month has no partition yet (back-dated imports) and the next ``ensure`` moves such rows to
their month. docs/scaling.md.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

TABLE = "chat_message"
LEGACY = "chat_message_legacy"
DEFAULT = "chat_message_default"
MONTHS_AHEAD = 3
# Referencing columns whose database foreign keys go (their Django fields are
# ``db_constraint=False``): (table, column).
REFERENCING = [
    ("chat_attachment", "message_id"),
    ("chat_botfeedback", "message_id"),
    ("chat_messagesentiment", "message_id"),
    ("chat_unmatchedquestion", "message_id"),
]


def month_start(value: dt.datetime | dt.date) -> dt.datetime:
    return dt.datetime(value.year, value.month, 1, tzinfo=dt.UTC)


def next_month(value: dt.datetime) -> dt.datetime:
    return month_start(value + dt.timedelta(days=32))


def literal(value: dt.datetime) -> str:
    """A timestamp as an SQL literal: DDL (partition bounds, CHECK) takes no parameters."""
    return f"'{value.astimezone(dt.UTC).isoformat()}'::timestamptz"


def partition_name(month: dt.datetime) -> str:
    return f"{TABLE}_p{month:%Y_%m}"


def is_partitioned(cursor: Any) -> bool:
    cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass", [TABLE])
    return cursor.fetchone() is not None


def _index_sql(cursor: Any, table: str) -> list[str]:
    """Every index of ``table`` that backs no constraint, as its CREATE statement."""
    cursor.execute(
        "SELECT indexdef FROM pg_indexes i WHERE tablename = %s AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
        [table],
    )
    return [row[0] for row in cursor.fetchall()]


def partition_messages(cursor: Any) -> None:
    """Turn today's plain ``chat_message`` into a partitioned table without copying it.

    The existing table becomes one partition (``chat_message_legacy``) holding every month up
    to the newest conversation's; monthly partitions follow, and a DEFAULT one. Constraints
    and indexes are rebuilt on the parent with the partition key in every unique one (see
    the module docstring). On a large table, build the legacy partition's new unique indexes
    ``CONCURRENTLY`` beforehand and ``ATTACH`` adopts them instead of building them under
    the migration's lock.
    """
    if is_partitioned(cursor):
        return
    cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
    cursor.execute(f"SELECT count(*), max(conversation_created_at) FROM {TABLE}")
    count, newest = cursor.fetchone()
    for table, column in REFERENCING:
        _drop_foreign_keys(cursor, table, column)
    indexes = _index_sql(cursor, TABLE)
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f')",
        [TABLE],
    )
    constraints = cursor.fetchall()
    cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {LEGACY}")
    for name, _definition in constraints:
        cursor.execute(f'ALTER TABLE {LEGACY} DROP CONSTRAINT "{name}"')
    for sql in indexes:
        name = sql.split(" INDEX ", 1)[1].split(" ON ", 1)[0]
        cursor.execute(f"DROP INDEX {name}")
    # One sequence for the whole table, continuing the old identity's numbering.
    cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {LEGACY}")
    next_id = cursor.fetchone()[0]
    cursor.execute(f"ALTER TABLE {LEGACY} ALTER COLUMN id DROP IDENTITY IF EXISTS")
    cursor.execute(f"CREATE SEQUENCE {TABLE}_id_seq AS bigint START WITH {int(next_id)}")
    cursor.execute(
        f"CREATE TABLE {TABLE} (LIKE {LEGACY} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        " PARTITION BY RANGE (conversation_created_at)"
    )
    cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id SET DEFAULT nextval('{TABLE}_id_seq')")
    cursor.execute(f"ALTER SEQUENCE {TABLE}_id_seq OWNED BY {TABLE}.id")
    for name, definition in constraints:
        if definition.startswith(("PRIMARY KEY", "UNIQUE")):
            columns = definition[definition.index("(") + 1 : definition.index(")")]
            kind = "PRIMARY KEY" if definition.startswith("PRIMARY KEY") else "UNIQUE"
            definition = f"{kind} ({columns}, conversation_created_at)"
        cursor.execute(f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {definition}')
    for sql in indexes:
        cursor.execute(sql.replace(f" ON public.{LEGACY} ", f" ON {TABLE} "))
    if count:
        # The old rows stay where they are: one partition up to the end of the newest month.
        bound = max(month_start(timezone.now()), next_month(newest))
        # The CHECK proves the range, so ATTACH does not scan the table to verify it.
        cursor.execute(
            f"ALTER TABLE {LEGACY} ADD CONSTRAINT {LEGACY}_range "
            f"CHECK (conversation_created_at < {literal(bound)})"
        )
        cursor.execute(
            f"ALTER TABLE {TABLE} ATTACH PARTITION {LEGACY} "
            f"FOR VALUES FROM (MINVALUE) TO ({literal(bound)})"
        )
        cursor.execute(f"ALTER TABLE {LEGACY} DROP CONSTRAINT {LEGACY}_range")
    else:
        cursor.execute(f"DROP TABLE {LEGACY}")
    _ensure_months(cursor, MONTHS_AHEAD)
    cursor.execute(f"CREATE TABLE {DEFAULT} PARTITION OF {TABLE} DEFAULT")


def unpartition_messages(cursor: Any) -> None:
    """The way back: one plain table with the original constraints (rows copied)."""
    if not is_partitioned(cursor):
        return
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f')",
        [TABLE],
    )
    constraints = cursor.fetchall()
    indexes = _index_sql(cursor, TABLE)
    cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_partitioned")
    cursor.execute(
        f"CREATE TABLE {TABLE} (LIKE {TABLE}_partitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
    )
    cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {TABLE}_partitioned")
    cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id DROP DEFAULT")
    cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {TABLE}")
    next_id = int(cursor.fetchone()[0])
    cursor.execute(f"DROP TABLE {TABLE}_partitioned CASCADE")
    cursor.execute(
        f"ALTER TABLE {TABLE} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY "
        f"(START WITH {next_id})"
    )
    for name, definition in constraints:
        definition = definition.replace(", conversation_created_at)", ")")
        cursor.execute(f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {definition}')
    for sql in indexes:
        cursor.execute(sql.replace(f" ON public.{TABLE}_partitioned ", f" ON {TABLE} "))


def _drop_foreign_keys(cursor: Any, table: str, column: str) -> None:
    cursor.execute(
        "SELECT c.conname FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid "
        "AND a.attnum = ANY (c.conkey) WHERE c.conrelid = %s::regclass AND c.contype = 'f' "
        "AND c.confrelid = %s::regclass AND a.attname = %s",
        [table, TABLE, column],
    )
    for (name,) in cursor.fetchall():
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')


def _wanted_months(cursor: Any, ahead: int) -> list[dt.datetime]:
    """This month, ``ahead`` more, and every month that has rows waiting in DEFAULT."""
    month = month_start(timezone.now())
    wanted = {month}
    for _ in range(ahead):
        month = next_month(month)
        wanted.add(month)
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [DEFAULT])
    if cursor.fetchone()[0]:
        cursor.execute(
            f"SELECT DISTINCT date_trunc('month', conversation_created_at AT TIME ZONE 'UTC') "
            f"FROM {DEFAULT}"
        )
        wanted.update(month_start(row[0]) for row in cursor.fetchall())
    return sorted(wanted)


def _legacy_upper(cursor: Any) -> dt.datetime | None:
    """Where the legacy partition (the table as it was before partitioning) ends."""
    cursor.execute(
        "SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_class c JOIN pg_inherits i "
        "ON i.inhrelid = c.oid WHERE i.inhparent = %s::regclass AND c.relname = %s",
        [TABLE, LEGACY],
    )
    row = cursor.fetchone()
    if row is None:
        return None
    bound = row[0].rsplit("TO ('", 1)[1].split("')", 1)[0]
    cursor.execute("SELECT %s::timestamptz", [bound])
    return cursor.fetchone()[0]


def _ensure_months(cursor: Any, ahead: int) -> list[str]:
    """Create the wanted month partitions that do not exist yet; rows of such a month already
    in the DEFAULT partition move into it. Returns the created names."""
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = %s::regclass",
        [TABLE],
    )
    existing = {row[0] for row in cursor.fetchall()}
    legacy_upper = _legacy_upper(cursor)
    created = []
    for month in _wanted_months(cursor, ahead):
        name = partition_name(month)
        if name in existing or (legacy_upper is not None and month < legacy_upper):
            continue
        upper = next_month(month)
        cursor.execute(
            f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        )
        if DEFAULT in existing:
            # Rows of this month that arrived before it had a partition.
            cursor.execute(
                f"WITH moved AS (DELETE FROM {DEFAULT} WHERE conversation_created_at >= %s "
                f"AND conversation_created_at < %s RETURNING *) "
                f"INSERT INTO {name} SELECT * FROM moved",
                [month, upper],
            )
        cursor.execute(
            f"ALTER TABLE {TABLE} ATTACH PARTITION {name} "
            f"FOR VALUES FROM ({literal(month)}) TO ({literal(upper)})"
        )
        created.append(name)
    return created


def message_partitions_ensure(*, months_ahead: int = MONTHS_AHEAD) -> list[str]:
    """Create the coming months' partitions (and the past months that rows in the DEFAULT
    partition need); returns the names created. A no-op on SQLite and before the migration."""
    if connection.vendor != "postgresql":
        return []
    with transaction.atomic(), connection.cursor() as cursor:
        if not is_partitioned(cursor):
            return []
        created = _ensure_months(cursor, months_ahead)
    if created:
        logger.info("message partitions created: %s", ", ".join(created))
    return created
