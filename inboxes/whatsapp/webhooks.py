"""The Cloud API's webhook: ``/inboxes/whatsapp/<channel public id>/``.

``GET`` is Meta's subscription check: ``hub.mode=subscribe``, ``hub.verify_token`` equal to the
channel's ``verify_token`` → the ``hub.challenge`` echoed. ``POST`` carries
``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>``; a missing or wrong
signature, or a body that is not the documented shape, gets a 4xx and stores nothing. Each
shopper message is stored under its ``wamid`` (``inboxes.queue.event_accept``: a retried
delivery stores nothing new) and handled by a Celery task, so Meta gets its 200 at once;
statuses (delivered, read, failed) move our deliveries at once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import uuid
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from chat.models import Channel

from ..outbound import delivery_status_set
from ..queue import event_accept

logger = logging.getLogger(__name__)
MAX_BODY = 3 * 1024 * 1024


def _error(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail}, status=status)


def signature_valid(app_secret: str, body: bytes, header: str) -> bool:
    if not app_secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header[len("sha256=") :].strip().lower())


def _channel(public_id: str) -> Channel | None:
    try:
        key = uuid.UUID(public_id)
    except ValueError:
        return None
    return Channel.objects.filter(public_id=key, kind=Channel.Kind.WHATSAPP, active=True).first()


@csrf_exempt
def whatsapp_webhook(request: HttpRequest, channel_id: str) -> HttpResponse:
    channel = _channel(channel_id)
    if channel is None:
        return _error(404, "not_found", "Unknown channel.")
    if request.method == "GET":
        token = str(channel.config.get("verify_token") or "")
        given = request.GET.get("hub.verify_token", "")
        if (
            request.GET.get("hub.mode") == "subscribe"
            and token
            and hmac.compare_digest(token.encode(), given.encode())
        ):
            return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
        return _error(403, "forbidden", "The verify token does not match.")
    if request.method != "POST":
        return _error(405, "bad_request", "GET or POST only.")
    body = request.body
    if len(body) > MAX_BODY:
        return _error(413, "bad_request", "The body is too large.")
    header = request.headers.get("X-Hub-Signature-256", "")
    if not signature_valid(str(channel.config.get("app_secret") or ""), body, header):
        return _error(401, "unauthorized", "The webhook signature does not match.")
    try:
        payload = json.loads(body)
        changes = _changes(payload)
    except (ValueError, TypeError, KeyError) as exc:
        return _error(400, "bad_request", f"Not a WhatsApp webhook: {exc}")
    phone_number_id = str(channel.config.get("phone_number_id") or "")
    with transaction.atomic():
        for value in changes:
            number = str((value.get("metadata") or {}).get("phone_number_id") or "")
            if number and number != phone_number_id:
                logger.warning("WhatsApp event for number %s on channel %s", number, channel.pk)
                continue
            _take(channel, value)
    return HttpResponse("EVENT_RECEIVED", content_type="text/plain")


def _changes(payload: Any) -> list[dict[str, Any]]:
    """The ``value`` of each ``messages`` change, checked for the documented shape."""
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        raise ValueError("object must be whatsapp_business_account")
    values = []
    for entry in payload["entry"]:
        for change in entry["changes"]:
            if change.get("field") != "messages":
                continue
            value = change["value"]
            if not isinstance(value, dict):
                raise ValueError("value must be an object")
            for key in ("messages", "statuses", "contacts"):
                if not isinstance(value.get(key, []), list):
                    raise ValueError(f"{key} must be a list")
            for message in value.get("messages", []):
                if not (
                    isinstance(message, dict)
                    and isinstance(message.get("id"), str)
                    and isinstance(message.get("from"), str)
                    and isinstance(message.get("type"), str)
                ):
                    raise ValueError("each message needs id, from and type")
            for status in value.get("statuses", []):
                if not (isinstance(status, dict) and isinstance(status.get("id"), str)):
                    raise ValueError("each status needs an id")
            values.append(value)
    return values


def _take(channel: Channel, value: dict[str, Any]) -> None:
    contacts = {str(c.get("wa_id")): c for c in value.get("contacts", []) if isinstance(c, dict)}
    for message in value.get("messages", []):
        contact = contacts.get(message["from"], {})
        event = {"message": message, "contact": contact}
        event_accept(
            channel=channel,
            external_id=message["id"],
            payload=json.dumps(event, ensure_ascii=False).encode(),
        )
    for status in value.get("statuses", []):
        state = str(status.get("status") or "")
        if state not in ("delivered", "read", "failed"):
            continue  # "sent" we know already (the send returned the id)
        error = ""
        for item in status.get("errors") or []:
            if isinstance(item, dict):
                details = (item.get("error_data") or {}).get("details") or item.get("message")
                error = f"WhatsApp: {item.get('title') or 'not delivered'}"
                error += f" — {details}" if details else ""
                error += f" (code {item.get('code')})"
                break
        delivery_status_set(channel=channel, external_id=status["id"], status=state, error=error)
