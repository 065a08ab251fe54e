"""Real local servers standing in for outside providers: an SMTP server that keeps what it is
sent (aiosmtpd), an IMAP server (Debian's Dovecot, run as its own instance in a temporary
directory), and an HTTP server that records posts and answers as told (a shop's webhook)."""

from __future__ import annotations

import contextlib
import email
import hashlib
import hmac
import html
import itertools
import json
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage, Message
from email.utils import make_msgid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from tests.procs import free_port

if TYPE_CHECKING:
    from django.test import Client

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


class SmtpSink:
    """What the SMTP server received: (envelope from, recipients, parsed message)."""

    def __init__(self) -> None:
        self.mails: list[tuple[str, list[str], Message]] = []
        self.refuse_with: tuple[int, str] | None = None
        self._cond = threading.Condition()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.refuse_with is not None:
            code, text = self.refuse_with
            return f"{code} {text}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        with self._cond:
            self.mails.append((envelope.mail_from, list(envelope.rcpt_tos), message))
            self._cond.notify_all()
        return "250 Message accepted"

    def wait(self, count: int, timeout: float = 20) -> list[Message]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.mails) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} mails, got {len(self.mails)}")
                self._cond.wait(left)
            return [m for _f, _t, m in self.mails]


@contextmanager
def smtp_server() -> Iterator[tuple[str, int, SmtpSink]]:
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield "127.0.0.1", port, sink
    finally:
        controller.stop()


@contextmanager
def imap_server(
    user: str = "desk@shop.test", password: str = "secret"
) -> Iterator[tuple[str, int]]:
    """A real Dovecot IMAP server on a free port, its own instance in a temporary directory.
    Run as root (CI), its login processes use Debian's ``dovenull`` / ``dovecot`` users and
    mail is kept as ``nobody`` (so the directory is world-searchable); run as anyone else,
    everything is that user's."""
    if not os.path.exists(DOVECOT):
        raise RuntimeError("dovecot is not installed (apt-get install dovecot-imapd; .ci/run does)")
    port = free_port()
    base = Path(tempfile.mkdtemp(prefix="helpdesk-dovecot-"))
    os.chmod(base, 0o755)
    (base / "run").mkdir()
    (base / "mail").mkdir()
    me = pwd.getpwuid(os.geteuid()).pw_name
    if os.geteuid() == 0:
        login_user, internal_user, mail_user, mail_group = (
            "dovenull",
            "dovecot",
            "nobody",
            "nogroup",
        )
        shutil.chown(base / "mail", mail_user, mail_group)
    else:
        login_user = internal_user = mail_user = me
        mail_group = pwd.getpwuid(os.geteuid()).pw_name
    (base / "users").write_text(f"{user}:{{PLAIN}}{password}\n")
    conf = base / "dovecot.conf"
    conf.write_text(
        f"""
base_dir = {base}/run
state_dir = {base}/run/state
instance_name = helpdesk-test-{port}
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = {base}/log
first_valid_uid = 1
mail_location = maildir:{base}/mail/%u
default_login_user = {login_user}
default_internal_user = {internal_user}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/users
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_group} home={base}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
"""
    )
    # Dovecot forks into the background: its output goes to a file, never to a pipe that
    # the daemon would hold open (run() would wait for it forever).
    with open(base / "start.log", "wb") as start_log:
        subprocess.run([DOVECOT, "-c", str(conf)], check=True, stdout=start_log, stderr=start_log)
    pid_file = base / "run" / "master.pid"
    try:
        deadline = time.monotonic() + 20
        import imaplib

        while True:
            try:
                with imaplib.IMAP4("127.0.0.1", port, timeout=5) as probe:
                    probe.login(user, password)
                    probe.logout()
                break
            except Exception:
                if time.monotonic() > deadline:
                    log = (base / "log").read_text() if (base / "log").exists() else ""
                    raise RuntimeError(f"dovecot did not start:\n{log[-3000:]}") from None
                time.sleep(0.2)
        yield "127.0.0.1", port
    finally:
        if pid_file.exists():
            pid = int(pid_file.read_text().strip())
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, 15)
            for _ in range(100):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
        shutil.rmtree(base, ignore_errors=True)


