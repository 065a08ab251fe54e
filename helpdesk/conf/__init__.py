"""Blocks of ``helpdesk.settings`` kept in their own modules: environment helpers, Celery,
security."""
