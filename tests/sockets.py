"""Sockets for tests: the shopper's and the agent's WebSocket, opened the way the widget and
the workspace open them (docs/protocol.md).

Two transports, the same steps:

- in process, through Channels' ``WebsocketCommunicator`` on the real ASGI router and the
  test run's Redis layer: ``visitor_socket``, ``agent_socket``, ``receive_type``;
- over a real server process (``tests.procs``) with the ``websockets`` client:
  ``open_shopper``, ``open_agent``, ``next_frame`` with the matchers ``of_type`` and
  ``created``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import websockets
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User

Frame = dict[str, Any]

# An origin in ALLOWED_HOSTS: the sockets refuse other origins before they open.
ORIGIN = (b"origin", b"http://127.0.0.1:8000")


# In process (WebsocketCommunicator).


async def session_cookie(user: User) -> tuple[bytes, bytes]:
    """The ``cookie`` header of a browser in which ``user`` signed in."""
    from django.test import Client

    client = Client()
    await sync_to_async(client.force_login)(user)
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


async def visitor_socket(token: str) -> WebsocketCommunicator:
    """A shopper's socket, authenticated with ``token``; its ``ready`` frame is read."""
    from helpdesk.asgi import application

    comm = WebsocketCommunicator(application, "/ws/visitor/", headers=[ORIGIN])
    connected, _ = await comm.connect()
    assert connected
    await comm.send_json_to({"type": "auth", "token": token})
    ready = await comm.receive_json_from(timeout=5)
    assert ready["type"] == "ready", ready
    return comm


async def agent_socket(user: User) -> WebsocketCommunicator:
    """A signed-in agent's socket; its ``ready`` frame is read."""
    from helpdesk.asgi import application

    comm = WebsocketCommunicator(
        application, "/ws/agent/", headers=[ORIGIN, await session_cookie(user)]
    )
    connected, _ = await comm.connect()
    assert connected
    ready = await comm.receive_json_from(timeout=5)
    assert ready["type"] == "ready", ready
    return comm


async def receive_type(comm: WebsocketCommunicator, kind: str, timeout: float = 5) -> Frame:
    """Next frame of ``kind``, skipping list updates and receipts."""
    for _ in range(50):
        frame = await comm.receive_json_from(timeout=timeout)
        if frame["type"] == kind:
            return dict(frame)
    raise AssertionError(f"no {kind} frame")


# Over a real server (websockets).


def ws_url(base: str, path: str) -> str:
    return base.replace("http://", "ws://") + path


async def next_frame(ws: Any, match: Callable[[Frame], bool], timeout: float = 10) -> Frame:
    """The next frame that ``match``es; other frames (list updates, receipts, presence) are
    skipped."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise AssertionError("no matching frame arrived")
        frame = json.loads(await asyncio.wait_for(ws.recv(), remaining))
        if match(frame):
            return dict(frame)


def created(body: str) -> Callable[[Frame], bool]:
    return lambda f: f["type"] == "message.created" and f["message"]["body"] == body


def of_type(kind: str) -> Callable[[Frame], bool]:
    return lambda f: f["type"] == kind


async def open_shopper(base: str, token: str) -> Any:
    """A shopper's socket on the server at ``base``, authenticated; ``ready`` is read."""
    ws = await websockets.connect(ws_url(base, "/ws/visitor/"), origin=websockets.Origin(base))
    await ws.send(json.dumps({"type": "auth", "token": token}))
    await next_frame(ws, of_type("ready"))
    return ws


async def open_agent(base: str, session: str) -> Any:
    """An agent's socket on the server at ``base`` with the session id of a login there."""
    ws = await websockets.connect(
        ws_url(base, "/ws/agent/"),
        origin=websockets.Origin(base),
        additional_headers={"Cookie": f"sessionid={session}"},
    )
    await next_frame(ws, of_type("ready"))
    return ws
