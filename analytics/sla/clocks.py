"""The SLA clocks that run now: what the desk marks at risk, and what the tick judges
breached once their target has passed with nobody answering. A conversation pending or
snoozed waits on the shopper: its next-response and resolution clocks are paused then
(``SlaPause``; the first response too under a policy with ``pause_first_response``), and their
due moments move on by the paused time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .. import hours
from ..models import ConversationTrack, SlaPause
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
    pausable: bool = True  # stops while the conversation is pending or snoozed

    def state(self, now: dt.datetime) -> str:
        if now >= self.due_at:
            return "breached"
        return "at_risk" if now >= self.at_risk_at else "running"


Pause = tuple[dt.datetime, dt.datetime | None]  # start, end (None: still paused)


def pauses_of(conversation_ids: Iterable[int]) -> dict[int, list[Pause]]:
    """Each conversation's pauses, oldest first."""
    out: dict[int, list[Pause]] = {}
    rows = SlaPause.objects.filter(conversation_id__in=list(conversation_ids)).order_by(
        "started_at"
    )
    for row in rows:
        out.setdefault(row.conversation_id, []).append((row.started_at, row.end()))
    return out


def _span(team_id: int | None, start: dt.datetime, end: dt.datetime, business: bool) -> float:
    if end <= start:
        return 0.0
    if business:
        return hours.business_seconds(team_id=team_id, start=start, end=end)
    return (end - start).total_seconds()


def paused_seconds(
    *,
    team_id: int | None,
    start: dt.datetime,
    end: dt.datetime,
    business: bool,
    pauses: Iterable[Pause],
) -> float:
    """The seconds of ``[start, end)`` (business-hours seconds with ``business``) spent paused;
    a pause still open counts until ``end``."""
    total = 0.0
    cursor = start
    for p_start, p_end in sorted(pauses, key=lambda p: p[0]):
        lo = max(p_start, cursor)
        hi = min(p_end or end, end)
        if hi > lo:
            total += _span(team_id, lo, hi, business)
            cursor = hi
    return total


def active_deadline(
    *,
    team_id: int | None,
    start: dt.datetime,
    seconds: float,
    business: bool,
    pauses: Iterable[Pause] = (),
) -> dt.datetime | None:
    """The moment ``seconds`` of running time (business hours with ``business``) have passed
    since ``start``, the paused stretches not counted; ``None`` while paused before then (or
    when the schedule never opens again)."""
    left = float(seconds)
    cursor = start
    for p_start, p_end in sorted(pauses, key=lambda p: p[0]):
        if p_end is not None and p_end <= cursor:
            continue
        if p_start > cursor:
            due = hours.deadline(team_id=team_id, start=cursor, seconds=left, business=business)
            if due is None or due <= p_start:
                return due
            left -= _span(team_id, cursor, p_start, business)
        if p_end is None:
            return None
        cursor = max(cursor, p_end)
    return hours.deadline(team_id=team_id, start=cursor, seconds=left, business=business)


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
    policy: Policy,
    clock: int,
    key: int,
    conv: dict[str, Any],
    start: dt.datetime,
    pauses: list[Pause],
) -> RunningClock | None:
    target = policy.targets.get(clock)
    if target is None:
        return None
    team_id = conv["team_id"]
    stops = pauses if policy.pauses(clock) else []
    due = active_deadline(
        team_id=team_id,
        start=start,
        seconds=target,
        business=policy.business_hours,
        pauses=stops,
    )
    if due is None:
        return None  # paused (or the schedule never opens): not running now
    risk = active_deadline(
        team_id=team_id,
        start=start,
        seconds=target * (1 - AT_RISK_LEFT),
        business=policy.business_hours,
        pauses=stops,
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
        pausable=policy.pauses(clock),
    )


def clocks_of(
    conv: dict[str, Any], track: ConversationTrack, pauses: list[Pause] | None = None
) -> list[RunningClock]:
    """The running clocks of one conversation that is not resolved.

    - First response: no person has replied yet and the shopper waits for one; it started
      when the cycle began needing a person (the hand-over, else the cycle's start).
    - Next response: a person has replied before and the shopper waits again; it started
      with the wait (the first shopper message not yet answered, or the hand-over).
    - Resolution: from the start of the care cycle.

    Next response and resolution (and the first response under a policy that says so) do not
    run while the conversation is paused (``pauses``): none while a pause is open, and a due
    moment later by the paused time.
    """
    policy = policy_for(conv["team_id"], conv["channel_id"], priority_of(conv))
    if policy is None:
        return []
    stops = pauses or []
    found: list[RunningClock | None] = []
    if track.awaiting_since is not None:
        if track.first_response_at is None:
            start = track.handover_at or track.cycle_started_at
            found.append(_clock(policy, Clock.FIRST_RESPONSE, 0, conv, start, stops))
        else:
            start = track.awaiting_since
            found.append(_clock(policy, Clock.NEXT_RESPONSE, micros(start), conv, start, stops))
    found.append(_clock(policy, Clock.RESOLUTION, track.cycle, conv, track.cycle_started_at, stops))
    return [c for c in found if c is not None]


def running_clocks(
    conversation_ids: Iterable[int] | None = None, *, now: dt.datetime | None = None
) -> list[RunningClock]:
    """The running clocks of the given conversations (``None``: of every conversation that
    is not resolved), soonest due first; a paused clock (its conversation pending or snoozed
    at ``now``) is not running. No active policy: none, without a query."""
    from django.utils import timezone

    from chat.models import Conversation

    if not policies():
        return []
    rows = Conversation.objects.exclude(status=Conversation.Status.RESOLVED)
    if conversation_ids is not None:
        rows = rows.filter(pk__in=list(conversation_ids))
    convs = {row["id"]: row for row in rows.values(*conversation_fields())}
    tracks = ConversationTrack.objects.filter(conversation_id__in=list(convs))
    pauses = pauses_of(convs)
    now = now or timezone.now()
    paused = {
        conversation_id
        for conversation_id, stretches in pauses.items()
        if any(start <= now and (end is None or end > now) for start, end in stretches)
    }
    out = [
        clock
        for track in tracks
        for clock in clocks_of(
            convs[track.conversation_id], track, pauses.get(track.conversation_id)
        )
        if not (clock.pausable and clock.conversation_id in paused)
    ]
    return sorted(out, key=lambda c: (c.due_at, c.conversation_id, c.clock))
