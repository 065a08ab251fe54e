"""Listeners for conversation events: opened, reopened, assigned, resolved."""

from __future__ import annotations

import datetime as dt

from helpdesk import dispatch

from .. import hours
from ..models import (
    ASSIGNED_AFTER_HANDOVER,
    ASSIGNED_FIRST_TIME,
    ASSIGNED_OUTSIDE_HOURS,
    UNANSWERED,
    ConversationTrack,
    Fact,
)
from .base import _conversation, _duration, _load_fact, _track
from .pauses import resume, sla_due_refresh


def on_opened(event: dispatch.DomainEvent) -> None:
    conv = _conversation(event.conversation_id or 0)
    if conv is None:
        return
    ConversationTrack.objects.update_or_create(
        conversation_id=event.conversation_id or 0,
        defaults={
            "opened_at": event.at,
            "cycle_started_at": event.at,
            "customer_id": conv["customer_id"],
        },
    )
    Fact.objects.create(
        kind=Fact.Kind.OPENED,
        at=event.at,
        conversation_id=event.conversation_id,
        team_id=conv["team_id"],
        flag=hours.is_outside_hours(team_id=conv["team_id"], at=event.at),
    )
    sla_due_refresh(event.conversation_id)


def on_reopened(event: dispatch.DomainEvent) -> None:
    conv = _conversation(event.conversation_id or 0)
    if conv is None:
        return
    track = _track(event.conversation_id or 0, conv)
    resume(track.conversation_id, event.at)
    track.cycle += 1
    track.cycle_started_at = event.at
    track.bot_answered = False
    track.bot_last_word = False
    track.human_replied = False
    track.handover_at = None
    track.awaiting_since = None
    track.agent_id = conv["assignee_id"]
    # Reopened while assigned: the shopper now waits for that agent, so their clock starts
    # again at the reopening (docs/metrics.md, Agents).
    track.agent_started_at = event.at if conv["assignee_id"] else None
    track.agent_replied = False
    track.agent_since = event.at if conv["assignee_id"] else None
    track.save()
    facts = [
        Fact(
            kind=Fact.Kind.REOPENED,
            at=event.at,
            conversation_id=track.conversation_id,
            team_id=conv["team_id"],
            agent_id=conv["assignee_id"],
            cycle=track.cycle,
        )
    ]
    if conv["assignee_id"]:
        facts.append(_load_fact(conv["assignee_id"], event.at, conv["team_id"]))
    Fact.objects.bulk_create(facts)
    sla_due_refresh(track.conversation_id)


def on_assigned(event: dispatch.DomainEvent) -> None:
    conv = _conversation(event.conversation_id or 0)
    if conv is None:
        return
    track = _track(event.conversation_id or 0, conv)
    assignee = event.data.get("assignee_id")
    previous = event.data.get("previous_assignee_id")
    facts = []
    if assignee:
        facts.append(
            Fact(
                kind=Fact.Kind.ASSIGNED,
                at=event.at,
                conversation_id=track.conversation_id,
                team_id=conv["team_id"],
                agent_id=assignee,
                cycle=track.cycle,
                flag=previous is not None,
                value=_assigned_bits(track, conv, assignee),
            )
        )
    share = _share(track, conv["team_id"], event.at)
    if share is not None:
        facts.append(share)
    track.agent_started_at = _waiting_for_agent_since(track, previous, event.at)
    track.agent_id = assignee
    track.agent_replied = False
    track.agent_since = event.at if assignee else None
    track.save(update_fields=["agent_id", "agent_started_at", "agent_replied", "agent_since"])
    for agent_id in {a for a in (assignee, previous) if a}:
        facts.append(_load_fact(agent_id, event.at, conv["team_id"]))
    Fact.objects.bulk_create(facts)
    opened_team_fix(track.conversation_id, conv["team_id"])
    # The team (so the policy) may have changed with the assignment.
    sla_due_refresh(track.conversation_id)


