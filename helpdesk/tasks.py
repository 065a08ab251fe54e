"""The project's own Celery tasks (Celery's autodiscovery imports each app's ``tasks``)."""

from .pending import pending_run_task, pending_sweep_task

__all__ = ["pending_run_task", "pending_sweep_task"]
