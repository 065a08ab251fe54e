"""The providers' HTTP session: connections reused across sends and threads, the proxy
environment honoured, ``.netrc`` never sent to a provider."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from inboxes import http
from tests.procs import free_port


@pytest.fixture
def server() -> Iterator[tuple[str, set[int], list[str | None]]]:
    peers: set[int] = set()
    auth: list[str | None] = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            time.sleep(0.02)  # a slow provider: every thread's post is in flight at once
            with lock:
                peers.add(self.client_address[1])
                auth.append(self.headers.get("Authorization"))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *a: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/hook", peers, auth
    finally:
        httpd.shutdown()


def test_wechat_clients_share_one_connection(server, monkeypatch) -> None:
    """A client is made per send; each used to open its own session (a new connection)."""
    from chat.models import Channel
    from inboxes.wechat.client import wechat_client

    url, peers, _auth = server
    monkeypatch.setattr(http, "_session", None)
    channel = Channel(kind="wechat", config={"appid": "wx1", "secret": "s", "token": "t"})
    for _ in range(20):
        assert wechat_client(channel)._http.post(url, data=b"{}", timeout=5).status_code == 200
    assert len(peers) == 1


def test_the_environment_is_read_once_and_netrc_never_used(server, monkeypatch, tmp_path) -> None:
    url, _peers, auth = server
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login shop password secret\n")
    monkeypatch.setenv("NETRC", str(netrc))
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(http, "_session", None)
    session = http.provider_session()
    assert session.trust_env is False
    assert session.post(url, data=b"{}", timeout=5).status_code == 200
    assert auth == [None]


def test_a_configured_proxy_keeps_requests_own_handling(monkeypatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", "graph.facebook.com")
    monkeypatch.setattr(http, "_session", None)
    session = http.provider_session()
    assert session.trust_env is True
    settings = session.merge_environment_settings(
        "https://api.weixin.qq.com/cgi-bin/x", {}, None, None, None
    )
    assert settings["proxies"].get("https") == "http://proxy.internal:3128"
    bypass = session.merge_environment_settings(
        "https://graph.facebook.com/v21.0/x", {}, None, None, None
    )
    assert not bypass["proxies"].get("https")
    monkeypatch.setattr(http, "_session", None)
