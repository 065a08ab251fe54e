"""An agent socket that stops reading is dropped to "resume"; server memory stays bounded.

On the production server, with a small send queue: a workspace socket reads ``ready`` and then
nothing, while 64 MB of list updates are published to it, three times over. The server must
not buffer them: the socket's queue overflows, the server closes it with 4008 and drops it, its
RSS stops growing after the first round, and the agent reconnects at once (the workspace then resumes
every pane from PostgreSQL).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import struct
import time
from collections.abc import Iterator
from typing import Any

import psutil
import pytest
from channels.layers import get_channel_layer

from bench.server import login
from chat import events
from chat.outbox import CLOSE_TOO_SLOW
from tests.factories import make_agent
from tests.procs import asgi_process, server_env

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

FRAMES = 1000
FRAME_BYTES = 64 * 1024


@pytest.fixture(scope="module")
def server(django_db_setup: Any, django_db_blocker: Any) -> Iterator[tuple[str, int]]:
    from django.db import connection

    with django_db_blocker.unblock():
        env = server_env(connection.settings_dict["NAME"])
    env["HELPDESK_SEND_QUEUE_FRAMES"] = "50"
    env["HELPDESK_SEND_QUEUE_BYTES"] = str(2 * 1024 * 1024)
    env["HELPDESK_SEND_WAIT_SECONDS"] = "2"
    with asgi_process(env, timeout=60) as started:
        yield started


class FrameReader:
    def __init__(self, sock: socket.socket, buffered: bytes) -> None:
        self.sock = sock
        self.buffer = buffered

    def _take(self, n: int) -> bytes:
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def next(self) -> tuple[int, bytes]:
        b1, b2 = self._take(2)
        length = b2 & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", self._take(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", self._take(8))
        return b1 & 0x0F, self._take(length)


def open_raw_agent(base: str, session: str) -> FrameReader:
    """A workspace socket on a raw TCP connection with a tiny receive buffer, read up to
    ``ready`` and then left unread."""
    host, port = base.split("://", 1)[1].split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(20)
    sock.connect((host, int(port)))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET /ws/agent/ HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Origin: {base}\r\nCookie: sessionid={session}\r\n\r\n"
        ).encode()
    )
    buffer = b""
    while b"\r\n\r\n" not in buffer:
        buffer += sock.recv(4096)
    head, rest = buffer.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 101"), head
    reader = FrameReader(sock, rest)
    opcode, payload = reader.next()
    assert opcode == 1 and json.loads(payload)["type"] == "ready"
    return reader


def test_a_socket_that_stops_reading_is_dropped_and_memory_stays_bounded(
    server: tuple[str, int],
) -> None:
    base, pid = server
    agent = make_agent("slow-reader")
    session = login(base, agent.username, "pw-slow-reader")
    filler = "x" * FRAME_BYTES

    async def flood() -> None:
        layer = get_channel_layer()
        for n in range(FRAMES):
            frame = {"type": "conversation.updated", "conversation": {"id": n, "pad": filler}}
            await layer.group_send(
                events.group_agent(agent.pk),
                {"type": events.LAYER_EVENT, "frame": frame, "text": json.dumps(frame)},
            )

    def flood_an_unread_socket() -> tuple[FrameReader, int]:
        reader = open_raw_agent(base, session)
        asyncio.run(flood())
        time.sleep(3)
        return reader, psutil.Process(pid).memory_info().rss

    # Every round publishes 64 MB to a socket that reads nothing. A server that buffered what
    # it cannot send would grow by about that much per round; a bounded one grows in the first
    # round (the allocator's high-water mark of frames passing through the channel layer,
    # 30-120 MB depending on timing) and then stays there.
    published = FRAMES * FRAME_BYTES
    reader, after_first = flood_an_unread_socket()
    reader.sock.close()
    reader, _ = flood_an_unread_socket()
    reader.sock.close()
    reader, after_third = flood_an_unread_socket()
    assert after_third - after_first < published / 2, (after_first, after_third)

    # The reader comes back: what it finds is a short backlog, then the 4008 close (or the
    # connection already dropped).
    received = 0
    close_code = None
    try:
        while True:
            opcode, payload = reader.next()
            if opcode == 8:
                close_code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                break
            received += 1
    except (EOFError, ConnectionError, TimeoutError):
        pass
    reader.sock.close()
    assert received < FRAMES // 4, received
    assert close_code in (CLOSE_TOO_SLOW, None)

    # The agent reconnects at once and the socket works.
    open_raw_agent(base, session).sock.close()
