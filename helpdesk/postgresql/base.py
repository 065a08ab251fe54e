"""Django's PostgreSQL backend (``ENGINE = "helpdesk.postgresql"``) whose pool waits out a busy
spell instead of answering it like an outage.

Django's pool (``DatabaseWrapper.pool``, psycopg_pool) gives a caller up to its ``timeout``
(``DB_POOL_TIMEOUT``) to get a connection, then raises ``PoolTimeout``, which
``helpdesk.errors.is_outage`` counts as the database being down. Here every connection the
pool makes is recorded (``pool.track``), and a caller whose wait timed out while the
connections that exist are healthy and all in use waits again, up to ``POOL_BUSY_WAIT``
seconds in all (``DB_POOL_BUSY_WAIT``, ``helpdesk.conf.env``), then gets ``PoolBusy``
(``pool.acquire``). A timeout while connections fail is raised as before. Everything else is
Django's backend unchanged.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.postgresql import base

from . import pool as pool_health


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self) -> Any:
        pool = super().pool
        if pool is not None:
            pool_health.track(pool)  # before get_new_connection opens it
        return pool

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        pool = self.pool
        if pool is None:
            return super().get_new_connection(conn_params)
        busy_wait = float(self.settings_dict.get("POOL_BUSY_WAIT", 0))
        return pool_health.acquire(
            pool, lambda: super(DatabaseWrapper, self).get_new_connection(conn_params), busy_wait
        )
