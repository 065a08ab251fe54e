"""The widget's session POST through the desk's ASGI application (helpdesk/session_door.py):
served beside Django's whole middleware chain, it answers every request as Django does —
status, headers and body — for new and returning shoppers, storefront origins, refusals of the
edge, of the serializer (in the browser's language) and of the identity check, and a bad
host."""

from __future__ import annotations

import json
from typing import Any

import pytest
from channels.db import database_sync_to_async as sync_to_async
from channels.testing import HttpCommunicator
from django.conf import settings
from django.utils import translation

from chat.models import Visitor
from helpdesk import session_door
from helpdesk.asgi import application, django_asgi_app
from inboxes.door import webhook_door
from orders.services import identity_signature

pytestmark = pytest.mark.django_db(transaction=True)

SHOP = "https://shop.example.com"
# Django's whole way, as before the door.
through_django = webhook_door(django_asgi_app)


async def _post(
    app: Any, body: bytes, *, host: bytes = b"testserver", headers: list[tuple[bytes, bytes]]
) -> dict[str, Any]:
    all_headers = [
        (b"host", host),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *headers,
    ]
    communicator = HttpCommunicator(app, "POST", session_door.PATH, body=body, headers=all_headers)
    try:
        return await communicator.get_response(timeout=20)
    finally:
        await communicator.wait(timeout=5)


def _headers(response: dict[str, Any]) -> dict[str, str]:
    # Content-Length follows the body, whose token and ids differ between two sessions.
    return {
        k.decode().lower(): v.decode()
        for k, v in response["headers"]
        if k.lower() != b"content-length"
    }


def _shape(value: Any) -> Any:
    """The answer with its per-session values (token, ids) replaced by their types."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, str | int) and not isinstance(value, bool):
        return type(value).__name__
    return value


async def _both(body: Any, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return await _post(application, data, **kwargs), await _post(through_django, data, **kwargs)


@pytest.fixture
def storefront(settings: Any) -> None:
    settings.STOREFRONT_ORIGINS = [SHOP]


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The bodies the door answered (so a test knows the door, not Django, served them)."""
    seen: list[bytes] = []
    answer = session_door._answer

    def spy(*, scope: dict[str, Any], body: bytes) -> Any:
        seen.append(body)
        return answer(scope=scope, body=body)

    monkeypatch.setattr(session_door, "_answer", spy)
    return seen


async def test_a_new_and_a_returning_shopper_get_what_django_answers(
    storefront: None, served: list[bytes]
) -> None:
    headers = [(b"origin", SHOP.encode()), (b"accept-language", b"zh-CN,zh;q=0.9")]
    page = {"page": {"url": f"{SHOP}/p/linen/", "title": "Linen"}}
    door, django = await _both(page, headers=headers)
    assert served, "the door did not serve the session"
    assert door["status"] == django["status"] == 200, door["body"]
    assert _headers(door) == _headers(django)
    assert _headers(door)["access-control-allow-origin"] == SHOP
    assert _headers(door)["content-language"] == "zh-hans"
    first = json.loads(door["body"])
    assert _shape(first) == _shape(json.loads(django["body"]))
    assert first["conversation"] is None and first["visitor"]["verified"] is False
    visitor = await sync_to_async(Visitor.objects.get)(pk=first["visitor"]["id"])
    assert (visitor.current_url, visitor.language) == (f"{SHOP}/p/linen/", "zh-CN")
    assert visitor.last_seen_at is not None

    again = {"visitor_token": first["visitor_token"], "language": "ja"}
    door, django = await _both(again, headers=headers)
    assert door["status"] == django["status"] == 200
    assert _headers(door) == _headers(django)
    assert json.loads(door["body"])["visitor"]["id"] == first["visitor"]["id"]
    assert json.loads(door["body"]) == json.loads(django["body"]) | {
        "visitor_token": json.loads(door["body"])["visitor_token"]
    }


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{", 400),  # not JSON
        (b'{"page": "x"}', 400),  # the service's refusal
        (b'{"language": "' + b"x" * 17 + b'"}', 400),  # the serializer's, in Chinese
        (b'{"page": {"url": "a\\u0000b\\ud800"}}', 400),  # the edge's: a lone surrogate
        (b'{"a":' * 200 + b"1" + b"}" * 200, 400),  # the edge's: too deep
        (json.dumps({"identity": {"external_id": "c-1", "signature": "00"}}).encode(), 403),
        (json.dumps({"visitor_token": "forged"}).encode(), 401),
    ],
)
async def test_refusals_are_django_s(
    storefront: None, served: list[bytes], body: bytes, status: int
) -> None:
    headers = [(b"origin", SHOP.encode()), (b"accept-language", b"zh-hans")]
    door, django = await _both(body, headers=headers)
    assert served
    assert (door["status"], django["status"]) == (status, status), door["body"]
    assert _headers(door) == _headers(django)
    assert door["body"] == django["body"]
    assert await sync_to_async(Visitor.objects.count)() == 0


async def test_a_verified_customer_and_a_bad_host(storefront: None, served: list[bytes]) -> None:
    identity = {"external_id": "c-7", "signature": identity_signature("c-7"), "name": "Ana"}
    door, django = await _both({"identity": identity}, headers=[])
    assert door["status"] == django["status"] == 200
    assert _headers(door) == _headers(django)
    assert json.loads(door["body"])["visitor"] == json.loads(django["body"])["visitor"] | {
        "id": json.loads(door["body"])["visitor"]["id"]
    }
    assert json.loads(door["body"])["visitor"]["verified"] is True

    door, django = await _both({}, host=b"evil.example", headers=[])
    assert door["status"] == django["status"] == 400
    assert door["body"] == django["body"]


@pytest.mark.django_db
def test_the_language_is_turned_off_after_the_answer() -> None:
    # The door answers on a database thread that serves sockets next.
    scope = {
        "type": "http",
        "method": "POST",
        "path": session_door.PATH,
        "query_string": b"",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"application/json"),
            (b"accept-language", b"zh-hans"),
        ],
    }
    response = session_door._answer(scope=scope, body=b"{}")
    assert response["Content-Language"] == "zh-hans"
    assert translation.get_language() == settings.LANGUAGE_CODE
