"""Inbound email from ESPs through django-anymail's normalised webhooks.

anymail verifies each ESP's request (its basic-auth secret, Mailgun's signature, SES's SNS
signature …) and turns the payload into one ``AnymailInboundMessage``; its ``inbound`` signal
hands it here and the mail goes the same way as IMAP mail. The views are anymail's own,
wrapped so that anything wrong with a request is a 4xx in the desk's error shape: a forged or
malformed post stores nothing and never becomes a 500. Tracking webhooks (delivered,
bounced, opened) move the deliveries of our sent mail.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from email.utils import getaddresses
from typing import Any

from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from helpdesk.errors import HelpdeskError

from ..models import OutboundDelivery
from ..outbound import delivery_status_set
from ..queue import event_accept
from .parse import message_ids
from .receive import channel_for_recipients

logger = logging.getLogger(__name__)


class RawMail:
    """What the door needs of a mail the ESP posted as raw MIME: its headers (read with the
    fast ``compat32`` policy, headers only), the envelope recipient and the bytes as received.
    The worker parses the whole mail (``parse_mail``); parsing it here as well with anymail's
    modern policy, then serialising it again to store it, was half of the webhook's CPU
    (docs/performance.md, Channels)."""

    def __init__(self, raw: bytes, envelope_recipient: str | None) -> None:
        from email import policy
        from email.parser import BytesHeaderParser

        self.raw = raw
        self.envelope_recipient = envelope_recipient
        self._headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)

    def get(self, name: str, default: Any = None) -> Any:
        return self._headers.get(name, default)

    def get_all(self, name: str) -> list[Any] | None:
        return self._headers.get_all(name)

    def as_bytes(self) -> bytes:
        return self.raw


def _raw_event(request: HttpRequest, field: str, recipient: str | None) -> Any:
    from anymail.signals import AnymailInboundEvent, EventType

    raw = request.POST[field].encode("utf-8", "surrogateescape")
    return AnymailInboundEvent(
        event_type=EventType.INBOUND,
        timestamp=None,
        event_id=request.POST.get("token"),
        esp_event=request,
        message=RawMail(raw, recipient),
    )


def _lean_views() -> tuple[Any, Any]:
    """anymail's Mailgun and SendGrid inbound views (their request checks unchanged) that
    hand raw MIME to the door as a ``RawMail``; any other shape goes anymail's whole way."""
    from anymail.webhooks import mailgun, sendgrid

    class MailgunInbound(mailgun.MailgunInboundWebhookView):
        def esp_to_anymail_event(self, request: HttpRequest) -> Any:
            post = request.POST
            if (
                "body-mime" not in post
                or post.get("event", "inbound") != "inbound"
                or "attachments" in post
            ):
                return super().esp_to_anymail_event(request)
            int(post["timestamp"])  # malformed: 400, as anymail's own parse
            return _raw_event(request, "body-mime", post.get("recipient"))

    class SendGridInbound(sendgrid.SendGridInboundWebhookView):
        def esp_to_anymail_event(self, request: HttpRequest) -> Any:
            post = request.POST
            if "headers" in post or "email" not in post:
                return super().esp_to_anymail_event(request)
            try:
                recipient = json.loads(post["envelope"])["to"][0]
            except (KeyError, TypeError, ValueError, IndexError):
                recipient = None
            return _raw_event(request, "email", recipient)

    return MailgunInbound, SendGridInbound


@functools.cache
def _views() -> dict[str, tuple[Any, Any]]:
    from anymail.webhooks import amazon_ses, mailgun, mailjet, postmark, sendgrid, sparkpost

    mailgun_inbound, sendgrid_inbound = _lean_views()
    return {
        "mailgun": (mailgun_inbound, mailgun.MailgunTrackingWebhookView),
        "postmark": (postmark.PostmarkInboundWebhookView, postmark.PostmarkTrackingWebhookView),
        "sendgrid": (sendgrid_inbound, sendgrid.SendGridTrackingWebhookView),
        "amazon_ses": (
            amazon_ses.AmazonSESInboundWebhookView,
            amazon_ses.AmazonSESTrackingWebhookView,
        ),
        "mailjet": (mailjet.MailjetInboundWebhookView, mailjet.MailjetTrackingWebhookView),
        "sparkpost": (
            sparkpost.SparkPostInboundWebhookView,
            sparkpost.SparkPostTrackingWebhookView,
        ),
    }


