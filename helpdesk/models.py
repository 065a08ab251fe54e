"""The project's own table: after-commit tasks kept until they have run (helpdesk/pending.py)."""

from __future__ import annotations

from django.db import models


class PendingTask(models.Model):
    """A Celery task written in the transaction of the change that queues it and deleted once
    it has run: a task lost on the way (the broker down, a server killed before its
    ``on_commit``) is still here for the beat's ``helpdesk.pending_sweep``."""

    task = models.CharField(max_length=100)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    # When it was last handed to the broker; the sweep takes rows queued longer ago than
    # its grace.
    queued_at = models.DateTimeField(db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.task}#{self.pk}"
