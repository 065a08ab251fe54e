"""Trigram indexes for the list's search of shoppers and customers (PostgreSQL).

The list's search box reads each shopper's name and e-mail, and each customer's name, e-mail,
phone and external id, as one text per row (``chat.search.conversations.haystack_sql``) with
``ILIKE '%…%'``. A pg_trgm GIN index on that text answers a query of three characters or more
without reading the table; shorter ones read it as before. Built ``CONCURRENTLY`` (the tables
take writes while it builds) and rerunnable: an invalid leftover of an interrupted build is
dropped first.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError

from .conversations import CUSTOMER_FIELDS, VISITOR_FIELDS, haystack_sql

logger = logging.getLogger(__name__)

INDEXES = {
    "visitor_search_trgm": ("chat_visitor", VISITOR_FIELDS),
    "customer_search_trgm": ("orders_customer", CUSTOMER_FIELDS),
}


def create_indexes(cursor: Any) -> None:
    """Call outside a transaction (``CONCURRENTLY``). Without the pg_trgm extension (a role
    that may not create it) the search still works, reading the tables: say so and go on."""
    try:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:
        logger.warning("pg_trgm unavailable: the list's search reads shoppers without an index")
        return
    for name, (table, fields) in INDEXES.items():
        cursor.execute(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relname = %s",
            [name],
        )
        row = cursor.fetchone()
        if row and not row[0]:
            cursor.execute(f"DROP INDEX CONCURRENTLY {name}")
        cursor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} "
            f"USING gin (upper({haystack_sql(fields)}) gin_trgm_ops)"
        )


def drop_indexes(cursor: Any) -> None:
    for name in INDEXES:
        cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
