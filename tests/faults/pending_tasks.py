"""A task that always fails, for the pending sweep's give-up (tests/faults/test_pending_sweep.py)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="tests.faults.flaky", ignore_result=True)
def flaky_task(key: str) -> None:
    raise RuntimeError(f"flaky task {key} fails")
