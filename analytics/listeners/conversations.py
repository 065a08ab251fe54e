"""Listeners for conversation events: opened, reopened, assigned, resolved."""

from __future__ import annotations

from helpdesk import dispatch

from .. import hours
from ..models import ConversationTrack, Fact
from .base import _conversation, _duration, _load_fact, _track


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


def on_reopened(event: dispatch.DomainEvent) -> None:
    conv = _conversation(event.conversation_id or 0)
    if conv is None:
        return
    track = _track(event.conversation_id or 0, conv)
    track.cycle += 1
    track.cycle_started_at = event.at
    track.bot_answered = False
    track.human_replied = False
    track.handover_at = None
    track.awaiting_since = None
    track.agent_id = conv["assignee_id"]
    track.agent_started_at = event.at if conv["assignee_id"] else None
    track.agent_replied = False
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


def on_assigned(event: dispatch.DomainEvent) -> None:
    conv = _conversation(event.conversation_id or 0)
    if conv is None:
        return
    track = _track(event.conversation_id or 0, conv)
    assignee = event.data.get("assignee_id")
    previous = event.data.get("previous_assignee_id")
    track.agent_id = assignee
    track.agent_started_at = event.at if assignee else None
    track.agent_replied = False
    track.save(update_fields=["agent_id", "agent_started_at", "agent_replied"])
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
            )
        )
    for agent_id in {a for a in (assignee, previous) if a}:
        facts.append(_load_fact(agent_id, event.at, conv["team_id"]))
    Fact.objects.bulk_create(facts)
    opened_team_fix(track.conversation_id, conv["team_id"])


def on_resolved(event: dispatch.DomainEvent) -> None:
    conv = _conversation(event.conversation_id or 0)
    if conv is None:
        return
    track = _track(event.conversation_id or 0, conv)
    fact = _duration(
        Fact.Kind.RESOLVED,
        track=track,
        team_id=conv["team_id"],
        agent_id=conv["assignee_id"],
        start=track.cycle_started_at,
        end=event.at,
    )
    fact.flag = track.bot_answered and not track.human_replied and track.handover_at is None
    facts = [fact]
    if conv["assignee_id"]:
        facts.append(_load_fact(conv["assignee_id"], event.at, conv["team_id"]))
    Fact.objects.bulk_create(facts)
    if track.awaiting_since is not None:
        track.awaiting_since = None
        track.save(update_fields=["awaiting_since"])


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
