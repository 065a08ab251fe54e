"""Smoke test of the embedded default: SQLite, in-memory layer, eager Celery, one process."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import urllib.request

import pytest
import websockets

from tests.procs import ROOT, daphne, embedded_env

pytestmark = pytest.mark.embedded


def test_embedded_default_serves_storefront_and_chat(tmp_path) -> None:
    env = embedded_env(tmp_path)
    for command in (["migrate", "--noinput"], ["demo_data"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    with daphne(env) as base:
        with urllib.request.urlopen(base + "/") as response:
            assert response.status == 200
        request = urllib.request.Request(
            base + "/api/widget/session",
            data=json.dumps({}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request) as response:
            token = json.loads(response.read())["visitor_token"]

        async def chat() -> dict:
            uri = base.replace("http", "ws") + "/ws/visitor/"
            async with websockets.connect(uri, origin=base) as ws:
                await ws.send(json.dumps({"type": "auth", "token": token}))
                assert json.loads(await ws.recv())["type"] == "ready"
                await ws.send(json.dumps({"type": "message.send", "client_id": "c1", "body": "hi"}))
                while True:
                    frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
                    if frame["type"] == "message.ack":
                        return frame

        ack = asyncio.run(chat())
        assert ack["message"]["seq"] == 1
