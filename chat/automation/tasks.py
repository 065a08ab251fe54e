"""Celery task of automation rules: ids in, one service (STYLE.md)."""

from __future__ import annotations

from celery import shared_task

from .idle import idle_scan
from .services import automation_run


@shared_task(name="chat.automation.run", ignore_result=True)
def automation_run_task(
    trigger: str,
    conversation_id: int,
    trigger_key: str,
    message_id: int | None = None,
    chain: list[int] | None = None,
) -> int:
    """Run the trigger's rules on the conversation after the change committed; the number
    of rules that ran."""
    runs = automation_run(
        trigger=trigger,
        conversation_id=conversation_id,
        trigger_key=trigger_key,
        message_id=message_id,
        chain=tuple(chain or ()),
    )
    return len(runs)


@shared_task(name="chat.automation.idle_scan", ignore_result=True)
def idle_scan_task() -> int:
    """The beat's idle scan (docs/automation.md): the number of rule runs."""
    return idle_scan()
