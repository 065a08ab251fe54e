"""Listeners for the other areas' events: the bot and satisfaction ratings (docs/bot.md,
docs/routing.md). Conversions come from the rollup's scan of new orders, not from an event
(docs/metrics.md, ``analytics.services.imports.conversions_scan``)."""

from __future__ import annotations

from helpdesk import dispatch

from ..models import Fact
from .base import _conversation, _track
from .pauses import sla_due_refresh


def on_bot_handover(event: dispatch.DomainEvent) -> None:
    conv = _conversation(event.conversation_id or 0)
    if conv is None:
        return
    track = _track(event.conversation_id or 0, conv)
    if track.handover_at is not None:
        return
    track.handover_at = event.at
    track.awaiting_since = event.at
    track.save(update_fields=["handover_at", "awaiting_since"])
    Fact.objects.create(
        kind=Fact.Kind.HANDOVER,
        at=event.at,
        conversation_id=track.conversation_id,
        team_id=conv["team_id"],
        cycle=track.cycle,
    )
    sla_due_refresh(track.conversation_id)


def on_bot_answered(event: dispatch.DomainEvent) -> None:
    from ..questions import question_record_matched

    question_record_matched(event=event)


def on_csat(event: dispatch.DomainEvent) -> None:
    data = event.data
    score = data.get("rating", data.get("score"))
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        return
    conv = _conversation(event.conversation_id or 0)
    if conv is None:
        return
    # Routing names the care cycle's assignee and team at resolution (docs/routing.md).
    Fact.objects.create(
        kind=Fact.Kind.CSAT,
        at=event.at,
        conversation_id=event.conversation_id,
        team_id=data.get("team_id", conv["team_id"]),
        agent_id=data.get("assignee_id", conv["assignee_id"]),
        value=score,
    )
