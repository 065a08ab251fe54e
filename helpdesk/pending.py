"""After-commit tasks that survive a lost broker: the change's transaction writes the task
down (``PendingTask``), the task's run deletes it, and the beat's sweep queues again what is
still written down a minute later.

For tasks whose effect leaves nothing in the database to look for (an automation rule whose
conditions did not hold, a webhook to the shop's app, a transcript mailed): the bot and
translation find their lost work from their own rows instead (``chat.bot.reply_sweep``,
``chat.translation.sweep``). Redis is the broker and keeps nothing across a restart, so a
task queued but not yet run when it died is as lost as one that never reached it; both are
swept.

A task may then run twice (the sweep's copy and a late original, or a worker killed after the
task's effect and before the row's delete, as with any late-acknowledged task): every task
queued this way must have its effect once (docs/deployment.md, "Workers die"). Cost: one
INSERT in the change's transaction and one DELETE after the run.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from celery import current_app, shared_task
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .errors import HelpdeskError
from .models import PendingTask

logger = logging.getLogger(__name__)

# A task that keeps failing is queued again by this many sweeps, then given up (logged).
MAX_ATTEMPTS = 5


def pending_delay(task: Any, **kwargs: Any) -> None:
    """Queue ``task(**kwargs)`` after the current transaction commits, kept in the database
    until it has run. Call it inside the change's transaction (outside one the row commits at
    once). A broker that is down never fails the caller: the sweep queues it later."""
    row = PendingTask.objects.create(task=task.name, kwargs=kwargs, queued_at=timezone.now())
    transaction.on_commit(lambda: _send(row.pk), robust=True)


def _send(pending_id: int) -> None:
    try:
        pending_run_task.delay(pending_id)
    except Exception:  # the broker is down: the row waits for the sweep
        logger.warning("could not queue pending task %s; the sweep will", pending_id)


@shared_task(name="helpdesk.pending_run", ignore_result=True)
def pending_run_task(pending_id: int) -> None:
    """Run one written-down task in this worker and delete it. Gone already: it ran. A task
    that raises stays for the sweep (up to ``MAX_ATTEMPTS`` sweeps), unless it refused the
    work for good (a ``HelpdeskError``: not found, bad request)."""
    row = PendingTask.objects.filter(pk=pending_id).first()
    if row is None:
        return
    task = current_app.tasks.get(row.task)
    try:
        if task is None:
            raise LookupError(f"no task {row.task}")
        task(**row.kwargs)
    except HelpdeskError as exc:
        logger.warning("pending task %s refused: %s", row, exc)
    except Exception:
        logger.exception("pending task %s failed (run %d)", row, row.attempts + 1)
        if row.attempts < MAX_ATTEMPTS:
            return
        logger.error("pending task %s given up after %d sweeps: %s", row, MAX_ATTEMPTS, row.kwargs)
    PendingTask.objects.filter(pk=pending_id).delete()


def pending_lost(*, grace_seconds: float = 60, limit: int = 500) -> list[int]:
    """Tasks written down more than ``grace_seconds`` ago and not run since: taken (their
    ``queued_at`` moves to now, so the next sweep waits a grace again), oldest first."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            PendingTask.objects.filter(queued_at__lt=now - dt.timedelta(seconds=grace_seconds))
            .order_by("queued_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        PendingTask.objects.filter(pk__in=ids).update(queued_at=now, attempts=F("attempts") + 1)
    return ids


@shared_task(name="helpdesk.pending_sweep", ignore_result=True)
def pending_sweep_task(grace_seconds: float = 60) -> int:
    """The beat's safety net (every minute): queue again every written-down task whose run
    has not happened; how many."""
    ids = pending_lost(grace_seconds=grace_seconds)
    for pending_id in ids:
        pending_run_task.delay(pending_id)
    return len(ids)
