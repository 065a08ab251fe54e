"""The message search on SQLite (the embedded default): an FTS5 table of every message's words.

``message_fts`` holds, under each message's id, what PostgreSQL's index reads: the body, or
its ``search_text`` when it has Chinese (jieba's words, space-separated, so FTS5's
``unicode61`` tokenizer takes them as words). Triggers on ``chat_message`` keep it in step
with every insert, edit and erasure. Rebuilding ``chat_message`` (what a later migration does
on SQLite to alter a column) drops its triggers: ``fts_ensure`` runs after every ``migrate``
and, finding a trigger missing, fills the table again and puts them back.
"""

from __future__ import annotations

from typing import Any

from .segment import has_cjk, index_text

TABLE = "message_fts"
SOURCE = "coalesce(new.search_text, new.body)"
TRIGGERS = {
    "message_fts_insert": (
        "AFTER INSERT ON chat_message BEGIN "
        f"INSERT INTO {TABLE} (rowid, text) VALUES (new.id, {SOURCE}); END"
    ),
    "message_fts_update": (
        "AFTER UPDATE OF body, search_text ON chat_message BEGIN "
        f"DELETE FROM {TABLE} WHERE rowid = old.id; "
        f"INSERT INTO {TABLE} (rowid, text) VALUES (new.id, {SOURCE}); END"
    ),
    "message_fts_delete": (
        f"AFTER DELETE ON chat_message BEGIN DELETE FROM {TABLE} WHERE rowid = old.id; END"
    ),
}


def match_expression(words: list[str]) -> str:
    """FTS5's query for messages with every word: each quoted (no operator reaches FTS5)."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


def _segment_stored(cursor: Any) -> None:
    """``search_text`` for stored messages with Chinese that lack it (written before the
    field existed on SQLite): a demo's few thousand rows, in Python."""
    cursor.execute("SELECT id, body FROM chat_message WHERE search_text IS NULL")
    rows = [(index_text(body), pk) for pk, body in cursor.fetchall() if has_cjk(body)]
    cursor.executemany("UPDATE chat_message SET search_text = %s WHERE id = %s", rows)


def fts_ensure(connection: Any) -> None:
    """The table and its triggers, filled from the messages when new or when a trigger was
    missing. Does nothing on other databases, or when all is in place."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE name = %s OR name LIKE %s",
            [TABLE, "message_fts_%"],
        )
        present = {row[0] for row in cursor.fetchall()}
        if TABLE in present and all(name in present for name in TRIGGERS):
            return
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        if TABLE not in present:
            cursor.execute(f"CREATE VIRTUAL TABLE {TABLE} USING fts5(text, tokenize = 'unicode61')")
        _segment_stored(cursor)
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(
            f"INSERT INTO {TABLE} (rowid, text) "
            "SELECT id, coalesce(search_text, body) FROM chat_message"
        )
        for name, sql in TRIGGERS.items():
            cursor.execute(f"CREATE TRIGGER {name} {sql}")


def fts_drop(connection: Any) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """``post_migrate``: put the table and triggers back if a migration rebuilt the messages'
    table (only once the table exists: the migration that creates it runs first)."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    applied = MigrationRecorder(connection).applied_migrations()
    if ("chat", "0030_message_fts") in applied:
        fts_ensure(connection)
