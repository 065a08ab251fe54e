"""Report pages read from a replica when one is configured (``DATABASE_REPLICA_URL``).

Reports are the desk's heaviest reads and tolerate a few seconds of lag (they read rollups a
Celery tick writes once a minute), so they are the first load to move off the primary; the
message path, the workspace and every write stay on it. Inside ``report_reads()`` the ORM's
reads go to the replica through ``ReportReplicaRouter`` and raw SQL uses
``connections[report_alias()]``; outside it nothing changes. docs/scaling.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
_reports: ContextVar[bool] = ContextVar("helpdesk_report_reads", default=False)


def report_alias() -> str:
    """The alias report reads use right now: the replica inside ``report_reads()`` when one
    is configured, else the primary."""
    if _reports.get() and REPLICA in connections.settings:
        return REPLICA
    return DEFAULT_DB_ALIAS


def report_connection() -> Any:
    """The connection report SQL runs on (see ``report_alias``)."""
    return connections[report_alias()]


@contextmanager
def report_reads() -> Iterator[str]:
    """Route this block's reads to the replica (if any); yields the alias for raw SQL."""
    token = _reports.set(True)
    try:
        yield report_alias()
    finally:
        _reports.reset(token)


class ReportReplicaRouter:
    """Sends reads made inside ``report_reads()`` to the replica; everything else, and every
    write, to the primary (``None`` lets Django pick ``default``)."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        alias = report_alias()
        return alias if alias == REPLICA else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # The replica holds the primary's rows: an object read there relates to one read here.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        # A replica follows the primary's schema through replication; never migrate it.
        return False if db == REPLICA else None
