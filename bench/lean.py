"""A lean WebSocket client for many idle visitor sockets: what the widget does on a page view
(``POST /api/widget/session``, open ``/ws/visitor/``, send ``auth``, wait for ``ready``), then
nothing but answering the server's pings.

Written on raw asyncio streams so that 10,000 sockets cost the load generator little CPU and
memory next to the server it measures (the full ``websockets`` client keeps a task, a queue
and buffers per socket). It offers ``permessage-deflate`` as browsers do; the server decides.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import struct
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

OP_TEXT, OP_CLOSE, OP_PING, OP_PONG = 0x1, 0x8, 0x9, 0xA


def encode_frame(opcode: int, payload: bytes) -> bytes:
    """A masked client frame (RFC 6455 5.2)."""
    mask = os.urandom(4)
    length = len(payload)
    if length < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
    elif length < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + mask + masked


async def read_frame(reader: asyncio.StreamReader) -> tuple[int, bool, bytes]:
    """(opcode, compressed, payload) of the next unmasked server frame (no fragmentation)."""
    b1, b2 = await reader.readexactly(2)
    length = b2 & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", await reader.readexactly(2))
    elif length == 127:
        (length,) = struct.unpack("!Q", await reader.readexactly(8))
    return b1 & 0x0F, bool(b1 & 0x40), await reader.readexactly(length)


async def http_json(
    host: str, port: int, path: str, body: dict[str, Any], headers: str = ""
) -> dict[str, Any]:
    """One ``POST`` with a JSON body on a fresh connection, as a new browser would; a 204
    answers ``{}``."""
    reader, writer = await asyncio.open_connection(host, port)
    data = json.dumps(body).encode()
    writer.write(
        (
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\nConnection: close\r\n{headers}\r\n"
        ).encode()
        + data
    )
    try:
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = None
        chunked = False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
            elif name.strip().lower() == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        if chunked:
            payload = b""
            while True:
                size = int((await reader.readline()).strip(), 16)
                if size == 0:
                    break
                payload += await reader.readexactly(size)
                await reader.readline()
        elif length is not None:
            payload = await reader.readexactly(length)
        else:
            payload = await reader.read()
        if status == 204:
            return {}
        if status != 200:
            raise RuntimeError(f"POST {path}: {status} {payload[:200]!r}")
        return dict(json.loads(payload))
    finally:
        writer.close()


@dataclass
class IdleStats:
    opened: int = 0
    failed: int = 0
    closed_by_server: int = 0
    pings: int = 0
    frames: int = 0
    open_seconds: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    # The first failure of each kind, as said (a status and body, an unexpected frame).
    error_samples: dict[str, str] = field(default_factory=dict)


class IdleVisitor:
    """One page view's socket, left open and idle."""

    def __init__(self, stats: IdleStats) -> None:
        self.stats = stats
        self.writer: asyncio.StreamWriter | None = None
        self.task: asyncio.Task[None] | None = None
        self.inflate: Any = None

    async def open(self, host: str, port: int, origin: str) -> None:
        t0 = time.monotonic()
        session = await http_json(
            host, port, "/api/widget/session", {"page": {"url": origin + "/", "title": "bench"}}
        )
        reader, writer = await asyncio.open_connection(host, port)
        self.writer = writer
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            (
                f"GET /ws/visitor/ HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                f"Sec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n"
                "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
            ).encode()
        )
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 101"):
            raise RuntimeError(f"upgrade refused: {head[:100]!r}")
        if b"permessage-deflate" in head.lower():
            self.inflate = zlib.decompressobj(-15)
        writer.write(
            encode_frame(
                OP_TEXT, json.dumps({"type": "auth", "token": session["visitor_token"]}).encode()
            )
        )
        while True:
            opcode, _compressed, payload = await self._next(reader)
            if opcode == OP_TEXT:
                frame = json.loads(payload)
                if frame.get("type") != "ready":
                    raise RuntimeError(f"expected ready, got {frame}")
                break
        self.stats.opened += 1
        self.stats.open_seconds.append(time.monotonic() - t0)
        self.task = asyncio.create_task(self._idle(reader))

    async def _next(self, reader: asyncio.StreamReader) -> tuple[int, bool, bytes]:
        opcode, compressed, payload = await read_frame(reader)
        if compressed and self.inflate is not None:
            payload = self.inflate.decompress(payload + b"\x00\x00\xff\xff")
        if opcode == OP_PING and self.writer is not None:
            self.stats.pings += 1
            self.writer.write(encode_frame(OP_PONG, payload))
        return opcode, compressed, payload

    async def _idle(self, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                opcode, _c, _p = await self._next(reader)
                self.stats.frames += 1
                if opcode == OP_CLOSE:
                    self.stats.closed_by_server += 1
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            self.stats.closed_by_server += 1

    def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
        if self.writer is not None:
            self.writer.close()


async def page_view_http(host: str, port: int, origin: str) -> None:
    """A page view without a socket: the session ``POST`` and the page report the widget sends
    over HTTP (``/api/widget/events``, what keeps the agents' "now viewing" live)."""
    page = {"url": origin + "/p/linen-shirt/", "title": "bench"}
    session = await http_json(host, port, "/api/widget/session", {"page": page})
    await http_json(
        host,
        port,
        "/api/widget/events",
        {"kind": "page_view", **page},
        headers=f"Authorization: Visitor {session['visitor_token']}\r\n",
    )


async def page_views(base: str, count: int, *, concurrency: int = 64) -> tuple[int, int, float]:
    """``count`` socket-less page views; returns (done, failed, seconds)."""
    host, port_text = base.split("://", 1)[1].rsplit(":", 1)
    gate = asyncio.Semaphore(concurrency)
    done = failed = 0

    async def one() -> None:
        nonlocal done, failed
        async with gate:
            try:
                await asyncio.wait_for(page_view_http(host, int(port_text), base), 60)
                done += 1
            except Exception:
                failed += 1

    t0 = time.monotonic()
    await asyncio.gather(*(one() for _ in range(count)))
    return done, failed, time.monotonic() - t0


async def open_many(
    base: str, count: int, stats: IdleStats, *, concurrency: int = 64
) -> tuple[list[IdleVisitor], float]:
    """Open ``count`` idle visitor sockets, ``concurrency`` at a time; returns them and the
    seconds it took."""
    host_port = base.split("://", 1)[1]
    host, port_text = host_port.rsplit(":", 1)
    port = int(port_text)
    sockets: list[IdleVisitor] = []
    gate = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with gate:
            visitor = IdleVisitor(stats)
            try:
                await asyncio.wait_for(visitor.open(host, port, base), 60)
            except Exception as exc:
                stats.failed += 1
                name = type(exc).__name__
                stats.errors[name] = stats.errors.get(name, 0) + 1
                stats.error_samples.setdefault(name, str(exc)[:160])
                visitor.close()
                return
            sockets.append(visitor)

    t0 = time.monotonic()
    await asyncio.gather(*(one() for _ in range(count)))
    return sockets, time.monotonic() - t0
