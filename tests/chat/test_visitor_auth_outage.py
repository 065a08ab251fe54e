"""A shopper's ``auth`` meets the database going away after its token was read: the socket
is told ``unavailable`` and closed 1013 (come back later, token kept), like an outage met
on the token's own read — not an exception out of the consumer, a 1011 close and a
traceback (seen in the issue's soak, when the circuit opened between the two reads)."""

from __future__ import annotations

import logging
from typing import Any

import psycopg
import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import OperationalError

from chat.consumers import visitor as visitor_consumer
from tests.factories import make_visitor, visitor_token
from tests.procs import free_port
from tests.sockets import ORIGIN

pytestmark = [pytest.mark.django_db(transaction=True)]


async def test_an_outage_after_the_tokens_read_closes_try_later(
    monkeypatch: Any, circuit: Any, caplog: Any
) -> None:
    from helpdesk.asgi import application

    visitor = await database_sync_to_async(make_visitor)()
    token = await database_sync_to_async(visitor_token)(visitor)

    def current_with_postgres_gone(**kwargs: Any) -> Any:
        # What the read meets once PostgreSQL is gone: a connection that cannot be made.
        try:
            psycopg.connect(f"host=127.0.0.1 port={free_port()} dbname=x connect_timeout=2")
        except psycopg.OperationalError as exc:
            raise OperationalError("connection failed") from exc
        raise AssertionError("connected to nothing")

    monkeypatch.setattr(visitor_consumer, "_current", current_with_postgres_gone)
    comm = WebsocketCommunicator(application, "/ws/visitor/", headers=[ORIGIN])
    connected, _ = await comm.connect()
    assert connected
    with caplog.at_level(logging.ERROR):
        await comm.send_json_to({"type": "auth", "token": token})
        frame = await comm.receive_json_from(timeout=5)
        assert frame["type"] == "error" and frame["code"] == "unavailable", frame
        closed = await comm.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 1013}
    assert not [r for r in caplog.records if r.exc_info], caplog.text
    await comm.wait(5)
