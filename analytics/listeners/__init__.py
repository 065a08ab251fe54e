"""Listeners that turn domain events into facts, inside the service's transaction.

Every definition lives in docs/metrics.md; the code here must match it word for word.
Subscribed in ``AnalyticsConfig.ready``.
"""

from __future__ import annotations

from helpdesk import dispatch

from .conversations import on_assigned, on_opened, on_queued, on_reopened, on_resolved
from .messages import on_message
from .others import (
    BOT_ANSWERED,
    BOT_HANDOVER,
    CSAT_SUBMITTED,
    ORDER_PLACED,
    on_bot_answered,
    on_bot_handover,
    on_csat,
    on_order_placed,
)


def connect() -> None:
    """Subscribe every listener (idempotent)."""
    dispatch.subscribe(dispatch.CONVERSATION_OPENED, on_opened)
    dispatch.subscribe(dispatch.CONVERSATION_REOPENED, on_reopened)
    dispatch.subscribe(dispatch.CONVERSATION_ASSIGNED, on_assigned)
    dispatch.subscribe(dispatch.CONVERSATION_RESOLVED, on_resolved)
    dispatch.subscribe("conversation.queued", on_queued)
    dispatch.subscribe(dispatch.MESSAGE_CREATED, on_message)
    dispatch.subscribe(BOT_HANDOVER, on_bot_handover)
    dispatch.subscribe(BOT_ANSWERED, on_bot_answered)
    dispatch.subscribe(CSAT_SUBMITTED, on_csat)
    dispatch.subscribe(ORDER_PLACED, on_order_placed)
