"""SLA pauses (docs/metrics.md, "SLA", paused): a conversation pending or snoozed waits on the
shopper, so its next-response and resolution clocks (and the first response, under a policy
that says so) stop until it is open again; each change refreshes the conversation's next
SLA due moment (``analytics.sla.due``)."""

from __future__ import annotations

import datetime as dt

from helpdesk import dispatch

from ..models import SlaPause

WAITING_ON_SHOPPER = ("pending", "snoozed")


def resume(conversation_id: int, at: dt.datetime) -> None:
    """End the conversation's open pause (if any) at ``at``."""
    SlaPause.objects.filter(conversation_id=conversation_id, ended_at__isnull=True).update(
        ended_at=at
    )


def sla_due_refresh(conversation_id: int | None) -> None:
    """The conversation's clocks moved: its next SLA due moment again (no query without an
    active policy; ``analytics.sla.due``)."""
    from ..sla.due import due_refresh

    if conversation_id:
        due_refresh([conversation_id])


def on_priority_changed(event: dispatch.DomainEvent) -> None:
    """Another priority may mean another policy, so other targets."""
    sla_due_refresh(event.conversation_id)


def on_status_changed(event: dispatch.DomainEvent) -> None:
    """Open, pending or snoozed (resolving is ``conversation.resolved``)."""
    from chat.models import Conversation

    conversation_id = event.conversation_id or 0
    status = event.data.get("status")
    if status not in WAITING_ON_SHOPPER:
        resume(conversation_id, event.at)
        sla_due_refresh(conversation_id)
        return
    until = None
    if status == "snoozed":
        until = (
            Conversation.objects.filter(pk=conversation_id)
            .values_list("snoozed_until", flat=True)
            .first()
        )
    open_pause = SlaPause.objects.filter(
        conversation_id=conversation_id, ended_at__isnull=True
    ).first()
    if open_pause is None:
        SlaPause.objects.create(conversation_id=conversation_id, started_at=event.at, until=until)
    elif open_pause.until != until:  # pending → snoozed, or snoozed → pending: one pause
        open_pause.until = until
        open_pause.save(update_fields=["until"])
    sla_due_refresh(conversation_id)