def imap_append(
    host: str, port: int, raw: bytes, user: str = "desk@shop.test", password: str = "secret"
) -> None:
    import imaplib

    with imaplib.IMAP4(host, port, timeout=10) as client:
        client.login(user, password)
        client.append("INBOX", None, None, raw)
        client.logout()


class Recorder:
    """What the HTTP server was sent, and what it answers next (a list of status codes,
    the last one repeating)."""

    def __init__(self) -> None:
        self.posts: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = [200]
        self.delay = 0.0
        self._cond = threading.Condition()

    def next_status(self) -> int:
        with self._cond:
            return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]

    def record(self, headers: dict[str, str], body: bytes) -> None:
        with self._cond:
            self.posts.append((headers, body))
            self._cond.notify_all()

    def wait(self, count: int, timeout: float = 20) -> list[tuple[dict[str, str], bytes]]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.posts) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} posts, got {len(self.posts)}")
                self._cond.wait(left)
            return list(self.posts)

    def json(self, index: int) -> Any:
        return json.loads(self.posts[index][1])


@contextmanager
def http_recorder() -> Iterator[tuple[str, Recorder]]:
    recorder = Recorder()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            if recorder.delay:
                time.sleep(recorder.delay)
            recorder.record({k.lower(): v for k, v in self.headers.items()}, body)
            status = recorder.next_status()
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", recorder
    finally:
        server.shutdown()
        server.server_close()


class _ProviderApi:
    """What the fake provider servers below share: the sends they took (``sent``), the files
    uploaded to them and the media they serve, and a test waiting for sends."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.uploads: list[tuple[str, bytes]] = []
        self.media: dict[str, tuple[bytes, str]] = {}
        self._n = 0
        self._cond = threading.Condition()

    def _media_id(self, n: int) -> str:
        raise NotImplementedError

    def add_media(self, content: bytes, mime_type: str) -> str:
        with self._cond:
            self._n += 1
            media_id = self._media_id(self._n)
            self.media[media_id] = (content, mime_type)
            return media_id

    def wait(self, count: int, timeout: float = 20) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.sent) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} sends, got {len(self.sent)}")
                self._cond.wait(left)
            return list(self.sent)


class GraphApi(_ProviderApi):
    """A local server speaking the parts of Meta's WhatsApp Cloud API the desk uses, in its
    documented wire format: ``POST /<v>/<phone id>/messages`` (answers ``{"messages": [{"id":
    "wamid…"}]}``), ``POST /<v>/<phone id>/media`` (multipart, answers ``{"id"}``),
    ``GET /<v>/<media id>`` (``{"url", "mime_type", "sha256", "file_size", "id"}``) and the media
    URL itself. Every call must carry the bearer token. ``failures``: error answers to give
    next, each ``(status, {"message", "code", …})`` in Graph's ``{"error": …}`` shape."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        self.url = ""
        self.failures: list[tuple[int, dict[str, Any]]] = []
        self.unauthorised = 0

    def _media_id(self, n: int) -> str:
        return f"{1000 + n}"

    def handle(self, method: str, path: str, headers: Any, body: bytes) -> tuple[int, bytes, str]:
        import hashlib

        if headers.get("Authorization") != f"Bearer {self.token}":
            self.unauthorised += 1
            error = {
                "message": "Invalid OAuth access token.",
                "type": "OAuthException",
                "code": 190,
            }
            return 401, json.dumps({"error": error}).encode(), "application/json"
        parts = [p for p in path.split("?")[0].split("/") if p]
        if method == "GET" and parts[:1] == ["media-file"]:
            content, mime = self.media[parts[1]]
            return 200, content, mime
        with self._cond:
            if method == "POST" and self.failures:
                status, error = self.failures.pop(0)
                return status, json.dumps({"error": error}).encode(), "application/json"
        if method == "GET" and len(parts) == 2 and parts[1] in self.media:
            content, mime = self.media[parts[1]]
            meta = {
                "messaging_product": "whatsapp",
                "url": f"{self.url}/media-file/{parts[1]}",
                "mime_type": mime,
                "sha256": hashlib.sha256(content).hexdigest(),
                "file_size": len(content),
                "id": parts[1],
            }
            return 200, json.dumps(meta).encode(), "application/json"
        if method == "POST" and len(parts) == 3 and parts[2] == "media":
            message = email.message_from_bytes(
                f"Content-Type: {headers.get('Content-Type')}\r\n\r\n".encode() + body
            )
            fields = {
                p.get_param("name", header="content-disposition"): p
                for p in message.get_payload()  # type: ignore[union-attr]
            }
            if fields.get("messaging_product") is None or "file" not in fields:
                return 400, b'{"error": {"message": "bad upload", "code": 100}}', "application/json"
            content = fields["file"].get_payload(decode=True)
            with self._cond:
                self._n += 1
                media_id = f"{9000 + self._n}"
                self.uploads.append((str(fields["type"].get_payload()), content))
                self.media[media_id] = (content, str(fields["type"].get_payload()))
            return 200, json.dumps({"id": media_id}).encode(), "application/json"
        if method == "POST" and len(parts) == 3 and parts[2] == "messages":
            data = json.loads(body)
            if data.get("messaging_product") != "whatsapp" or not data.get("to"):
                return (
                    400,
                    b'{"error": {"message": "bad message", "code": 100}}',
                    "application/json",
                )
            with self._cond:
                self._n += 1
                wamid = f"wamid.OUT{self._n}"
                data["_id"] = wamid
                self.sent.append(data)
                self._cond.notify_all()
            answer = {
                "messaging_product": "whatsapp",
                "contacts": [{"input": data["to"], "wa_id": data["to"]}],
                "messages": [{"id": wamid}],
            }
            return 200, json.dumps(answer).encode(), "application/json"
        return 404, b'{"error": {"message": "Unknown path", "code": 100}}', "application/json"


