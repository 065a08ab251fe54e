"""The load generator's sockets: shoppers that send on an open-loop schedule and agents that
record when each shopper message reaches them."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import websockets

# Bodies carry the scheduled send time, so latency counts from the schedule, not from the
# moment a possibly delayed send happened (no coordinated omission). Seconds and microseconds
# are written apart: the desk masks digit runs of 13 or more as card numbers.


def body_for(client_id: str, sched: float) -> str:
    micros = round(sched * 1_000_000)
    return f"bench {client_id} sched={micros // 1_000_000}s{micros % 1_000_000:06d}us"


def body_sched(body: str) -> float | None:
    marker = body.rfind("sched=")
    if marker < 0 or not body.endswith("us"):
        return None
    try:
        seconds, micros = body[marker + 6 : -2].split("s")
        return int(seconds) + int(micros) / 1_000_000
    except ValueError:
        return None


@dataclass
class Stats:
    """What every socket records, merged into one place."""

    sent: int = 0
    send_lag: list[float] = field(default_factory=list)  # actual send - scheduled
    acked: dict[str, float] = field(default_factory=dict)  # client_id -> ack latency
    delivered: dict[str, float] = field(default_factory=dict)  # client_id -> latency
    duplicates: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    closes: Counter[str] = field(default_factory=Counter)  # close codes seen by clients
    frames: Counter[str] = field(default_factory=Counter)  # agent-side frames by type
    shopper_frames: Counter[str] = field(default_factory=Counter)


async def _connect(url: str, origin: str, headers: dict[str, str] | None = None) -> Any:
    return await websockets.connect(
        url,
        origin=websockets.Origin(origin),
        additional_headers=headers or {},
        max_size=2**22,
        # Daphne pings the clients; a second ping stream from each client is noise.
        ping_interval=None,
        open_timeout=30,
        close_timeout=2,
    )


class Shopper:
    def __init__(self, index: int, token: str, stats: Stats) -> None:
        self.index = index
        self.token = token
        self.stats = stats
        self.conversation: int | None = None
        self.queue: asyncio.Queue[tuple[str, float]] = asyncio.Queue()
        self.ws: Any = None
        self.waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.tasks: list[asyncio.Task[None]] = []

    async def connect(self, ws_base: str, origin: str) -> None:
        self.ws = await _connect(ws_base + "/ws/visitor/", origin)
        await self.ws.send(json.dumps({"type": "auth", "token": self.token}))
        ready = json.loads(await asyncio.wait_for(self.ws.recv(), 30))
        if ready.get("type") != "ready":
            raise RuntimeError(f"shopper {self.index}: {ready}")
        # Read from now on: an unread socket stops answering the server's pings.
        self.tasks.append(asyncio.create_task(self._reader()))

    async def open_conversation(self, client_id: str) -> int:
        """The first message opens the conversation; returns its id."""
        future = asyncio.get_running_loop().create_future()
        self.waiting[client_id] = future
        await self.ws.send(
            json.dumps({"type": "message.send", "client_id": client_id, "body": "hello"})
        )
        frame = await asyncio.wait_for(future, 60)
        if frame.get("type") != "message.ack":
            raise RuntimeError(f"shopper {self.index}: {frame}")
        self.conversation = int(frame["message"]["conversation"])
        return self.conversation

    def start(self) -> None:
        self.tasks.append(asyncio.create_task(self._sender()))

    async def _sender(self) -> None:
        while True:
            client_id, sched = await self.queue.get()
            frame = {
                "type": "message.send",
                "client_id": client_id,
                "conversation": self.conversation,
                "body": body_for(client_id, sched),
            }
            try:
                await self.ws.send(json.dumps(frame))
            except websockets.ConnectionClosed:
                self.stats.errors["shopper_closed"] += 1
                return
            self.stats.sent += 1
            self.stats.send_lag.append(time.time() - sched)

    async def _reader(self) -> None:
        try:
            async for raw in self.ws:
                now = time.time()
                frame = json.loads(raw)
                kind = frame.get("type", "?")
                self.stats.shopper_frames[kind] += 1
                future = self.waiting.pop(str(frame.get("client_id")), None)
                if future is not None and not future.done():
                    future.set_result(frame)
                    continue
                if kind == "message.ack":
                    message = frame["message"]
                    sched = body_sched(message.get("body", ""))
                    if sched is not None and message["client_id"] not in self.stats.acked:
                        self.stats.acked[message["client_id"]] = now - sched
                elif kind == "error":
                    self.stats.errors[f"shopper:{frame.get('code')}"] += 1
        except websockets.ConnectionClosed as closed:
            self.stats.closes[f"shopper:{closed.rcvd.code if closed.rcvd else None}"] += 1

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        if self.ws is not None:
            await self.ws.close()


class Agent:
    def __init__(self, index: int, session: str, prefix: str, stats: Stats) -> None:
        self.index = index
        self.session = session
        self.prefix = prefix
        self.stats = stats
        self.ws: Any = None
        self.pending: set[int] = set()
        self.subscribed = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def connect(self, ws_base: str, origin: str) -> None:
        self.ws = await _connect(
            ws_base + "/ws/agent/", origin, {"Cookie": f"sessionid={self.session}"}
        )
        ready = json.loads(await asyncio.wait_for(self.ws.recv(), 30))
        if ready.get("type") != "ready":
            raise RuntimeError(f"agent {self.index}: {ready}")
        self.task = asyncio.create_task(self._reader())

    async def subscribe(
        self, conversations: dict[int, int], list_view: str | None = None, batch: bool = False
    ) -> None:
        """Watch each conversation with ``resume`` from the seq it has (the answer,
        ``resume.done``, proves the socket joined the conversation's group); with
        ``list_view``, first tell the server what the agent's list shows (``list.watch``, its
        "open" tab); with ``batch`` alone, the whole list ("all", any status) several updates
        to a frame, as the workspace asks."""
        if list_view or batch:
            view, status = (list_view, "open") if list_view else ("all", None)
            await self.ws.send(
                json.dumps(
                    {
                        "type": "list.watch",
                        "view": view,
                        "status": status,
                        "ids": [],
                        "batch": batch,
                    }
                )
            )
        self.pending = set(conversations)
        if not self.pending:
            self.subscribed.set()
            return
        for conversation, last_seq in conversations.items():
            await self.ws.send(
                json.dumps({"type": "resume", "conversation": conversation, "after_seq": last_seq})
            )
        await asyncio.wait_for(self.subscribed.wait(), 60)

    async def _reader(self) -> None:
        stats = self.stats
        try:
            async for raw in self.ws:
                now = time.time()
                frame = json.loads(raw)
                kind = frame.get("type", "?")
                stats.frames[kind] += 1
                if kind == "conversations.updated":
                    stats.frames["(rows of conversations.updated)"] += len(frame["conversations"])
                elif kind == "message.created":
                    message = frame["message"]
                    client_id = message.get("client_id", "")
                    if message["sender"]["kind"] != "visitor" or not client_id.startswith(
                        self.prefix
                    ):
                        continue
                    sched = body_sched(message["body"])
                    if sched is None:
                        continue
                    if client_id in stats.delivered:
                        stats.duplicates += 1
                    else:
                        stats.delivered[client_id] = now - sched
                elif kind == "resume.done":
                    self.pending.discard(int(frame["conversation"]))
                    if not self.pending:
                        self.subscribed.set()
                elif kind == "error":
                    stats.errors[f"agent:{frame.get('code')}"] += 1
        except websockets.ConnectionClosed as closed:
            stats.closes[f"agent:{closed.rcvd.code if closed.rcvd else None}"] += 1

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
        if self.ws is not None:
            await self.ws.close()
