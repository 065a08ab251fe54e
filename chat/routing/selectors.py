"""Reads of routing: who is live and available (presence, written by ``chat.routing.presence``),
queue order and positions, estimated wait, agent load, overview."""

from __future__ import annotations

import datetime as dt
import math
import time
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from chat.models import (
    AgentConnection,
    AgentPresence,
    Conversation,
    ConversationRouting,
    Team,
    TeamRouting,
)

User = get_user_model()

# Conversations that hold one of an agent's capacity slots.
LOAD_STATUSES = (Conversation.Status.OPEN, Conversation.Status.PENDING)
DEFAULT_HANDLE_SECONDS = 300.0
HANDLE_SAMPLE = 50
_CACHE_SECONDS = 60.0
_handle_cache: dict[int | None, tuple[float, float]] = {}
_target_cache: dict[int | None, tuple[float, int]] = {}
DEFAULT_REPLY_TARGET = 180


def _conf(name: str, default: int) -> int:
    return int(getattr(settings, "HELPDESK", {}).get(name, default))


def presence_timeout() -> dt.timedelta:
    """A connection whose heartbeat is older than this is dead."""
    return dt.timedelta(seconds=_conf("PRESENCE_TIMEOUT_SECONDS", 75))


def offline_grace() -> dt.timedelta:
    """How long an unreachable agent keeps their conversations."""
    return dt.timedelta(seconds=_conf("OFFLINE_GRACE_SECONDS", 120))


def live_connections(*, now: dt.datetime | None = None) -> QuerySet[AgentConnection]:
    now = now or timezone.now()
    return AgentConnection.objects.filter(last_beat_at__gte=now - presence_timeout())


def available_presences(*, now: dt.datetime | None = None) -> QuerySet[AgentPresence]:
    """Presence rows of agents who can take new conversations right now."""
    live = live_connections(now=now).filter(user_id=OuterRef("user_id"))
    return AgentPresence.objects.filter(
        status=AgentPresence.Status.ONLINE, user__is_active=True
    ).filter(Exists(live))


def default_team_id() -> int | None:
    """The team that takes conversations nobody routed (``TeamRouting.is_default``)."""
    return TeamRouting.objects.filter(is_default=True).values_list("team_id", flat=True).first()


def reply_target_seconds(team_id: int | None) -> int:
    """The team's slow-reply target (default 180 s), cached for a minute."""
    now = time.monotonic()
    hit = _target_cache.get(team_id)
    if hit is not None and now - hit[0] < _CACHE_SECONDS:
        return hit[1]
    target = DEFAULT_REPLY_TARGET
    if team_id is not None:
        found = (
            TeamRouting.objects.filter(team_id=team_id)
            .values_list("reply_target_seconds", flat=True)
            .first()
        )
        if found:
            target = int(found)
    _target_cache[team_id] = (now, target)
    return target


def queued(*, team_id: int | None) -> QuerySet[ConversationRouting]:
    """The team's queue in service order: priority first, then who waited longest."""
    qs = ConversationRouting.objects.filter(queued_at__isnull=False)
    qs = qs.filter(queue_team_id=team_id) if team_id else qs.filter(queue_team__isnull=True)
    return qs.order_by("-queue_priority", "queued_at", "conversation_id")


class QueuePlace(NamedTuple):
    """Where a conversation stands (or stood) in its team's queue: the service order's key."""

    team_id: int | None
    priority: int
    queued_at: dt.datetime
    conversation_id: int

    @classmethod
    def of(cls, routing: ConversationRouting) -> QueuePlace | None:
        if routing.queued_at is None:
            return None
        return cls(
            routing.queue_team_id,
            routing.queue_priority,
            routing.queued_at,
            routing.conversation_id,
        )


def ahead_of(place: QueuePlace) -> Q:
    """The queued rows served before ``place`` (``queued``'s order)."""
    return (
        Q(queue_priority__gt=place.priority)
        | Q(queue_priority=place.priority, queued_at__lt=place.queued_at)
        | Q(
            queue_priority=place.priority,
            queued_at=place.queued_at,
            conversation_id__lt=place.conversation_id,
        )
    )


def queue_position(*, routing: ConversationRouting) -> int | None:
    """1-based place in the queue, or None when not queued. One indexed count."""
    place = QueuePlace.of(routing)
    if place is None:
        return None
    return queued(team_id=routing.queue_team_id).filter(ahead_of(place)).count() + 1


def queue_positions(
    *, team_id: int | None, place: QueuePlace | None = None
) -> tuple[list[tuple[int, int, int, int | None]], int]:
    """``(conversation_id, position, visitor_id, customer_id)`` in order for the team's queue
    from ``place`` on (that conversation, if still queued, and everyone behind it; the whole
    queue without one), and the queue's length. Nobody ahead of ``place`` is read: one count
    of them and one read of the rows from there, so a newcomer at the tail costs one row."""
    qs = queued(team_id=team_id)
    ahead = 0
    if place is not None:
        ahead = qs.filter(ahead_of(place)).count()
        qs = qs.exclude(ahead_of(place))
    rows = qs.values_list(
        "conversation_id", "conversation__visitor_id", "conversation__customer_id"
    )
    positions: list[tuple[int, int, int, int | None]] = [
        (cid, n, visitor, customer) for n, (cid, visitor, customer) in enumerate(rows, ahead + 1)
    ]
    return positions, ahead + len(positions)