ESPS = ("mailgun", "postmark", "sendgrid", "amazon_ses", "mailjet", "sparkpost")


def _error(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail}, status=status)


@functools.cache
def _view(esp: str, kind: str) -> Any:
    return _views()[esp][0 if kind == "inbound" else 1].as_view()


@csrf_exempt
def esp_webhook(request: HttpRequest, esp: str, kind: str) -> HttpResponse:
    """``/inboxes/email/<esp>/inbound/`` and ``…/tracking/``: anymail's view for the ESP.
    CSP-exempt (what ``csp_exempt`` marks): a provider reads the answer, no browser."""
    response = _esp_webhook(request, esp, kind)
    response._csp_exempt = True  # type: ignore[attr-defined]
    return response


def _esp_webhook(request: HttpRequest, esp: str, kind: str) -> HttpResponse:
    views = _views()
    if esp not in views or kind not in ("inbound", "tracking"):
        return _error(404, "not_found", "Unknown email provider.")
    if request.method != "POST":
        return (
            _error(405, "bad_request", "POST only.") if request.method != "HEAD" else HttpResponse()
        )
    try:
        return _view(esp, kind)(request)
    except SuspiciousOperation:
        return _error(400, "bad_request", "The webhook could not be verified.")
    except ImproperlyConfigured as exc:
        logger.warning("email webhook for %s is not configured: %s", esp, exc)
        return _error(404, "not_found", "This email provider is not configured.")
    except HelpdeskError as exc:
        return JsonResponse(exc.as_dict(), status=exc.http_status)
    except DatabaseError:
        logger.exception("email webhook for %s: database unavailable", esp)
        return _error(503, "unavailable", "Try again later.")
    except (
        KeyError,
        ValueError,
        TypeError,
        AttributeError,
        IndexError,
        json.JSONDecodeError,
    ) as exc:
        logger.info("malformed %s webhook: %s", esp, exc)
        return _error(400, "bad_request", "Malformed webhook payload.")


def on_inbound(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    """anymail's ``inbound`` signal: route the mail to the email channel it was sent to."""
    message = event.message
    recipients = []
    if getattr(message, "envelope_recipient", None):
        recipients.append(str(message.envelope_recipient).lower())
    channel = channel_for_recipients(recipients) if recipients else None
    if channel is None:  # no envelope (or not ours): the headers say where it was sent
        for header in ("To", "Cc", "Delivered-To"):
            for address in message.get_all(header) or []:
                recipients += [a.lower() for _n, a in getaddresses([str(address)]) if "@" in a]
        channel = channel_for_recipients(recipients)
    if channel is None:
        # Nobody to give it to; answered 2xx so the ESP does not retry it forever.
        logger.warning("%s inbound mail for %s matches no email channel", esp_name, recipients)
        return
    raw = message.as_bytes()
    ids = message_ids(str(message.get("Message-ID", "")))
    # Stored before the ESP gets its 200; a Celery task turns it into a message.
    event_accept(
        channel=channel,
        external_id=ids[0] if ids else "sha256-" + hashlib.sha256(raw).hexdigest(),
        payload=raw,
    )


_TRACKING = {
    "delivered": OutboundDelivery.Status.DELIVERED,
    "opened": OutboundDelivery.Status.READ,
    "bounced": OutboundDelivery.Status.FAILED,
    "rejected": OutboundDelivery.Status.FAILED,
    "failed": OutboundDelivery.Status.FAILED,
}


def on_tracking(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    """anymail's ``tracking`` signal: the ESP's news of a mail we sent."""
    status = _TRACKING.get(str(getattr(event, "event_type", "")))
    message_id = getattr(event, "message_id", None)
    if status is None or not message_id:
        return
    reason = str(getattr(event, "description", "") or getattr(event, "mta_response", "") or "")
    delivery_status_set(channel=None, external_id=str(message_id), status=status, error=reason)