@contextmanager
def provider_server(handler_of: Any) -> Iterator[str]:
    """Serve ``handler_of.handle(method, path, headers, body) -> (status, body, type)``."""

    class Handler(BaseHTTPRequestHandler):
        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, out, content_type = handler_of.handle(method, self.path, self.headers, body)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    if hasattr(handler_of, "url"):
        handler_of.url = url
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()


class WeChatApi(_ProviderApi):
    """A local server speaking the parts of WeChat's Official Account API the desk uses, in
    its documented format: ``GET /cgi-bin/token`` (``{"access_token", "expires_in"}``),
    ``POST /cgi-bin/message/custom/send?access_token=…`` (``{"errcode": 0, "errmsg": "ok"}``),
    ``POST /cgi-bin/media/upload?type=…`` (multipart ``media``, ``{"type", "media_id",
    "created_at"}``) and ``GET /cgi-bin/media/get?media_id=…`` (the bytes). A call with a
    token that is not the current one answers 40001 / 42001; ``expire()`` makes the current
    token stale. ``failures``: ``errcode`` answers to give next to sends."""

    def __init__(self, appid: str, secret: str) -> None:
        super().__init__()
        self.appid, self.secret = appid, secret
        self.token_fetches = 0
        self.current = ""
        self.failures: list[tuple[int, str]] = []

    def _media_id(self, n: int) -> str:
        return f"MEDIA{n:04d}"

    def expire(self) -> None:
        with self._cond:
            self.current = "stale-" + self.current

    @staticmethod
    def _json(data: dict[str, Any]) -> tuple[int, bytes, str]:
        return 200, json.dumps(data, ensure_ascii=False).encode(), "application/json"

    def handle(self, method: str, path: str, headers: Any, body: bytes) -> tuple[int, bytes, str]:
        from urllib.parse import parse_qs, urlsplit

        parts = urlsplit(path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        route = parts.path
        if route == "/cgi-bin/token":
            if query.get("appid") != self.appid or query.get("secret") != self.secret:
                return self._json({"errcode": 40125, "errmsg": "invalid appsecret"})
            with self._cond:
                self.token_fetches += 1
                self.current = f"ACCESS_TOKEN_{self.token_fetches}"
            return self._json({"access_token": self.current, "expires_in": 7200})
        token = query.get("access_token", "")
        if not token or token != self.current:
            expired = token.startswith("ACCESS_TOKEN_") or token.startswith("stale-")
            code = 42001 if expired else 40001
            return self._json({"errcode": code, "errmsg": "access_token expired"})
        if route == "/cgi-bin/media/get":
            found = self.media.get(query.get("media_id", ""))
            if found is None:
                return self._json({"errcode": 40007, "errmsg": "invalid media_id"})
            return 200, found[0], found[1]
        if route == "/cgi-bin/media/upload" and method == "POST":
            message = email.message_from_bytes(
                f"Content-Type: {headers.get('Content-Type')}\r\n\r\n".encode() + body
            )
            parts_ = {
                p.get_param("name", header="content-disposition"): p
                for p in message.get_payload()  # type: ignore[union-attr]
            }
            if "media" not in parts_:
                return self._json({"errcode": 41005, "errmsg": "media data missing"})
            content = parts_["media"].get_payload(decode=True)
            with self._cond:
                self._n += 1
                media_id = f"UP{self._n:04d}"
                self.uploads.append((query.get("type", ""), content))
                self.media[media_id] = (content, "application/octet-stream")
            return self._json(
                {"type": query.get("type"), "media_id": media_id, "created_at": int(time.time())}
            )
        if route == "/cgi-bin/message/custom/send" and method == "POST":
            data = json.loads(body)
            with self._cond:
                if self.failures:
                    code, text = self.failures.pop(0)
                    return self._json({"errcode": code, "errmsg": text})
                if not data.get("touser") or data.get("msgtype") not in data:
                    return self._json({"errcode": 40008, "errmsg": "invalid message type"})
                self.sent.append(data)
                self._cond.notify_all()
            return self._json({"errcode": 0, "errmsg": "ok"})
        return 404, b"{}", "application/json"


# Mail as providers deliver it: raw MIME, and Mailgun's inbound webhook.

MAILGUN_KEY = "key-mailgun-test-signing"
WEBHOOK_AUTH = ("esp", "webhook-secret")
_mail_ids = itertools.count(1)


def mail(
    *,
    sender: str = "Jane Doe <jane@example.com>",
    to: str = "support@shop.test",
    subject: str = "Where is my order?",
    text: str = "Hello, where is my parcel #1001?",
    html: str | None = None,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, bytes, str]] | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = message_id or make_msgid(
        domain="example.com", idstring=str(next(_mail_ids))
    )
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for name, content, content_type in attachments or []:
        maintype, subtype = content_type.split("/", 1)
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


