"""Input refused at the edge (helpdesk/edge.py): text that cannot be stored, JSON too deep or
too large, on sockets, REST, webhooks and query strings; never a 5xx, never a frame the
server cannot encode."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from rest_framework.test import APIClient

from chat.models import Message
from helpdesk import edge
from helpdesk.asgi import application
from helpdesk.errors import BadRequest
from tests.factories import make_agent, make_visitor, visitor_token

DEEP = "[" * 3000 + "]" * 3000
LONE_SURROGATE = '"\\ud800"'  # valid JSON, not valid Unicode


def test_loads_refuses_what_cannot_be_stored() -> None:
    for raw in (DEEP, '{"a": ' + LONE_SURROGATE + "}", '{"a": "x\\u0000"}', "NaN", "[1e999]"):
        with pytest.raises(BadRequest):
            edge.loads(raw)
    with pytest.raises(BadRequest) as info:
        edge.loads('{"ok": 1, "name": {"first": ' + LONE_SURROGATE + "}}")
    assert info.value.fields == {
        "name": ["Not storable: contains a lone surrogate (not valid Unicode)."]
    }
    assert edge.loads('{"a": [1, {"b": "ü"}]}') == {"a": [1, {"b": "ü"}]}
    nested = "[" * edge.MAX_DEPTH + "]" * edge.MAX_DEPTH
    assert edge.loads(nested)
    with pytest.raises(BadRequest):
        edge.loads("[" + nested + "]")


def _json_post(client: Any, path: str, raw: str | bytes, **extra: Any) -> Any:
    return client.generic("POST", path, raw, content_type="application/json", **extra)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "raw",
    [
        DEEP,
        '{"page": {"url": ' + LONE_SURROGATE + "}}",
        '{"page": {"url": "https://shop.test/\\u0000"}}',
        '{"language": NaN}',
    ],
)
def test_widget_session_refuses_hostile_bodies_with_json_400(raw: str) -> None:
    response = _json_post(Client(), "/api/widget/session", raw)
    assert response.status_code == 400, response.content[:200]
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "bad_request"


@pytest.mark.django_db
def test_rest_body_over_the_limit_is_413(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = _json_post(Client(), "/api/widget/session", json.dumps({"x": "a" * 20_000}))
    assert response.status_code == 413 and response.json()["code"] == "too_large"


@pytest.mark.django_db
def test_nul_in_a_query_string_or_path_is_400_not_500() -> None:
    client = Client()
    client.force_login(make_agent())
    for path in ("/api/v1/canned/?q=%00", "/api/v1/conversations/?q=a%00b", "/api/v1/%00/"):
        response = client.get(path)
        assert response.status_code == 400, (path, response.status_code)
        assert response.json()["code"] == "bad_request"


@pytest.mark.django_db
def test_webhooks_bound_their_json_too() -> None:
    client = Client()
    for raw in (DEEP, '{"Subject": ' + LONE_SURROGATE + "}"):
        response = _json_post(client, "/inboxes/email/postmark/inbound/", raw)
        assert response.status_code == 400 and response.json()["code"] == "bad_request"
    # Amazon SNS posts its JSON as text/plain: checked as JSON all the same.
    response = client.generic(
        "POST", "/inboxes/email/amazon_ses/inbound/", DEEP, content_type="text/plain"
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_integration_api_names_the_field_with_unstorable_text() -> None:
    from rest_framework.authtoken.models import Token

    user = make_agent()
    token = Token.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    raw = '{"external_id": "c-1", "name": ' + LONE_SURROGATE + "}"
    response = _json_post(client, "/api/v1/customers", raw)
    assert response.status_code == 400, response.content[:300]
    assert "name" in response.json()["fields"]


ORIGIN = (b"origin", b"http://127.0.0.1:8000")


async def _shopper() -> WebsocketCommunicator:
    token = await sync_to_async(lambda: visitor_token(make_visitor()))()
    comm = WebsocketCommunicator(application, "/ws/visitor/", headers=[ORIGIN])
    connected, _ = await comm.connect()
    assert connected
    await comm.send_json_to({"type": "auth", "token": token})
    assert (await comm.receive_json_from(timeout=20))["type"] == "ready"
    return comm


async def _next_text(comm: WebsocketCommunicator) -> str:
    """The next frame as the server would put it on the wire: UTF-8, or the server fails."""
    text = await comm.receive_from(timeout=20)
    text.encode("utf-8")  # a lone surrogate here closed real sockets with 1011
    return str(text)


@pytest.mark.django_db(transaction=True)
async def test_socket_refuses_unstorable_text_and_never_echoes_it() -> None:
    shopper = await _shopper()
    try:
        # A lone surrogate as client_id: refused, and not echoed (it cannot be encoded).
        await shopper.send_to(
            text_data='{"type": "message.send", "client_id": ' + LONE_SURROGATE + ', "body": "x"}'
        )
        error = json.loads(await _next_text(shopper))
        assert error["type"] == "error" and error["code"] == "bad_request"
        assert "client_id" not in error
        # In the body: bad_request naming the client_id, so the client drops it from its
        # outbox (``unavailable`` would make it resend forever); nothing stored.
        for body in (LONE_SURROGATE, '"a\\u0000b"'):
            await shopper.send_to(
                text_data='{"type": "message.send", "client_id": "c-1", "body": ' + body + "}"
            )
            error = json.loads(await _next_text(shopper))
            assert error == {**error, "type": "error", "code": "bad_request", "client_id": "c-1"}
        await shopper.send_to(text_data='{"type": "ping", "x": ' + DEEP + "}")
        error = json.loads(await _next_text(shopper))
        assert error["code"] == "bad_request"
        await shopper.send_json_to({"type": "ping"})
        assert json.loads(await _next_text(shopper))["type"] == "pong"
        assert await sync_to_async(Message.objects.count)() == 0
    finally:
        await shopper.disconnect()
