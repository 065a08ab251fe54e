"""The providers' webhooks through the desk's ASGI application (inboxes/door.py): served
beside Django's middleware, with the host check, the edge's refusals and the outage answer
still applied; whatever the door does not take goes Django's whole way."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from channels.db import database_sync_to_async as sync_to_async
from channels.testing import HttpCommunicator

from chat.models import Channel
from helpdesk.asgi import application
from helpdesk.db_health import circuit
from inboxes import door
from inboxes.models import InboundEvent
from tests.providers import mailgun_form

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/inboxes/email/mailgun/inbound/"


def _mail(n: int = 1, body: str = "Where is my parcel?") -> bytes:
    return (
        "From: Jane <jane@example.com>\r\nTo: support@shop.test\r\n"
        f"Subject: Parcel\r\nMessage-ID: <door-{n}@example.com>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{body}\r\n"
    ).encode()


async def _post(
    form: dict[str, str], authorization: str, *, host: bytes = b"testserver", path: str = URL
) -> dict[str, Any]:
    body = urlencode(form).encode()
    headers = [
        (b"host", host),
        (b"authorization", authorization.encode()),
        (b"content-type", b"application/x-www-form-urlencoded"),
        (b"content-length", str(len(body)).encode()),
    ]
    communicator = HttpCommunicator(application, "POST", path, body=body, headers=headers)
    try:
        return await communicator.get_response(timeout=20)
    finally:
        await communicator.wait(timeout=5)


def _headers(response: dict[str, Any]) -> dict[str, str]:
    return {k.decode().lower(): v.decode() for k, v in response["headers"]}


@pytest.fixture
def mail_channel() -> Iterator[Channel]:
    from tests.factories import make_email_channel

    yield make_email_channel()


def _events() -> list[tuple[str, bytes]]:
    return [(e.external_id, bytes(e.payload)) for e in InboundEvent.objects.order_by("pk")]


async def test_a_webhook_is_stored_by_the_door_without_the_pages_middleware(
    mail_channel: Channel,
) -> None:
    response = await _post(*mailgun_form(_mail()))
    assert response["status"] == 200, response["body"]
    events = await sync_to_async(_events)()
    assert len(events) == 1 and "door-1@example.com" in events[0][0]
    # None of the pages' headers: the clickjacking, security and locale middleware never ran
    # (through Django the same post is answered with all three).
    headers = _headers(response)
    assert "x-frame-options" not in headers
    assert "x-content-type-options" not in headers
    assert "accept-language" not in headers.get("vary", "").lower()
    # A repeat (the ESP's retry) stores nothing new.
    assert (await _post(*mailgun_form(_mail())))["status"] == 200
    assert len(await sync_to_async(_events)()) == 1


async def test_a_forged_webhook_is_refused_and_stores_nothing(mail_channel: Channel) -> None:
    form, authorization = mailgun_form(_mail())
    form["signature"] = "0" * 64
    response = await _post(form, authorization)
    assert response["status"] == 400
    assert await sync_to_async(InboundEvent.objects.count)() == 0


async def test_the_edge_still_refuses_unstorable_text_at_the_door(mail_channel: Channel) -> None:
    response = await _post(*mailgun_form(_mail(body="nul \x00 here")))
    assert response["status"] == 400
    assert b"bad_request" in response["body"]
    assert await sync_to_async(InboundEvent.objects.count)() == 0


async def test_a_host_not_allowed_is_400(mail_channel: Channel) -> None:
    response = await _post(*mailgun_form(_mail()), host=b"evil.example")
    assert response["status"] == 400
    assert await sync_to_async(InboundEvent.objects.count)() == 0


async def test_a_database_outage_is_503_with_retry_after(mail_channel: Channel) -> None:
    """The provider is told to come back: nothing was taken, so nothing is lost."""
    circuit.failed_at = time.monotonic()  # the database is known to be down
    try:
        response = await _post(*mailgun_form(_mail()))
    finally:
        circuit.failed_at = None
    assert response["status"] == 503
    assert _headers(response)["retry-after"] == "1"
    assert await sync_to_async(InboundEvent.objects.count)() == 0


async def test_a_view_that_fails_is_500_so_the_provider_retries(
    mail_channel: Channel, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inboxes.email import webhooks

    def broken(**kwargs: Any) -> bool:
        raise RuntimeError("broken")

    monkeypatch.setattr(webhooks, "event_accept", broken)
    response = await _post(*mailgun_form(_mail()))
    assert response["status"] == 500
    assert b"server_error" in response["body"]


async def test_what_the_door_does_not_take_goes_through_django(
    mail_channel: Channel, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    # A body over the door's size: Django reads it (and runs the middleware).
    monkeypatch.setattr(door, "DOOR_MAX_BYTES", 10)
    response = await _post(*mailgun_form(_mail(1)))
    assert response["status"] == 200
    assert "x-frame-options" in _headers(response)
    assert len(await sync_to_async(_events)()) == 1
    monkeypatch.setattr(door, "DOOR_MAX_BYTES", 1024 * 1024)
    # Plain HTTP where HTTPS is required: left to Django (its SecurityMiddleware redirects).
    settings.SECURE_SSL_REDIRECT = True
    response = await _post(*mailgun_form(_mail(2)))
    assert "x-frame-options" in _headers(response)


def test_the_door_takes_only_small_posts_to_webhook_paths() -> None:
    def scope(method: str = "POST", path: str = URL, length: str | None = "10") -> dict:
        headers = [(b"content-length", length.encode())] if length is not None else []
        return {"type": "http", "method": method, "path": path, "headers": headers}

    assert door.takes(scope())
    assert door.takes(scope(path="/inboxes/whatsapp/7/"))
    assert door.takes(scope(path="/inboxes/wechat/7/"))
    assert door.takes(scope(path="/inboxes/email/sendgrid/tracking/"))
    assert not door.takes(scope(method="GET"))  # WeChat's and WhatsApp's verification GETs
    assert not door.takes(scope(path="/api/v1/channel/messages"))
    assert not door.takes(scope(path="/inboxes/email/raw/3.eml"))
    assert not door.takes(scope(length=None))  # chunked: Django reads it
    assert not door.takes(scope(length=str(door.DOOR_MAX_BYTES + 1)))
    assert not door.takes({"type": "websocket", "path": URL})