def mailgun_form(
    raw: bytes,
    *,
    recipient: str = "support@shop.test",
    key: str = MAILGUN_KEY,
    auth: tuple[str, str] = WEBHOOK_AUTH,
) -> tuple[dict[str, str], str]:
    """The form fields Mailgun's forward() route posts raw MIME with to a ``…/inbound_mime/``
    URL — ``body-mime``, ``recipient``, ``sender``, and the signature of ``timestamp + token``
    with the webhook signing key — and the basic ``Authorization`` header's value."""
    import base64

    timestamp = str(int(time.time()))
    token = hashlib.sha256(raw + timestamp.encode()).hexdigest()[:50]
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    basic = base64.b64encode(":".join(auth).encode()).decode()
    form = {
        "body-mime": raw.decode("utf-8", "replace"),
        "recipient": recipient,
        "sender": "bounce@example.com",
        "timestamp": timestamp,
        "token": token,
        "signature": signature,
    }
    return form, f"Basic {basic}"


def mailgun_post(
    client: Client,
    raw: bytes,
    *,
    recipient: str = "support@shop.test",
    key: str = MAILGUN_KEY,
    auth: tuple[str, str] = WEBHOOK_AUTH,
) -> Any:
    """Post ``mailgun_form`` with Django's test client (multipart)."""
    form, authorization = mailgun_form(raw, recipient=recipient, key=key, auth=auth)
    return client.post("/inboxes/email/mailgun/inbound/", form, HTTP_AUTHORIZATION=authorization)


