"""The SLA clocks that run now: what the desk marks at risk, and what the tick judges
breached once their target has passed with nobody answering."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .. import hours
from ..models import ConversationTrack
from .policies import AT_RISK_LEFT, Clock, Policy, policies, policy_for, priority_of


@dataclass(frozen=True)
class RunningClock:
    conversation_id: int
    clock: int
    key: int
    policy_id: int
    team_id: int | None
    agent_id: int | None
    started_at: dt.datetime
    due_at: dt.datetime
    at_risk_at: dt.datetime  # when less than AT_RISK_LEFT of the target is left
    target_seconds: int

    def state(self, now: dt.datetime) -> str:
        if now >= self.due_at:
            return "breached"
        return "at_risk" if now >= self.at_risk_at else "running"


def micros(moment: dt.datetime) -> int:
    """A next-response clock's key: its start in epoch microseconds."""
    delta = moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def conversation_fields() -> list[str]:
    from chat.models import Conversation

    names = {f.name for f in Conversation._meta.get_fields()}
    fields = ["id", "team_id", "assignee_id", "channel_id", "status"]
    return fields + (["priority"] if "priority" in names else [])


def _clock(
    policy: Policy, clock: int, key: int, conv: dict[str, Any], start: dt.datetime
) -> RunningClock | None:
    target = policy.targets.get(clock)
    if target is None:
        return None
    team_id = conv["team_id"]
    due = hours.deadline(
        team_id=team_id, start=start, seconds=target, business=policy.business_hours
    )
    if due is None:
        return None
    risk = hours.deadline(
        team_id=team_id,
        start=start,
        seconds=target * (1 - AT_RISK_LEFT),
        business=policy.business_hours,
    )
    return RunningClock(
        conversation_id=conv["id"],
        clock=clock,
        key=key,
        policy_id=policy.id,
        team_id=team_id,
        agent_id=conv["assignee_id"],
        started_at=start,
        due_at=due,
        at_risk_at=risk or due,
        target_seconds=target,
    )


def clocks_of(conv: dict[str, Any], track: ConversationTrack) -> list[RunningClock]:
    """The running clocks of one conversation that is not resolved.

    - First response: no person has replied yet and the shopper waits for one; it started
      when the cycle began needing a person (the hand-over, else the cycle's start).
    - Next response: a person has replied before and the shopper waits again; it started
      with the wait (the first shopper message not yet answered, or the hand-over).
    - Resolution: from the start of the care cycle.
    """
    policy = policy_for(conv["team_id"], conv["channel_id"], priority_of(conv))
    if policy is None:
        return []
    found: list[RunningClock | None] = []
    if track.awaiting_since is not None:
        if track.first_response_at is None:
            start = track.handover_at or track.cycle_started_at
            found.append(_clock(policy, Clock.FIRST_RESPONSE, 0, conv, start))
        else:
            start = track.awaiting_since
            found.append(_clock(policy, Clock.NEXT_RESPONSE, micros(start), conv, start))
    found.append(_clock(policy, Clock.RESOLUTION, track.cycle, conv, track.cycle_started_at))
    return [c for c in found if c is not None]


def running_clocks(conversation_ids: Iterable[int] | None = None) -> list[RunningClock]:
    """The running clocks of the given conversations (``None``: of every conversation that
    is not resolved), soonest due first. No active policy: none, without a query."""
    from chat.models import Conversation

    if not policies():
        return []
    rows = Conversation.objects.exclude(status=Conversation.Status.RESOLVED)
    if conversation_ids is not None:
        rows = rows.filter(pk__in=list(conversation_ids))
    convs = {row["id"]: row for row in rows.values(*conversation_fields())}
    tracks = ConversationTrack.objects.filter(conversation_id__in=list(convs))
    out = [clock for track in tracks for clock in clocks_of(convs[track.conversation_id], track)]
    return sorted(out, key=lambda c: (c.due_at, c.conversation_id, c.clock))
