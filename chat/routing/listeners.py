"""Routing's listeners on chat's domain events, and its fields in the conversation payload.

``connect()`` subscribes them, from ``chat.listeners``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from chat import events
from chat.csat.services import csat_requested
from chat.models import Conversation, ConversationRouting, Holiday, Schedule, ScheduleInterval
from chat.services.agents import agent_socket_hook_register
from helpdesk import dispatch
from helpdesk.dispatch import Event

from . import business_hours, selectors, services, slow_reply
from .presence import on_agent_socket
from .strings import register as register_strings


def _needs_person(conversation_id: int) -> None:
    """After commit: queue a new (or reopened, unassigned) conversation unless the bot takes
    the first turn."""
    for gate in services.bot_gates:
        if gate(conversation_id):
            return
    services.conversation_enqueue(conversation_id=conversation_id, reason="new")


def on_opened(event: dispatch.DomainEvent) -> None:
    conversation_id = event.conversation_id
    if conversation_id is not None:
        transaction.on_commit(lambda: _needs_person(conversation_id))


def on_reopened(event: dispatch.DomainEvent) -> None:
    conversation_id = event.conversation_id
    if conversation_id is None or event.data.get("by_user_id"):
        return
    # Reopened by the shopper's message: the previous agent keeps it if assigned; otherwise
    # it needs someone (or the bot).
    transaction.on_commit(lambda: _needs_person(conversation_id))


def on_assigned(event: dispatch.DomainEvent) -> None:
    conversation_id = event.conversation_id
    if conversation_id is None:
        return
    data = event.data
    by_user = data.get("by_user_id")
    if data.get("assignee_id") is not None:
        left = services.conversation_dequeue(conversation_id=conversation_id)
        ConversationRouting.objects.filter(conversation_id=conversation_id).update(
            assigned_at=event.at
        )
        if by_user is None:
            return  # the router's own assignment broadcasts for itself
        previous = data.get("previous_assignee_id")
        if left is not None:
            # Only those behind the taken conversation moved up.
            transaction.on_commit(
                lambda: services.broadcast_positions(team_id=left.team_id, left=left, advanced=1)
            )
        if previous:
            transaction.on_commit(partial(services.assign_for_agent, user_id=int(previous)))
    elif by_user is not None:
        # Unassigned by hand: back to the queue.
        services.conversation_enqueue(conversation_id=conversation_id, reason="unassigned")
        previous = data.get("previous_assignee_id")
        if previous:
            transaction.on_commit(partial(services.assign_for_agent, user_id=int(previous)))


def on_status(event: dispatch.DomainEvent) -> None:
    """Resolving (or parking) frees a slot; resolving also ends any wait."""
    conversation_id = event.conversation_id
    if conversation_id is None:
        return
    status = event.data.get("status")
    if status == Conversation.Status.RESOLVED:
        left = services.conversation_dequeue(conversation_id=conversation_id)
        ConversationRouting.objects.filter(conversation_id=conversation_id).update(
            waiting_since=None, overdue_notified_at=None
        )
        if left is not None:
            transaction.on_commit(
                lambda: services.broadcast_positions(team_id=left.team_id, left=left, advanced=1)
            )
    assignee = (
        Conversation.objects.filter(pk=conversation_id)
        .values_list("assignee_id", flat=True)
        .first()
    )
    if assignee is not None and status in (
        Conversation.Status.RESOLVED,
        Conversation.Status.SNOOZED,
    ):
        transaction.on_commit(lambda: services.assign_for_agent(user_id=assignee))


def _routing_of(conversation: Conversation) -> ConversationRouting | None:
    try:
        return conversation.routing
    except ConversationRouting.DoesNotExist:
        return None


def payload_fields(conversation: Conversation, staff: bool) -> dict[str, Any]:
    """``queue_position`` and ``estimated_wait_seconds`` for everyone; ``waiting_since``,
    ``overdue`` and the queue reason/priority for staff. One lookup of the routing row, plus
    a count while the conversation is queued."""
    routing = _routing_of(conversation)
    data: dict[str, Any] = {"queue_position": None, "estimated_wait_seconds": None}
    if not staff:
        # The widget asks for 1-5 stars while this is true (resolved, not yet rated).
        data["csat_requested"] = csat_requested(conversation)
    if routing is not None and routing.queued_at is not None:
        position = selectors.queue_position(routing=routing)
        data["queue_position"] = position
        if position is not None and not staff:
            data["estimated_wait_seconds"] = selectors.estimated_wait_seconds(
                team_id=routing.queue_team_id, position=position
            )
    if staff:
        in_care = routing is not None and (
            routing.queued_at is not None or conversation.assignee_id is not None
        )
        data.update(
            {
                "waiting_since": events.isoformat(routing.waiting_since) if routing else None,
                "overdue": bool(
                    in_care
                    and conversation.status == Conversation.Status.OPEN
                    and slow_reply.is_overdue(routing, conversation.team_id, timezone.now())
                ),
                "queue": (
                    {
                        "reason": routing.queue_reason,
                        "priority": routing.queue_priority,
                        "queued_at": events.isoformat(routing.queued_at),
                    }
                    if routing is not None and routing.queued_at is not None
                    else None
                ),
            }
        )
    return data


def connect() -> None:
    dispatch.subscribe(Event.CONVERSATION_OPENED, on_opened)
    dispatch.subscribe(Event.CONVERSATION_REOPENED, on_reopened)
    dispatch.subscribe(Event.CONVERSATION_ASSIGNED, on_assigned)
    dispatch.subscribe(Event.CONVERSATION_RESOLVED, on_status)
    dispatch.subscribe(Event.CONVERSATION_STATUS_CHANGED, on_status)
    dispatch.subscribe(Event.MESSAGE_CREATED, slow_reply.on_message_created)
    events.conversation_payload_register(payload_fields)
    agent_socket_hook_register(on_agent_socket)
    # Business hours are cached per process; an edit in the admin clears the cache.
    for model in (Schedule, ScheduleInterval, Holiday):
        name = model.__name__
        post_save.connect(business_hours.cache_clear, sender=model, dispatch_uid=f"bh-save-{name}")
        post_delete.connect(business_hours.cache_clear, sender=model, dispatch_uid=f"bh-del-{name}")
    register_strings()
