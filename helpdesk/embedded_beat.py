"""The embedded default's periodic jobs: Celery beat in a thread of the serving process.

Production runs ``celery beat`` beside the workers (docs/deployment.md). The embedded default
(``make run``: SQLite, the in-memory layer, eager Celery) has no worker and no beat, so without
this the slow-reply alert, the presence and queue sweeps, the analytics tick and the upload
clean-up never ran for a newcomer. Here Celery's own ``beat.EmbeddedService`` runs the same
``CELERY_BEAT_SCHEDULE`` in a daemon thread; with ``task_always_eager`` every due task runs in
place, in that thread, with its own database connection. The schedule lives in memory
(``celery.beat:Scheduler``), so no schedule file is written.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

_started = threading.Lock()
_service: Any = None


def wanted() -> bool:
    """On in the embedded default (eager Celery), off where a real beat runs, and off when
    HELPDESK_EMBEDDED_BEAT=0 (two serving processes on one SQLite file need only one)."""
    if os.environ.get("HELPDESK_EMBEDDED_BEAT", "1") == "0":
        return False
    return bool(settings.CELERY_TASK_ALWAYS_EAGER) and bool(settings.CELERY_BEAT_SCHEDULE)


def scheduler() -> Any:
    """The scheduler the embedded beat runs: Celery's in-memory one over
    ``CELERY_BEAT_SCHEDULE``, every job's task checked to exist in this process."""
    from celery import beat

    from helpdesk.celery import app

    # A worker imports every app's tasks module when it starts; without one, beat would find
    # no task by name and send it to a broker nobody reads.
    app.loader.import_default_modules()
    missing = [
        e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] not in app.tasks
    ]
    if missing:
        raise RuntimeError(f"periodic jobs name unknown tasks: {missing}")
    return beat.Scheduler(app)


def start() -> bool:
    """Start the in-process beat once per process; True if this call started it."""
    global _service
    if not wanted() or not _started.acquire(blocking=False):
        return False
    from celery import beat

    from helpdesk.celery import app

    scheduler()  # refuses a schedule that names a task this process does not have
    _service = beat.EmbeddedService(app, thread=True, scheduler_cls="celery.beat:Scheduler")
    _service.start()
    logger.warning(
        "embedded default: %d periodic jobs run in this process (celery beat in a thread)",
        len(settings.CELERY_BEAT_SCHEDULE),
    )
    return True
