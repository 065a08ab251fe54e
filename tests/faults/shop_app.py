"""The shop's app behind an API channel's webhook, for the scenarios that send to it
(tests/faults/test_worker_kill.py, tests/faults/test_pending_recovery.py)."""

from __future__ import annotations

import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.procs import ROOT, free_port

from .clients import post_json
from .stack import Stack


class ShopApp:
    """The shop's app behind the API channel's webhook (a real local HTTP server). It does
    what docs/channels.md asks of an app: it acts on an event id once, however often the desk
    posts it. ``hold`` keeps the next post whose body contains a marker open, unanswered,
    until released: the worker that sent it is then killed mid-send."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, str]] = []  # (event id, body) of every post received
        self.effects: dict[str, str] = {}  # event id -> body: what the app acted on, once
        self.hold_marker = ""
        self.held = threading.Event()
        self.release = threading.Event()
        app = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                event_id = self.headers.get("X-Helpdesk-Event-Id", "")
                app.posts.append((event_id, body))
                if app.hold_marker and app.hold_marker in body and not app.held.is_set():
                    app.held.set()
                    app.release.wait(60)
                    return  # the connection's worker is dead by now: no answer
                app.effects.setdefault(event_id, body)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def with_marker(self, marker: str) -> list[tuple[str, str]]:
        return [(event_id, body) for event_id, body in self.posts if marker in body]

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


SETUP = """
from chat.models import Channel
from inboxes.api.tokens import token_issue, webhook_secret_issue
channel = Channel.objects.create(name="Shop app", kind="api")
webhook_secret_issue(channel, {url!r})
print(token_issue(channel))
"""


def app_conversation(world: Stack, app: ShopApp, *, message_id: str, user: str) -> int:
    """An API channel posting to ``app``, made in ``world``'s database, and the conversation
    its shopper's first message (``message_id`` from ``user``, through the channel's REST API
    on the first server) opens: that conversation's id."""
    token = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SETUP.format(url=app.url)],
        cwd=ROOT, env=world.env(), check=True, capture_output=True, text=True,
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    status, created = post_json(
        world.bases[0] + "/api/v1/channel/messages",
        {"message_id": message_id, "contact": {"id": user}, "body": "Where is my order?"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert status == 201, created
    return int(created["message"]["conversation"])
