"""Clients that follow CONTRACT.md the way a good client does, for the fault suite.

A ``Shopper`` keeps an outbox (resent with the same ``client_id`` until acked or refused for
good), resumes from its last seq after every reconnect, fetches a seq gap, and heals when the
server asks it to (``resync``, docs/protocol.md). It records what a fault suite reports: every
acked message, every seq it holds, duplicates, and when each message reached it.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.cookiejar
import json
import random
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from tests.procs import ROOT

# Refusals a client must not resend: the message can never be stored.
FINAL = {"bad_request", "forbidden", "not_found", "too_large"}


def post_json(
    url: str, body: dict[str, Any], timeout: float = 10, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw)
        except ValueError:
            return exc.code, {"raw": raw[:200].decode(errors="replace")}


async def widget_session(base: str, attempts: int = 60) -> str:
    """A new shopper's token (retried while the desk answers 503)."""
    for _ in range(attempts):
        status, data = await asyncio.to_thread(post_json, base + "/api/widget/session", {})
        if status == 200:
            return str(data["visitor_token"])
        await asyncio.sleep(0.5)
    raise AssertionError(f"no widget session from {base}: {status} {data}")


def agent_cookie(
    base: str, env: dict[str, str], username: str, *, supervisor: bool = False,
    capacity: int | None = None,
) -> str:  # fmt: skip
    """Create an agent (``manage.py create_agent``) and log in through the real login form,
    CSRF and all: the session and CSRF cookies a workspace socket (or REST call) sends."""
    subprocess.run(
        [sys.executable, "manage.py", "create_agent", username, "--password", "pw-123456!",
         *(["--supervisor"] if supervisor else []),
         *(["--capacity", str(capacity)] if capacity is not None else [])],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )  # fmt: skip
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/accounts/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "no CSRF token on the login page"
    form = urllib.parse.urlencode(
        {"username": username, "password": "pw-123456!", "csrfmiddlewaretoken": token[1]}
    ).encode()
    request = urllib.request.Request(
        base + "/accounts/login/", data=form, headers={"Referer": base}
    )
    opener.open(request, timeout=30).read()
    cookies = {c.name: c.value for c in jar}
    assert "sessionid" in cookies, cookies.keys()
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


@dataclass
class Stats:
    acked: dict[str, dict[str, Any]] = field(default_factory=dict)  # client_id -> message
    errors: list[dict[str, Any]] = field(default_factory=list)
    closes: list[int] = field(default_factory=list)
    seen: dict[int, float] = field(default_factory=dict)  # seq -> when it first arrived
    # A seq received a second time (live after a resume replayed it): allowed by the contract
    # (a client drops a seq it has); duplicates that matter are stored ones, counted in SQL.
    duplicates_live: int = 0
    resyncs: int = 0
    resync_at: list[float] = field(default_factory=list)
    sent_at: dict[str, float] = field(default_factory=dict)  # client_id -> first send
    acked_at: dict[str, float] = field(default_factory=dict)
    answered_at: dict[str, float] = field(default_factory=dict)  # first ack or error
    ready_at: list[float] = field(default_factory=list)
    resumed_at: list[float] = field(default_factory=list)
    # Each connection attempt: (started, answered, "ready" / "error:unavailable" /
    # "closed:1013" / "http:500" / "refused").
    handshakes: list[tuple[float, float, str]] = field(default_factory=list)