def position_step(position: int) -> int:
    """How many places a shopper at ``position`` moves up between two ``queue.position``
    frames while the queue is served from ahead of it: every place among the first 19; further
    back, the largest 1, 2 or 5 × 10^k not above a tenth of the place (20–49: every 2nd,
    100–199: every 10th, 1,000–1,999: every 100th). Telling every shopper of a queue of Q each
    time its head is served costs Q frames an assignment, Q²/2 to drain it (a flash crowd of
    2,000 melted both servers: docs/performance.md, "Queue positions at the issue's soak")."""
    tenth, step, scale = position // 10, 1, 1
    while True:
        for unit in (1, 2, 5):
            if unit * scale > tenth:
                return step
            step = unit * scale
        scale *= 10


def told_moving_up(position: int, *, advanced: int) -> bool:
    """Whether a shopper now at ``position``, at most ``advanced`` places further ahead than
    before, gets a ``queue.position``: when it reached a multiple of its step (so the place it
    is told is a round one, exact at that moment, and at most one step behind the truth until
    the next). ``advanced`` 0: not a move up (someone entered ahead): always told."""
    if advanced <= 0:
        return True
    step = position_step(position)
    return (position + advanced - 1) // step * step >= position


def team_agents(team_id: int | None) -> QuerySet[AgentPresence]:
    qs = available_presences()
    if team_id:
        qs = qs.filter(user__agent_profile__teams=team_id)
    return qs


def average_handle_seconds(team_id: int | None) -> float:
    """Mean time from assignment to resolution over the team's latest resolved conversations
    (cached for a minute); a default before there is any history."""
    now = time.monotonic()
    hit = _handle_cache.get(team_id)
    if hit is not None and now - hit[0] < _CACHE_SECONDS:
        return hit[1]
    rows = (
        ConversationRouting.objects.filter(
            assigned_at__isnull=False,
            conversation__resolved_at__isnull=False,
            conversation__resolved_at__gt=timezone.now() - dt.timedelta(days=14),
        )
        .filter(Q(conversation__team_id=team_id) if team_id else Q(conversation__team__isnull=True))
        .order_by("-conversation__resolved_at")
        .values_list("assigned_at", "conversation__resolved_at")[:HANDLE_SAMPLE]
    )
    spans = [(r - a).total_seconds() for a, r in rows if a is not None and r is not None and r > a]
    value = sum(spans) / len(spans) if spans else DEFAULT_HANDLE_SECONDS
    _handle_cache[team_id] = (now, value)
    return value


def free_slots(team_id: int | None) -> tuple[int, int]:
    """``(agents available, total capacity)`` of the team right now."""
    agg = team_agents(team_id).aggregate(
        n=Count("user_id", distinct=True), cap=Sum("user__agent_profile__capacity")
    )
    return int(agg["n"] or 0), int(agg["cap"] or 0)


def estimated_wait_seconds(*, team_id: int | None, position: int) -> int | None:
    """Rough wait for the ``position``-th in line: the conversations ahead divided over the
    team's capacity, each taking the recent average handle time. None when nobody is
    available (the widget then shows business hours instead)."""
    agents, capacity = free_slots(team_id)
    if agents == 0 or capacity == 0:
        return None
    rounds = math.ceil(position / capacity)
    return int(rounds * average_handle_seconds(team_id))


def agent_load(*, user_id: int) -> int:
    return Conversation.objects.filter(assignee_id=user_id, status__in=LOAD_STATUSES).count()


def queue_overview() -> list[dict[str, Any]]:
    """Per team: waiting conversations, available agents and their load (for supervisors)."""
    teams: list[tuple[int | None, str]] = [(t.pk, t.name) for t in Team.objects.order_by("name")]
    teams.append((None, ""))
    waiting: dict[int | None, int] = dict(
        ConversationRouting.objects.filter(queued_at__isnull=False)
        .values_list("queue_team_id")
        .annotate(n=Count("pk"))
        .values_list("queue_team_id", "n")
    )
    out = []
    for team_id, name in teams:
        agents, capacity = free_slots(team_id) if team_id else (0, 0)
        if team_id is None and not waiting.get(None):
            continue
        out.append(
            {
                "team": {"id": team_id, "name": name} if team_id else None,
                "waiting": int(waiting.get(team_id, 0)),
                "agents_available": agents,
                "capacity": capacity,
                "reply_target_seconds": reply_target_seconds(team_id),
            }
        )
    return out


def agents_with_load() -> list[dict[str, Any]]:
    """Every agent's presence and open conversations, for the supervisor's view."""
    from chat.access import AGENT_GROUPS

    users = (
        User.objects.filter(is_active=True)
        .filter(Q(groups__name__in=AGENT_GROUPS) | Q(is_superuser=True))
        .select_related("agent_profile", "presence")
        .annotate(
            load=Count(
                "assigned_conversations",
                filter=Q(assigned_conversations__status__in=LOAD_STATUSES),
                distinct=True,
            )
        )
        .distinct()
        .order_by("username")
    )
    available = set(available_presences().values_list("user_id", flat=True))
    out = []
    for user in users:
        profile = getattr(user, "agent_profile", None)
        presence = getattr(user, "presence", None)
        out.append(
            {
                "id": user.pk,
                "name": profile.name if profile else user.get_username(),
                "status": presence.status if presence else AgentPresence.Status.OFFLINE,
                "available": user.pk in available,
                "load": user.load,
                "capacity": profile.capacity if profile else 0,
            }
        )
    return out
