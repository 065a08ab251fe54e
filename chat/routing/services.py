"""Writes of routing: the queue, automatic assignment and handing conversations back.

Capacity is guarded by row locks: ``assign_next`` locks the head of the queue and one agent's
presence row with ``SELECT … FOR UPDATE SKIP LOCKED`` and recounts that agent's open
conversations in a fresh statement once the lock is held. Two routers running at once never
pick the same conversation, and never both fill the last slot of one agent.

Lock order is always conversation → routing row → presence row (the message path locks the
conversation and then updates its routing row), so routers and senders cannot deadlock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chat import events
from chat.access import Actor
from chat.events import sender_name
from chat.models import AgentPresence, Conversation, ConversationRouting, Message
from chat.services.conversations import conversation_assignee_set
from chat.services.messages import message_create
from helpdesk import dispatch
from helpdesk.errors import NotFound

from . import selectors
from .selectors import live_connections

logger = logging.getLogger(__name__)
User = get_user_model()

PRIORITY_VIP = 100
PRIORITY_LEFT_MESSAGE = 100
PRIORITY_HANDED_BACK = 50
MAX_ASSIGN_ROUNDS = 200

# Called with a new conversation's id, a gate returns True when the bot takes the first turn
# (it calls ``conversation_enqueue`` itself on hand-over). With no gate, or every gate False,
# a new conversation queues at once.
bot_gates: list[Callable[[int], bool]] = []


def bot_gate_register(gate: Callable[[int], bool]) -> None:
    """The bot (chat/bot/) holds new conversations back from the queue while it answers."""
    if gate not in bot_gates:
        bot_gates.append(gate)


def _language(conversation: Conversation) -> str:
    lang = (conversation.visitor.language or "").lower()
    return "zh-hans" if lang.startswith("zh") else "en"


def is_vip(conversation: Conversation) -> bool:
    """A customer with a VIP tier (orders.Customer.vip_tier) is served first."""
    customer = conversation.customer if conversation.customer_id else None
    return bool(getattr(customer, "vip_tier", "")) if customer is not None else False


def conversation_enqueue(*, conversation_id: int, reason: str, priority: int = 0) -> None:
    """Put a conversation that needs a person into its team's queue (VIP first) and, after
    commit, assign it at once if an available agent of the team has a free slot.

    Idempotent: a queued conversation keeps its place (its priority may only rise). A
    conversation that is resolved or already has an assignee is left alone. May be called
    inside the caller's transaction, also while it holds the conversation's row lock.
    """
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_related("customer").filter(pk=conversation_id).first()
        )
        if conversation is None:
            raise NotFound("Conversation not found.")
        if conversation.status == Conversation.Status.RESOLVED or conversation.assignee_id:
            return
        team_id = conversation.team_id or selectors.default_team_id()
        if conversation.team_id is None and team_id is not None:
            Conversation.objects.filter(pk=conversation.pk, team__isnull=True).update(
                team_id=team_id
            )
        if is_vip(conversation):
            priority += PRIORITY_VIP
        now = timezone.now()
        routing = ConversationRouting.objects.select_for_update().get_or_create(
            conversation_id=conversation.pk
        )[0]
        newly = routing.queued_at is None
        if newly:
            routing.queued_at = now
            routing.queue_team_id = team_id
            routing.queue_priority = priority
            routing.queue_reason = reason[:64]
        else:
            routing.queue_priority = max(routing.queue_priority, priority)
            team_id = routing.queue_team_id
        routing.waiting_since = routing.waiting_since or now
        routing.save()
        if newly:
            dispatch.dispatch(
                dispatch.DomainEvent(
                    name=dispatch.Event.CONVERSATION_QUEUED,
                    at=now,
                    conversation_id=conversation.pk,
                    data={"team_id": team_id, "priority": routing.queue_priority, "reason": reason},
                )
            )
        transaction.on_commit(lambda: queue_changed(team_id=team_id, entered=conversation.pk))


def conversation_dequeue(*, conversation_id: int) -> selectors.QueuePlace | None:
    """Take a conversation out of the queue (assigned by hand, resolved). Returns the place
    it left (its team's queue moved, from there on), or None if it was not queued."""
    routing = (
        ConversationRouting.objects.filter(conversation_id=conversation_id, queued_at__isnull=False)
        .only("conversation_id", "queue_team_id", "queue_priority", "queued_at")
        .first()
    )
    updated = ConversationRouting.objects.filter(
        conversation_id=conversation_id, queued_at__isnull=False
    ).update(queued_at=None)
    return selectors.QueuePlace.of(routing) if routing is not None and updated else None


def _free_agents(team_id: int | None) -> QuerySet[Any]:
    """Presence rows of the team's available agents with a free slot, least loaded first
    (ties: idle longest), as of the statement's snapshot."""
    now = timezone.now()
    load = (
        Conversation.objects.filter(
            assignee_id=OuterRef("user_id"), status__in=selectors.LOAD_STATUSES
        )
        .order_by()
        .values("assignee_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    live = live_connections(now=now).filter(user_id=OuterRef("user_id"))
    qs = AgentPresence.objects.filter(status=AgentPresence.Status.ONLINE, user__is_active=True)
    if team_id is not None:
        qs = qs.filter(user__agent_profile__teams=team_id)
    qs = (
        qs.filter(Exists(live))
        .annotate(
            load=Coalesce(Subquery(load, output_field=IntegerField()), Value(0)),
            cap=F("user__agent_profile__capacity"),
        )
        .filter(load__lt=F("cap"))
        .order_by("load", F("last_assigned_at").asc(nulls_first=True), "user_id")
    )
    return qs


def _lock_free_agent(team_id: int | None) -> tuple[AgentPresence, Any] | None:
    """Lock the presence row of the least loaded available agent of the team who has a free
    slot (ties: idle longest). Caller holds a transaction."""
    qs = _free_agents(team_id).select_for_update(skip_locked=True, of=("self",))
    for presence in qs[:10]:
        # The candidate query's snapshot may predate an assignment that committed just before
        # we got the lock; with the lock held, a fresh count is exact.
        if selectors.agent_load(user_id=presence.user_id) < presence.cap:
            user = User.objects.select_related("agent_profile").get(pk=presence.user_id)
            return presence, user
    return None


def assign_next(*, team_id: int | None) -> int | None:
    """Assign the head of the team's queue to the best available agent. Returns the
    conversation id, or None when the queue is empty or nobody has a free slot."""
    if not auto_assign_enabled():
        return None
    # Nobody with a free slot (every agent busy, a long queue): no need to find and lock the
    # head, a sort of the whole queue (22 ms at 6,000 waiting, the soak) on every
    # enqueue and every freed slot. A slot that frees after this read rings its own doorbell
    # (``assign_for_agent``), which sees what was queued before it.
    if not _free_agents(team_id).exists():
        return None
    with transaction.atomic():
        qs = Conversation.objects.select_for_update(skip_locked=True, of=("self",)).filter(
            routing__queued_at__isnull=False, assignee__isnull=True
        )
        if team_id is not None:
            qs = qs.filter(routing__queue_team_id=team_id)
        else:
            qs = qs.filter(routing__queue_team__isnull=True)
        conversation = qs.order_by("-routing__queue_priority", "routing__queued_at", "pk").first()
        if conversation is None:
            return None
        if conversation.status == Conversation.Status.RESOLVED:
            conversation_dequeue(conversation_id=conversation.pk)
            return conversation.pk
        found = _lock_free_agent(team_id)
        if found is None:
            return None
        presence, user = found
        _auto_assign(conversation, user=user)
        return conversation.pk


def _auto_assign(conversation: Conversation, *, user: Any) -> None:
    now = timezone.now()
    conversation_assignee_set(conversation=conversation, assignee=user, by=None)
    ConversationRouting.objects.filter(conversation_id=conversation.pk).update(
        queued_at=None, assigned_at=now
    )
    AgentPresence.objects.filter(user_id=user.pk).update(last_assigned_at=now)
    name = sender_name(Actor(user=user))
    with translation.override(_language(conversation)):
        text = _("%(name)s has joined the conversation") % {"name": name}
    message_create(
        conversation=conversation,
        sender_kind=Message.SenderKind.SYSTEM,
        body=text,
        sender_name=name,
        # The desk shows the line in its own language (the body is the shopper's).
        card={"type": "agent_joined", "name": name},
        extra={"routing": "auto_assigned"},
    )
    events.publish_conversation(conversation)


def assign_queue(*, team_id: int | None) -> list[int]:
    """Assign from the team's queue until it is empty or nobody has a free slot."""
    assigned: list[int] = []
    for _round in range(MAX_ASSIGN_ROUNDS):
        conversation_id = assign_next(team_id=team_id)
        if conversation_id is None:
            break
        assigned.append(conversation_id)
    return assigned


def auto_assign_enabled() -> bool:
    """``HELPDESK["AUTO_ASSIGN"]`` (default on). Off, conversations still queue and shoppers
    still see their place, but only a person takes them (manual take)."""
    return bool(getattr(settings, "HELPDESK", {}).get("AUTO_ASSIGN", True))


def queue_changed(
    *, team_id: int | None, moved: bool = True, entered: int | None = None
) -> list[int]:
    """The team's queue or capacity moved: assign what can be assigned, then tell the
    waiting shoppers whose place changed and the agents the queue's length.

    ``entered``: only this conversation joined (or moved up); if nobody was assigned, only it
    and those behind it moved. ``moved=False`` (only capacity may have freed): positions go
    out only if someone was assigned."""
    try:
        assigned = assign_queue(team_id=team_id)
    except Exception:
        # A failed round must not break the caller's committed write; the beat sweep retries.
        logger.exception("assignment for team %s failed", team_id)
        assigned = []
    if assigned:
        # Served from the head: everyone moved up (by at most as many as were assigned).
        broadcast_positions(team_id=team_id, advanced=len(assigned), newcomer=entered)
    elif moved:
        broadcast_positions(team_id=team_id, from_conversation=entered)
    return assigned


def broadcast_positions(
    *,
    team_id: int | None,
    from_conversation: int | None = None,
    left: selectors.QueuePlace | None = None,
    advanced: int = 0,
    newcomer: int | None = None,
) -> None:
    """``queue.position`` to each waiting shopper whose place changed, ``queue.changed`` (the
    queue's length) to the agents, all in one pass (``events.publish_each``).

    ``advanced``: everyone from the place on moved up by at most this many places (served or
    left from ahead of them): those far back are told only at round places
    (``selectors.told_moving_up``), so draining a long queue costs a few dozen frames an
    assignment, not one per shopper waiting. ``newcomer`` (just queued) is told its place
    whatever it is: it has none yet.

    Proportional to what changed, not to the queue: ``from_conversation`` joined (or moved
    up), so it and those behind it get a place, nobody ahead of it is read; ``left`` is the
    place a conversation left, so only those behind it moved up. Neither: the whole queue
    (served from its head). A newcomer at the tail of a queue of 200 is one count and one
    row, where it was the whole queue (docs/performance.md, "Queue positions")."""
    place = left
    if from_conversation is not None:
        routing = ConversationRouting.objects.filter(
            conversation_id=from_conversation, queued_at__isnull=False
        ).first()
        place = selectors.QueuePlace.of(routing) if routing is not None else None
    positions, waiting = selectors.queue_positions(team_id=team_id, place=place)
    frames: list[tuple[list[str], dict[str, Any]]] = []
    agents, capacity, handle = 0, 0, 0.0
    if positions:
        agents, capacity = selectors.free_slots(team_id)
        handle = selectors.average_handle_seconds(team_id)
    for conversation_id, position, visitor_id, customer_id in positions:
        if conversation_id != newcomer and not selectors.told_moving_up(
            position, advanced=advanced
        ):
            continue
        wait = None
        if agents and capacity:
            wait = int(-(-position // capacity) * handle)
        # The visitor's (and customer's) groups rather than the conversation's: a brand-new
        # conversation's socket joins its group only after the commit that queued it, and
        # every shopper socket is in its visitor's group from the start.
        groups = [events.group_visitor(visitor_id)]
        if customer_id:
            groups.append(events.group_customer(customer_id))
        frames.append(
            (
                groups,
                {
                    "type": events.Frame.QUEUE_POSITION,
                    "conversation": conversation_id,
                    "queue_position": position,
                    "estimated_wait_seconds": wait,
                },
            )
        )
    frames.append(
        (
            [events.group_agents()],
            {"type": events.Frame.QUEUE_CHANGED, "team": team_id, "waiting": waiting},
        )
    )
    events.publish_each(frames)


def assign_for_agent(*, user_id: int) -> list[int]:
    """An agent became available or freed a slot: serve the queues of their teams."""
    team_ids: list[int | None] = list(
        User.objects.filter(pk=user_id)
        .exclude(agent_profile__teams__isnull=True)
        .values_list("agent_profile__teams", flat=True)
    )
    team_ids.append(None)
    waiting = set(
        ConversationRouting.objects.filter(queued_at__isnull=False).values_list(
            "queue_team_id", flat=True
        )
    )
    assigned: list[int] = []
    for team_id in team_ids:
        if team_id in waiting:
            assigned += queue_changed(team_id=team_id, moved=False)
    return assigned


def assign_all() -> list[int]:
    """Safety net run by beat: serve every queue (a missed doorbell never strands anyone)."""
    teams = set(
        ConversationRouting.objects.filter(queued_at__isnull=False).values_list(
            "queue_team_id", flat=True
        )
    )
    assigned: list[int] = []
    for team_id in teams:
        assigned += queue_changed(team_id=team_id, moved=False)
    return assigned
