"""Webhooks to the shop's app: agent messages, typing and conversation status, signed.

Each post is JSON ``{"id", "type", "created_at", "data"}`` with the headers
``X-Helpdesk-Event-Id``, ``X-Helpdesk-Timestamp`` (Unix seconds) and
``X-Helpdesk-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>``. The app checks
the signature and refuses a timestamp more than five minutes off (a replayed post), and
dedupes on the event id (a retried post). A 2xx answer is success; a 4xx other than 408/429
is final; anything else, a time-out or a refused connection is tried again later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import requests
from django.utils import timezone

from chat import events
from chat.models import Channel, Message

from ..http import provider_session
from ..registry import SendContext, SendError

TIMEOUT = (5, 15)  # connect, read (seconds)
TOLERANCE_SECONDS = 300


class WebhookError(Exception):
    def __init__(self, reason: str, *, retry: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def verify(
    secret: str, *, body: bytes, timestamp: str, signature_header: str, now: float | None = None
) -> bool:
    """What the app does with a post (and what the example client does): the signature
    matches and the timestamp is within five minutes."""
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((now or time.time()) - ts) > TOLERANCE_SECONDS:
        return False
    expected = signature(secret, ts, body)
    return any(hmac.compare_digest(expected, part.strip()) for part in signature_header.split(","))


def _post(channel: Channel, event: dict[str, Any]) -> None:
    url = str(channel.config.get("webhook_url") or "")
    secret = str(channel.config.get("webhook_secret") or "")
    if not url or not secret:
        raise WebhookError("The app has not registered a webhook.", retry=False)
    body = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Helpdesk-Webhooks/1",
        "X-Helpdesk-Event-Id": event["id"],
        "X-Helpdesk-Timestamp": str(timestamp),
        "X-Helpdesk-Signature": signature(secret, timestamp, body),
    }
    try:
        response = provider_session().post(
            url, data=body, headers=headers, timeout=TIMEOUT, allow_redirects=False
        )
    except requests.Timeout as exc:
        raise WebhookError(
            f"The app did not answer in time ({exc.__class__.__name__}).", retry=True
        ) from exc
    except requests.RequestException as exc:
        raise WebhookError(
            f"The app could not be reached: {exc.__class__.__name__}.", retry=True
        ) from exc
    if 200 <= response.status_code < 300:
        return
    final = 400 <= response.status_code < 500 and response.status_code not in (408, 429)
    raise WebhookError(f"The app answered HTTP {response.status_code}.", retry=not final)


def event_envelope(
    event_type: str, data: dict[str, Any], event_id: str | None = None
) -> dict[str, Any]:
    return {
        "id": event_id or uuid.uuid4().hex,
        "type": event_type,
        "created_at": events.isoformat(timezone.now()),
        "data": data,
    }


def contact_id(address: str) -> str:
    """The app's own id of a contact (the visitor address is ``<channel id>:<app id>``)."""
    return address.split(":", 1)[1] if ":" in address else address


def api_send(ctx: SendContext) -> str:
    """The API channel's sender: the message as a ``message.created`` webhook. The event id
    is the message's, so a retried post is recognisably the same event."""
    message: Message = ctx.message
    event_id = f"msg-{message.pk}"
    payload = events.message_payload(message)
    event = event_envelope(
        "message.created",
        {
            "conversation": message.conversation_id,
            "contact": {"id": contact_id(ctx.conversation.visitor.address)},
            "message": payload,
        },
        event_id=event_id,
    )
    try:
        _post(ctx.channel, event)
    except WebhookError as exc:
        raise SendError(exc.reason, retry=exc.retry) from exc
    return event_id


def webhook_post_event(*, channel_id: int, event: dict[str, Any]) -> None:
    channel = Channel.objects.filter(pk=channel_id, kind=Channel.Kind.API, active=True).first()
    if channel is None:
        return
    _post(channel, event)