def _share(track: ConversationTrack, team_id: int | None, end: dt.datetime) -> Fact | None:
    """The agent holding the conversation lets go (a transfer, an unassignment, the
    resolution): their share of the care, from when they took it (or the cycle restarted
    while they held it) to now, credited to them and the team (docs/metrics.md, "Handling
    time")."""
    if track.agent_id is None or track.agent_since is None:
        return None
    return _duration(
        Fact.Kind.HANDLED,
        track=track,
        team_id=team_id,
        agent_id=track.agent_id,
        start=track.agent_since,
        end=end,
    )


def _waiting_for_agent_since(
    track: ConversationTrack, previous: int | None, at: dt.datetime
) -> dt.datetime:
    """When the shopper started waiting for the agent assigned (or unassigned) at ``at``.

    A transfer hands the shopper to the new agent at that moment. Otherwise nobody held the
    conversation: the wait counts from when the last agent let go in this cycle (an
    unassignment), else from the cycle's start; the reply caps it at the bot's hand-over. So a
    take by replying ten hours after the shopper wrote measures ten hours."""
    if previous is not None:
        return at
    if track.agent_id is None and track.agent_started_at is not None:
        return max(track.agent_started_at, track.cycle_started_at)
    return track.cycle_started_at


def _assigned_bits(track: ConversationTrack, conv: dict, assignee: int) -> int:
    """The ASSIGNED fact's bits: after a hand-over, arrived outside hours, the agent's first
    assignment to the conversation (docs/metrics.md, agent filter and conversion)."""
    bits = ASSIGNED_AFTER_HANDOVER if track.handover_at is not None else 0
    if hours.is_outside_hours(team_id=conv["team_id"], at=track.opened_at):
        bits |= ASSIGNED_OUTSIDE_HOURS
    seen = Fact.objects.filter(
        conversation_id=track.conversation_id, kind=Fact.Kind.ASSIGNED, agent_id=assignee
    ).exists()
    return bits if seen else bits | ASSIGNED_FIRST_TIME


def on_resolved(event: dispatch.DomainEvent) -> None:
    conv = _conversation(event.conversation_id or 0)
    if conv is None:
        return
    track = _track(event.conversation_id or 0, conv)
    resume(track.conversation_id, event.at)  # a resolved cycle's clocks stop for good
    fact = _duration(
        Fact.Kind.RESOLVED,
        track=track,
        team_id=conv["team_id"],
        agent_id=conv["assignee_id"],
        start=track.cycle_started_at,
        end=event.at,
    )
    # Resolved by the bot alone: its answer was the last word, no person replied and the
    # shopper was not handed to a person (asked for one, or the bot gave up).
    fact.flag = track.bot_last_word and not track.human_replied and track.handover_at is None
    if not track.human_replied and not fact.flag:
        fact.value = UNANSWERED
    facts = [fact]
    share = _share(track, conv["team_id"], event.at)
    if share is not None:
        facts.append(share)
    if conv["assignee_id"]:
        facts.append(_load_fact(conv["assignee_id"], event.at, conv["team_id"]))
    Fact.objects.bulk_create(facts)
    if any(v is not None for v in (track.awaiting_since, track.agent_since, track.sla_due_at)):
        track.awaiting_since = None
        track.agent_since = None
        track.sla_due_at = None  # a resolved conversation has no running SLA clock
        track.save(update_fields=["awaiting_since", "agent_since", "sla_due_at"])


def opened_team_fix(conversation_id: int, team_id: int | None) -> None:
    """Routing gives a new conversation its team just after it opened: the opened fact
    counts for that team. Facts are never updated in place (the rollup reads new ids), so
    the fact is replaced by one with the team and a fresh id; its hour is rolled again."""
    if not team_id:
        return
    fact = Fact.objects.filter(
        conversation_id=conversation_id, kind=Fact.Kind.OPENED, team_id__isnull=True
    ).first()
    if fact is None:
        return
    fact.delete()
    Fact.objects.create(
        kind=Fact.Kind.OPENED,
        at=fact.at,
        conversation_id=conversation_id,
        team_id=team_id,
        flag=hours.is_outside_hours(team_id=team_id, at=fact.at),
    )


def on_queued(event: dispatch.DomainEvent) -> None:
    """``conversation.queued`` (docs/routing.md): the conversation now belongs to a team."""
    opened_team_fix(event.conversation_id or 0, event.data.get("team_id"))
    sla_due_refresh(event.conversation_id)
