"""Listeners that turn domain events into facts, inside the service's transaction.

Every definition lives in docs/metrics.md; the code here must match it word for word.
``connect()`` subscribes them, from ``AnalyticsConfig.ready``.
"""

from __future__ import annotations

from helpdesk.dispatch import Event, subscribe

from .conversations import on_assigned, on_opened, on_queued, on_reopened, on_resolved
from .messages import on_message
from .others import on_bot_answered, on_bot_handover, on_csat
from .pauses import on_priority_changed, on_status_changed


def connect() -> None:
    """Subscribe every listener and register analytics' erase hook (idempotent)."""
    from orders.privacy import register_erase

    from ..privacy import erase_analytics

    subscribe(Event.CONVERSATION_OPENED, on_opened)
    subscribe(Event.CONVERSATION_REOPENED, on_reopened)
    subscribe(Event.CONVERSATION_ASSIGNED, on_assigned)
    subscribe(Event.CONVERSATION_RESOLVED, on_resolved)
    subscribe(Event.CONVERSATION_QUEUED, on_queued)
    subscribe(Event.CONVERSATION_STATUS_CHANGED, on_status_changed)
    subscribe(Event.CONVERSATION_PRIORITY_CHANGED, on_priority_changed)
    subscribe(Event.MESSAGE_CREATED, on_message)
    subscribe(Event.BOT_HANDOVER, on_bot_handover)
    subscribe(Event.BOT_ANSWERED, on_bot_answered)
    subscribe(Event.CSAT_SUBMITTED, on_csat)
    register_erase(erase_analytics)
