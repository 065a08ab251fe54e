"""Hostile input on both sockets and every public REST endpoint: over 2,000 frames of garbage
(lone surrogates, NUL, deep nesting, wrong types, 70 KiB bodies, binary) and hostile bodies:
no 5xx, no 1011 close, no traceback in the servers' logs, and the sockets stay usable."""

from __future__ import annotations

import asyncio
import json
import random
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest
from websockets.asyncio.client import connect

from .clients import agent_cookie, widget_session
from .stack import Stack, report

pytestmark = [pytest.mark.slow]

FRAMES_PER_SOCKET = 550  # four sockets: 2,200 frames
DEEP = "[" * 3000 + "]" * 3000
SURROGATE = '"\\ud800"'


def hostile_frames(n: int) -> list[str | bytes]:
    shapes: list[str | bytes] = [
        '{"type": "message.send", "client_id": ' + SURROGATE + ', "body": "x"}',
        '{"type": "message.send", "client_id": "h-1", "body": ' + SURROGATE + "}",
        '{"type": "message.send", "client_id": "h-2", "body": "a\\u0000b"}',
        '{"type": ' + SURROGATE + "}",
        '{"\\udfff": 1, "type": "ping"}',
        DEEP,
        '{"type": "ping", "x": ' + DEEP + "}",
        '{"type": "message.send", "client_id": "h-3", "body": "' + "x" * 70_000 + '"}',
        '{"type": "message.send", "client_id": 5, "body": []}',
        '{"type": "message.send", "client_id": "h-4", "body": {"a": 1}, "conversation": "x"}',
        '{"type": "resume", "conversation": [1], "after_seq": "z"}',
        '{"type": "resume", "conversation": 1, "after_seq": -1e999}',
        '{"type": "typing", "conversation": null, "on": "yes"}',
        '{"type": "read", "conversation": 1e308, "seq": NaN}',
        '{"type": "list.watch", "view": "all", "ids": ["x"]}',
        '{"type": "subscribe", "conversation": 99999999999999999999999}',
        "[1, 2, 3]",
        '"just a string"',
        "{",
        "",
        "\x00\x01",
        b"\x00\x01\x02binary",
        '{"type": "message.send", "client_id": "' + "c" * 200 + '", "body": "x"}',
        '{"type": "auth", "token": ' + SURROGATE + "}",
    ]
    return [random.choice(shapes) for _ in range(n)]


def _agent_cookie(world: Stack) -> str:
    return agent_cookie(world.bases[0], world.env(), "hostile-agent")


async def _barrage(url: str, origin: str, first: dict[str, Any] | None, cookie: str | None,
                   frames: list[str | bytes]) -> dict[str, int]:  # fmt: skip
    headers = {"Origin": origin}
    if cookie:
        headers["Cookie"] = cookie
    answers = 0
    async with connect(url, additional_headers=headers, max_size=2**22, ping_interval=None) as ws:
        if first is not None:
            await ws.send(json.dumps(first))
        assert json.loads(await asyncio.wait_for(ws.recv(), 30))["type"] == "ready"

        async def reader() -> None:
            nonlocal answers
            async for _ in ws:
                answers += 1

        task = asyncio.ensure_future(reader())
        for frame in frames:
            await ws.send(frame)
        await asyncio.sleep(3)
        # Still usable: a ping is answered.
        before = answers
        await ws.send(json.dumps({"type": "ping"}))
        for _ in range(300):
            if answers > before:
                break
            await asyncio.sleep(0.1)
        alive = answers > before
        task.cancel()
    return {"answers": answers, "alive": int(alive), "close": ws.close_code or 1000}


def _rest_paths(world: Stack) -> list[str]:
    with urllib.request.urlopen(world.bases[0] + "/api/schema/?format=json", timeout=30) as r:
        schema = json.loads(r.read())
    paths = [
        re.sub(r"\{[^}]+\}", "1", path)
        for path, ops in schema["paths"].items()
        if {"post", "put", "patch"} & set(ops)
    ]
    return sorted(set(paths))


def test_hostile_frames_and_bodies_never_crash_anything(world: Stack) -> None:
    tracebacks_before = sum(world.tracebacks().values())
    cookie = _agent_cookie(world)

    async def run() -> list[dict[str, int]]:
        token = await widget_session(world.bases[0])
        results = []
        for base in world.bases:
            ws_base = base.replace("http", "ws", 1)
            results.append(
                await _barrage(
                    ws_base + "/ws/visitor/",
                    base,
                    {"type": "auth", "token": token},
                    None,
                    hostile_frames(FRAMES_PER_SOCKET),
                )
            )
            results.append(
                await _barrage(
                    ws_base + "/ws/agent/", base, None, cookie, hostile_frames(FRAMES_PER_SOCKET)
                )
            )
        return results

    sockets = asyncio.run(run())
    bodies = [DEEP, '{"a": ' + SURROGATE + "}", '{"a": "\\u0000"}', "{", "[]", "null",
              '{"a": NaN}', json.dumps({"x": "y" * 3_000_000})]  # fmt: skip
    statuses: dict[int, int] = {}
    paths = _rest_paths(world)
    for path in paths:
        for body, query in [*((b, "") for b in bodies), ("{}", "?q=%00")]:
            request = urllib.request.Request(
                world.bases[1] + path + query,
                data=body.encode(),
                headers={"Content-Type": "application/json"},
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    status = response.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            statuses[status] = statuses.get(status, 0) + 1
    tracebacks = sum(world.tracebacks().values()) - tracebacks_before
    report(
        "hostile input",
        frames=FRAMES_PER_SOCKET * len(sockets),
        sockets=sockets,
        rest_paths=len(paths),
        rest_requests=sum(statuses.values()),
        rest_statuses=statuses,
        tracebacks=tracebacks,
    )
    assert all(s["alive"] and s["close"] != 1011 for s in sockets), sockets
    assert not [s for s in statuses if s >= 500], statuses
    assert tracebacks == 0