class LibreTranslateApi:
    """A local server speaking LibreTranslate's API (``GET /languages``, ``POST /translate``
    with ``q``, ``source``, ``target``, ``format``, ``api_key``), translating from a phrase
    table and then word by word, leaving ``<span translate="no">`` elements untouched as
    LibreTranslate does with ``format=html``. ``fail_next`` answers that many calls with 500;
    ``delay`` holds every translation that long; ``api_key`` set: others get 403."""

    LANGUAGES = ["en", "zh-Hans", "de", "fr", "es", "ja"]
    PHRASES = {
        ("de", "en"): {
            "Wo ist meine Bestellung?": "Where is my order?",
            "Kann ich meine Bestellung stornieren?": "Can I cancel my order?",
        },
        ("de", "zh-Hans"): {"Wo ist meine Bestellung?": "我的订单在哪里？"},
        ("en", "de"): {
            "Your order ships tomorrow.": "Ihre Bestellung wird morgen versandt.",
            "has joined the conversation": "ist dem Gespräch beigetreten",
        },
        ("zh-Hans", "de"): {"您的订单明天发货。": "Ihre Bestellung wird morgen versandt."},
        ("en", "zh-Hans"): {"Where is my order?": "我的订单在哪里？"},
    }
    WORDS = {
        ("en", "de"): {
            "is": "ist",
            "the": "die",
            "jacket": "Jacke",
            "waterproof": "wasserdicht",
            "airflex": "Luftbiege",
            "yes": "ja",
        },
    }

    def __init__(self, api_key: str = "") -> None:
        self.api_key = api_key
        self.fail_next = 0
        self.delay = 0.0
        self.requests: list[dict[str, Any]] = []
        self.url = ""
        self._lock = threading.Lock()

    def translations(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r for r in self.requests if r.get("path") == "/translate"]

    def _translate_text(self, text: str, source: str, target: str) -> str:
        phrase = self.PHRASES.get((source, target), {}).get(text.strip())
        if phrase is not None:
            # The spaces around a piece between protected elements stay.
            lead = text[: len(text) - len(text.lstrip())]
            trail = text[len(text.rstrip()) :]
            return lead + phrase + trail
        words = self.WORDS.get((source, target), {})
        return re.sub(r"\w+", lambda m: words.get(m.group(0).lower(), m.group(0)), text)

    def translate(self, text: str, source: str, target: str, fmt: str) -> str:
        if fmt != "html":
            return self._translate_text(text, source, target)
        # Protected elements stay; the text between them is translated piece by piece, and
        # a text without any is translated whole (so the phrase table still applies).
        pieces = re.split(r'(<span translate="no">.*?</span>)', text)
        out = []
        for piece in pieces:
            if piece.startswith('<span translate="no">'):
                out.append(piece)
            else:
                out.append(
                    html.escape(
                        self._translate_text(html.unescape(piece), source, target), quote=False
                    )
                )
        return "".join(out)

    def handle(self, method: str, path: str, headers: Any, body: bytes) -> tuple[int, bytes, str]:
        path = path.split("?")[0]
        if method == "GET" and path == "/languages":
            data = [{"code": c, "name": c, "targets": self.LANGUAGES} for c in self.LANGUAGES]
            return 200, json.dumps(data).encode(), "application/json"
        if method != "POST" or path != "/translate":
            return 404, b'{"error": "Not Found"}', "application/json"
        if "json" in (headers.get("Content-Type") or ""):
            data = json.loads(body or b"{}")
        else:
            data = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        with self._lock:
            self.requests.append({"path": path, "at": time.monotonic(), **data})
            failing = self.fail_next > 0
            if failing:
                self.fail_next -= 1
        if self.delay:
            time.sleep(self.delay)
        if failing:
            return 500, b'{"error": "Translation engine crashed"}', "application/json"
        if self.api_key and data.get("api_key") != self.api_key:
            return 403, b'{"error": "Invalid API key"}', "application/json"
        source, target = data.get("source"), data.get("target")
        if source not in self.LANGUAGES or target not in self.LANGUAGES:
            return (
                400,
                json.dumps({"error": f"{source} is not supported"}).encode(),
                "application/json",
            )
        text = self.translate(str(data.get("q", "")), source, target, data.get("format", "text"))
        return 200, json.dumps({"translatedText": text}).encode(), "application/json"
