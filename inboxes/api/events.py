"""Typing and conversation status for the shop's app (API channel), as signed webhooks.

These are hints: posted from Celery with a few retries and then dropped. Messages never go
this way; they are deliveries (``inboxes.outbound``) and are never dropped.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache import cache

from chat.models import Channel, Conversation
from helpdesk import dispatch
from helpdesk.pending import pending_delay

from .webhooks import contact_id, event_envelope

logger = logging.getLogger(__name__)

_API_CHANNELS_TTL = 30.0
_api_channels: tuple[float, frozenset[int]] = (0.0, frozenset())
TYPING_EVERY_SECONDS = 3


def api_channel_ids() -> frozenset[int]:
    """Ids of API channels with a webhook, cached for 30 s (typing frames are frequent)."""
    global _api_channels
    at, ids = _api_channels
    if time.monotonic() - at < _API_CHANNELS_TTL:
        return ids
    rows = Channel.objects.filter(kind=Channel.Kind.API, active=True).values_list("pk", "config")
    ids = frozenset(
        pk for pk, config in rows if isinstance(config, dict) and config.get("webhook_url")
    )
    _api_channels = (time.monotonic(), ids)
    return ids


def _queue(channel_id: int, event: dict[str, Any]) -> None:
    from ..tasks import api_event

    try:
        api_event.delay(channel_id, event)
    except Exception:  # the broker is down: a typing hint is not worth an error
        logger.warning("API channel %s: could not queue %s", channel_id, event.get("type"))


def on_agent_typing(conversation: Conversation, frame: dict[str, Any]) -> None:
    """``chat.events.agent_typing_register``: "typing on" at most every 3 s per conversation,
    "off" always."""
    try:
        if conversation.channel_id not in api_channel_ids():
            return
        on = bool(frame.get("on"))
        if on and not cache.add(f"inboxes:typing:{conversation.pk}", 1, TYPING_EVERY_SECONDS):
            return
        visitor_address = (
            Conversation.objects.filter(pk=conversation.pk)
            .values_list("visitor__address", flat=True)
            .first()
        )
        event = event_envelope(
            "typing",
            {
                "conversation": conversation.pk,
                "contact": {"id": contact_id(visitor_address or "")},
                "sender": frame.get("sender"),
                "on": on,
            },
        )
        _queue(conversation.channel_id, event)
    except Exception:
        logger.exception("typing hook failed")


def on_status(event: dispatch.DomainEvent) -> None:
    """Status changes of an API-channel conversation go to the app after commit."""
    from ..tasks import api_event

    conversation_id = event.conversation_id
    if conversation_id is None:
        return
    row = (
        Conversation.objects.filter(pk=conversation_id)
        .values_list("channel_id", "status", "visitor__address")
        .first()
    )
    if row is None or row[0] not in api_channel_ids():
        return
    channel_id, status, address = row
    status = event.data.get("status") or status
    payload = event_envelope(
        "conversation.updated",
        {
            "conversation": conversation_id,
            "contact": {"id": contact_id(address or "")},
            "status": status,
        },
    )
    # Written down with the change: a status the broker lost is posted by the sweep
    # (helpdesk/pending.py), with the same event id.
    pending_delay(api_event, channel_id=channel_id, event=payload)