class Shopper:
    """One shopper: a socket to one of ``bases`` at a time, an outbox, the seqs it holds."""

    def __init__(self, bases: list[str], token: str, name: str) -> None:
        self.bases = bases
        self.token = token
        self.name = name
        self.base_index = random.randrange(len(bases))
        self.ws: ClientConnection | None = None
        self.conversation: int | None = None
        self.outbox: dict[str, str] = {}  # client_id -> body, until acked or refused
        self.stats = Stats()
        self.last_seq = 0
        self.connected = asyncio.Event()
        self.stopping = False
        self._acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._task: asyncio.Task[None] | None = None
        self._counter = 0

    # --- life cycle ------------------------------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        self.stopping = True
        if self.ws is not None:
            await self.ws.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    # The socket's path and what it sends first; an agent's socket overrides them.
    path = "/ws/visitor/"

    def _headers(self, base: str) -> dict[str, str]:
        return {"Origin": base}

    def _auth_frame(self) -> dict[str, Any] | None:
        return {"type": "auth", "token": self.token}

    def _on_ready(self, ready: dict[str, Any]) -> None:
        if ready.get("conversation"):
            self.conversation = ready["conversation"]["id"]

    async def _run(self) -> None:
        delay = 0.2
        while not self.stopping:
            base = self.bases[self.base_index % len(self.bases)]
            attempt = time.monotonic()
            outcome = "refused"
            try:
                async with connect(
                    base.replace("http", "ws", 1) + self.path,
                    additional_headers=self._headers(base),
                    open_timeout=10,
                    ping_interval=None,
                    max_size=2**22,
                ) as ws:
                    first = self._auth_frame()
                    if first is not None:
                        # A server that refuses at once may close before the frame goes out;
                        # what it said first is still read below.
                        with contextlib.suppress(ConnectionClosed):
                            await ws.send(json.dumps(first))
                    ready = json.loads(await asyncio.wait_for(ws.recv(), 15))
                    if ready.get("type") != "ready":
                        outcome = f"{ready.get('type')}:{ready.get('code')}"
                        try:  # the close that follows (1013: try again later)
                            await asyncio.wait_for(ws.recv(), 5)
                        except ConnectionClosed as closed:
                            code = closed.rcvd.code if closed.rcvd is not None else "none"
                            outcome += f"/closed:{code}"
                        except TimeoutError:
                            outcome += "/open"
                        self.stats.handshakes.append((attempt, time.monotonic(), outcome))
                        outcome = ""
                        raise ConnectionError(f"not ready: {ready}")
                    self.stats.handshakes.append((attempt, time.monotonic(), "ready"))
                    outcome = ""
                    self.ws = ws
                    self.stats.ready_at.append(time.monotonic())
                    delay = 0.2
                    self._on_ready(ready)
                    await self._heal()
                    self.connected.set()
                    for client_id, body in list(self.outbox.items()):
                        await self._send_frame(client_id, body)
                    async for raw in ws:
                        await self._on_frame(json.loads(raw))
                    self.stats.closes.append(ws.close_code or 0)
            except (OSError, ConnectionClosed, InvalidHandshake, InvalidStatus, TimeoutError,
                    ConnectionError) as exc:  # fmt: skip
                if isinstance(exc, ConnectionClosed) and exc.rcvd is not None:
                    self.stats.closes.append(exc.rcvd.code)
                if isinstance(exc, InvalidStatus):
                    outcome = f"http:{exc.response.status_code}"
                elif isinstance(exc, ConnectionClosed):
                    outcome = f"closed:{exc.rcvd.code if exc.rcvd is not None else 'none'}"
                if outcome:
                    self.stats.handshakes.append((attempt, time.monotonic(), outcome))
            finally:
                self.ws = None
                self.connected.clear()
            if self.stopping:
                return
            # Reconnect, on the other process when this one is gone.
            self.base_index += 1
            await asyncio.sleep(delay + random.random() * 0.2)
            delay = min(delay * 2, 2.0)

    async def _heal(self) -> None:
        if self.conversation is not None and self.ws is not None:
            await self.ws.send(
                json.dumps(
                    {
                        "type": "resume",
                        "conversation": self.conversation,
                        "after_seq": self.last_seq,
                    }
                )
            )

    # --- frames ----------------------------------------------------------------------------

    async def _send_frame(self, client_id: str, body: str) -> None:
        if self.ws is None:
            return
        frame: dict[str, Any] = {"type": "message.send", "client_id": client_id, "body": body}
        if self.conversation is not None:
            frame["conversation"] = self.conversation
        with contextlib.suppress(ConnectionClosed):
            await self.ws.send(json.dumps(frame))

    def _hold(self, message: dict[str, Any], *, live: bool) -> None:
        seq = int(message["seq"])
        if self.conversation is None:
            self.conversation = int(message["conversation"])
        if seq in self.stats.seen:
            if live:
                self.stats.duplicates_live += 1
            return
        self.stats.seen[seq] = time.monotonic()
        if seq == self.last_seq + 1:
            while self.last_seq + 1 in self.stats.seen:
                self.last_seq += 1

    async def _on_frame(self, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        if kind == "message.ack":
            message = frame["message"]
            client_id = frame["client_id"]
            self.stats.acked[client_id] = message
            self.stats.acked_at.setdefault(client_id, time.monotonic())
            self.stats.answered_at.setdefault(client_id, time.monotonic())
            self.outbox.pop(client_id, None)
            self._hold(message, live=False)
            future = self._acks.pop(client_id, None)
            if future is not None and not future.done():
                future.set_result(message)
        elif kind == "message.created":
            message = frame["message"]
            before = self.last_seq
            self._hold(message, live=True)
            if int(message["seq"]) > before + 1 and self.last_seq == before:
                await self._heal()  # a gap: fetch it
        elif kind == "resume.done":
            last = int(frame.get("last_seq") or 0)
            for seq in range(1, last + 1):
                self.stats.seen.setdefault(seq, time.monotonic())
            self.last_seq = max(self.last_seq, last)
            self.stats.resumed_at.append(time.monotonic())
        elif kind == "resync":
            self.stats.resyncs += 1
            self.stats.resync_at.append(time.monotonic())
            await self._heal()
        elif kind == "heartbeat":
            for item in frame.get("conversations", []):
                if item.get("id") == self.conversation and int(item["last_seq"]) > self.last_seq:
                    await self._heal()
        elif kind == "error":
            self.stats.errors.append(frame)
            client_id = frame.get("client_id")
            if client_id:
                self.stats.answered_at.setdefault(client_id, time.monotonic())
            if client_id and frame.get("code") in FINAL:
                self.outbox.pop(client_id, None)
                future = self._acks.pop(client_id, None)
                if future is not None and not future.done():
                    future.set_exception(AssertionError(f"refused: {frame}"))
            elif client_id in self.outbox:
                # unavailable / rate_limited: resend after a moment, same client_id.
                asyncio.get_running_loop().call_later(
                    0.3 + random.random() * 0.3,
                    lambda: (
                        asyncio.ensure_future(
                            self._send_frame(client_id, self.outbox.get(client_id, ""))
                        )
                        if client_id in self.outbox
                        else None
                    ),
                )
        elif kind == "conversation.created" and self.conversation is None:
            self.conversation = int(frame["conversation"]["id"])

    async def say(self, body: str, *, wait: bool = False, timeout: float = 30) -> str:
        self._counter += 1
        client_id = f"{self.name}-{self._counter}"
        self.outbox[client_id] = body
        self.stats.sent_at[client_id] = time.monotonic()
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._acks[client_id] = future
        await self._send_frame(client_id, body)
        if wait:
            await asyncio.wait_for(future, timeout)
        return client_id

    async def settled(self, timeout: float) -> bool:
        """Every message in the outbox acked within ``timeout``."""
        deadline = time.monotonic() + timeout
        while self.outbox and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        return not self.outbox


class Agent(Shopper):
    """A workspace socket, authenticated by a session cookie, following one conversation: it
    resumes it after every reconnect and replies into it with the same outbox rules."""

    path = "/ws/agent/"

    def __init__(self, bases: list[str], cookie: str, name: str, conversation: int) -> None:
        super().__init__(bases, "", name)
        self.cookie = cookie
        self.conversation = conversation

    def _headers(self, base: str) -> dict[str, str]:
        return {"Origin": base, "Cookie": self.cookie}

    def _auth_frame(self) -> dict[str, Any] | None:
        return None

    def _on_ready(self, ready: dict[str, Any]) -> None:
        pass
