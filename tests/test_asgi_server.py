"""The contract's socket rules hold on the real servers, not only through Channels' test
communicator: the production server (docs/deployment.md) and Daphne (``runserver``).

Each server runs as a process on the test database: the ``Origin`` check refuses a foreign
page before the handshake completes, a frame over 64 KiB is answered with ``too_large`` and
the socket stays open, a frame past the server's own limit closes the socket (1009) rather
than growing memory, and the close codes are the contract's (4401, 4403).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import websockets
from django.contrib.auth import get_user_model

from bench.server import login, widget_session
from tests.factories import make_agent
from tests.procs import (
    MAX_WS_MESSAGE,
    PRODUCTION_SERVER,
    ROOT,
    UVICORN_FLAGS,
    asgi_process,
    server_env,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

LIMIT = 64 * 1024


@pytest.fixture(scope="module", params=[PRODUCTION_SERVER, "daphne"])
def served_by(request: Any, django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
    from django.db import connection

    with django_db_blocker.unblock():
        db_name = connection.settings_dict["NAME"]
    with asgi_process(server_env(db_name), server=request.param, timeout=60) as (base, _pid):
        yield base, request.param


@pytest.fixture
def served(served_by: tuple[str, str]) -> str:
    return served_by[0]


@pytest.fixture(autouse=True)
def _server_settled() -> Iterator[None]:
    """After a test, wait until the server's work on the closed sockets (presence on an agent's
    disconnect) has committed: the flush that follows truncates every table and would
    deadlock with it."""
    yield
    from django.db import connection

    time.sleep(0.3)
    for _ in range(100):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND state NOT IN ('idle')"
            )
            if cursor.fetchone()[0] == 0:
                return
        time.sleep(0.1)


def ws_url(base: str, path: str) -> str:
    return base.replace("http://", "ws://") + path


async def connect(base: str, path: str, *, origin: str | None = None, **kw: Any) -> Any:
    return await websockets.connect(
        ws_url(base, path),
        origin=websockets.Origin(origin or base),
        max_size=None,
        ping_interval=None,
        open_timeout=20,
        **kw,
    )


async def recv(ws: Any, timeout: float = 15) -> dict[str, Any]:
    return dict(json.loads(await asyncio.wait_for(ws.recv(), timeout)))


async def closed_with(ws: Any, timeout: float = 15) -> int | None:
    try:
        while True:
            await asyncio.wait_for(ws.recv(), timeout)
    except websockets.ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


def test_foreign_origin_is_refused_before_the_socket_opens(served: str) -> None:
    async def scenario() -> None:
        for path in ("/ws/visitor/", "/ws/agent/"):
            with pytest.raises(websockets.InvalidStatus) as refused:
                await connect(served, path, origin="https://evil.example")
            assert refused.value.response.status_code == 403

    asyncio.run(scenario())


def test_frame_size_limits(served_by: tuple[str, str]) -> None:
    served, server = served_by
    token = widget_session(served)

    async def scenario() -> None:
        ws = await connect(served, "/ws/visitor/")
        try:
            await ws.send(json.dumps({"type": "auth", "token": token}))
            assert (await recv(ws))["type"] == "ready"
            # Over the contract's 64 KiB: an error frame, and the socket stays usable.
            big = json.dumps({"type": "message.send", "client_id": "c1", "body": "x" * LIMIT})
            assert len(big.encode()) > LIMIT
            await ws.send(big)
            error = await recv(ws)
            assert error["type"] == "error" and error["code"] == "too_large"
            await ws.send(json.dumps({"type": "ping"}))
            assert (await recv(ws))["type"] == "pong"
            # Just under it: accepted and stored.
            body = "y" * 9000
            await ws.send(json.dumps({"type": "message.send", "client_id": "c2", "body": body}))
            ack = await recv(ws)
            assert ack["type"] == "message.ack" and ack["message"]["body"] == body
        finally:
            await ws.close()

        # Past the server's own message limit the server closes (1009) instead of buffering;
        # Daphne (autobahn) drops the connection without a close frame.
        ws = await connect(served, "/ws/visitor/")
        await ws.send(json.dumps({"type": "auth", "token": token}))
        assert (await recv(ws))["type"] == "ready"
        await ws.send("z" * (MAX_WS_MESSAGE + 1))
        code = await closed_with(ws)
        assert code == 1009 or (server == "daphne" and code is None)

    asyncio.run(scenario())


def test_close_codes(served: str) -> None:
    make_agent("srv-agent")
    get_user_model().objects.create_user(username="srv-plain", password="pw-srv-plain")
    agent_session = login(served, "srv-agent", "pw-srv-agent")
    plain_session = login(served, "srv-plain", "pw-srv-plain")

    async def scenario() -> None:
        # A visitor whose first frame is not a valid auth: 4401.
        ws = await connect(served, "/ws/visitor/")
        await ws.send(json.dumps({"type": "auth", "token": "forged"}))
        assert await closed_with(ws) == 4401
        ws = await connect(served, "/ws/visitor/")
        await ws.send(json.dumps({"type": "ping"}))
        assert await closed_with(ws) == 4401
        # The workspace socket: no session 4401, a user who is no agent 4403, an agent ready.
        ws = await connect(served, "/ws/agent/")
        assert await closed_with(ws) == 4401
        ws = await connect(
            served, "/ws/agent/", additional_headers={"Cookie": f"sessionid={plain_session}"}
        )
        assert await closed_with(ws) == 4403
        ws = await connect(
            served, "/ws/agent/", additional_headers={"Cookie": f"sessionid={agent_session}"}
        )
        assert (await recv(ws))["type"] == "ready"
        await ws.close()

    asyncio.run(scenario())


@pytest.mark.parametrize("doc", ["README.md", "docs/deployment.md"])
def test_the_documented_production_command_is_the_tested_one(doc: str) -> None:
    """The docs' uvicorn command carries every flag these tests run it with."""
    text = (ROOT / doc).read_text()
    start = text.index("uvicorn helpdesk.asgi:application")
    command = " ".join(
        line.strip().rstrip("\\").split("#")[0] for line in text[start:].split("\n")[:4]
    ).split()
    joined = " ".join(command)
    for i, flag in enumerate(UVICORN_FLAGS):
        if not flag.startswith("--"):
            continue
        value = UVICORN_FLAGS[i + 1] if i + 1 < len(UVICORN_FLAGS) else "--"
        wanted = flag if value.startswith("--") else f"{flag} {value}"
        assert wanted in joined, f"{doc}: {wanted}"
    assert "--proxy-headers" in command, doc
