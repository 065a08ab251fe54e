"""Shared pieces of the listeners: the conversation row, its track, duration facts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .. import hours
from ..models import ConversationTrack, Fact

SENDERS = {
    "visitor": Fact.Sender.VISITOR,
    "agent": Fact.Sender.AGENT,
    "bot": Fact.Sender.BOT,
    "system": Fact.Sender.SYSTEM,
}


def _conversation(conversation_id: int) -> dict[str, Any] | None:
    from chat.models import Conversation

    row = (
        Conversation.objects.filter(pk=conversation_id)
        .values("team_id", "assignee_id", "customer_id", "created_at")
        .first()
    )
    return dict(row) if row is not None else None


def _track(conversation_id: int, conv: dict[str, Any]) -> ConversationTrack:
    """The conversation's track; made on the fly for conversations older than analytics."""
    track = ConversationTrack.objects.filter(pk=conversation_id).first()
    if track is None:
        track = ConversationTrack.objects.create(
            conversation_id=conversation_id,
            opened_at=conv["created_at"],
            cycle_started_at=conv["created_at"],
            customer_id=conv["customer_id"],
            agent_id=conv["assignee_id"],
            agent_started_at=conv["created_at"] if conv["assignee_id"] else None,
        )
    return track


def _duration(
    kind: int,
    *,
    track: ConversationTrack,
    team_id: int | None,
    agent_id: int | None,
    start: dt.datetime,
    end: dt.datetime,
) -> Fact:
    return Fact(
        kind=kind,
        at=end,
        conversation_id=track.conversation_id,
        team_id=team_id,
        agent_id=agent_id,
        cycle=track.cycle,
        seconds=max(0.0, (end - start).total_seconds()),
        bh_seconds=hours.business_seconds(team_id=team_id, start=start, end=end),
    )


def _human_wait_start(track: ConversationTrack) -> dt.datetime:
    """When the current cycle started needing a person: the hand-over, else the cycle start."""
    return track.handover_at or track.cycle_started_at


def _load_fact(agent_id: int, at: dt.datetime, team_id: int | None) -> Fact:
    """The agent's open (not resolved) assigned conversations right after a change."""
    from chat.models import Conversation

    count = (
        Conversation.objects.filter(assignee_id=agent_id)
        .exclude(status=Conversation.Status.RESOLVED)
        .count()
    )
    return Fact(kind=Fact.Kind.LOAD, at=at, agent_id=agent_id, team_id=team_id, value=count)
