"""Celery tasks of the media area (they call a service)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="chat.attachments.tasks.media_orphans_cleanup")
def media_orphans_cleanup() -> int:
    """Delete uploads that were never attached to a message (beat, hourly)."""
    return services.attachments_orphans_delete()
