"""Smoke test of the embedded default: SQLite, in-memory layer, eager Celery, one process."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
import websockets

from tests.procs import ROOT, daphne, daphne_process, embedded_env

pytestmark = pytest.mark.embedded


def manage(env: dict[str, str], *command: str, stderr: list[str] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    if stderr is not None:
        stderr.append(done.stderr)
    return done.stdout


def test_embedded_default_serves_storefront_and_chat(tmp_path) -> None:
    env = embedded_env(tmp_path)
    manage(env, "migrate", "--noinput")
    warnings: list[str] = []
    manage(env, "demo_data", stderr=warnings)
    # A first run says nothing alarming (kombu warned of a broker host the eager tasks lacked).
    assert "No hostname" not in warnings[0], warnings[0][-2000:]
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


STALE_CONNECTION = """
import datetime as dt
from django.contrib.auth.models import User
from django.utils import timezone
from chat.models import AgentConnection
AgentConnection.objects.create(
    user=User.objects.order_by("pk").first(),
    channel_name="stopped-beating",
    last_beat_at=timezone.now() - dt.timedelta(hours=1),
)
"""
COUNT_CONNECTIONS = (
    "from chat.models import AgentConnection; print(AgentConnection.objects.count())"
)


def test_embedded_default_runs_its_periodic_jobs_logs_once_and_has_a_favicon(tmp_path) -> None:
    """``make run`` has no celery beat: the serving process runs the periodic jobs itself.

    A workspace connection that stopped beating an hour ago is what the presence sweep (every
    30 s) removes; without the in-process beat it stays forever.
    """
    env = embedded_env(tmp_path)
    manage(env, "migrate", "--noinput")
    manage(env, "demo_data")
    manage(env, "shell", "-c", STALE_CONNECTION)
    assert manage(env, "shell", "-c", COUNT_CONNECTIONS).split()[-1] == "1"
    log = tmp_path / "server.log"
    with daphne_process(env, log_path=log) as (base, _pid):
        with urllib.request.urlopen(base + "/favicon.ico") as response:
            assert response.status == 200
            assert response.headers["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
            assert response.read(4) == b"\x00\x00\x01\x00"  # an ICO file
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(base + "/no-such-page-here")
        assert missing.value.code == 404
        deadline = time.monotonic() + 120
        while manage(env, "shell", "-c", COUNT_CONNECTIONS).split()[-1] != "0":
            assert time.monotonic() < deadline, "the presence sweep never ran"
            time.sleep(5)
        text = log.read_text(errors="replace")
    assert text.count("embedded default: ") == 1, text[-3000:]
    assert text.count("Not Found: /no-such-page-here") == 1, text[-3000:]
