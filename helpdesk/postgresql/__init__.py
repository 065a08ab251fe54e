"""The desk's PostgreSQL database backend: Django's, with a connection pool that tells a busy
pool from an unreachable database (``helpdesk.postgresql.pool``)."""
