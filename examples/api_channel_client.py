"""A runnable example of the shop's app on the desk's API channel (standard library only).

    python examples/api_channel_client.py --desk http://127.0.0.1:8000 --token hdc_… \\
        --listen 127.0.0.1:8765 --public-url http://127.0.0.1:8765/

It registers its webhook (printing the signing secret it gets back), posts one shopper
message, and then prints every event the desk sends: agent messages, typing, status changes.
Each event's signature and timestamp are checked, and repeated event ids are skipped.
See docs/channels.md.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

TOLERANCE_SECONDS = 300


def verify(secret: str, body: bytes, timestamp: str, signature_header: str) -> bool:
    """The desk signs ``"<timestamp>.<body>"`` with HMAC-SHA256; a post older or newer than
    five minutes is a replay and is refused even with a good signature."""
    try:
        ts = int(timestamp)
    except ValueError:
        return False
    if abs(time.time() - ts) > TOLERANCE_SECONDS:
        return False
    expected = (
        "v1=" + hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    )
    return any(hmac.compare_digest(expected, part.strip()) for part in signature_header.split(","))


def call(desk: str, token: str, method: str, path: str, payload: dict[str, Any]) -> dict[str, Any]:
    if not desk.startswith(("http://", "https://")):
        raise SystemExit("--desk must be an http(s) URL")
    request = urllib.request.Request(  # noqa: S310 (checked just above)
        desk.rstrip("/") + path,
        data=json.dumps(payload).encode(),
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


def serve(listen: str, secret: str) -> None:
    seen: set[str] = set()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if not verify(
                secret,
                body,
                self.headers.get("X-Helpdesk-Timestamp", ""),
                self.headers.get("X-Helpdesk-Signature", ""),
            ):
                self.send_response(401)
                self.end_headers()
                return
            event = json.loads(body)
            if event["id"] not in seen:  # a retried post carries the same id
                seen.add(event["id"])
                print(event["type"], json.dumps(event["data"], ensure_ascii=False))
            self.send_response(204)
            self.end_headers()

    host, port = listen.rsplit(":", 1)
    HTTPServer((host, int(port)), Handler).serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--desk", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--listen", default="127.0.0.1:8765")
    parser.add_argument("--public-url", required=True, help="where the desk can reach --listen")
    parser.add_argument("--contact", default="app-user-1")
    parser.add_argument("--message", default="Hello from the app!")
    args = parser.parse_args()
    secret = call(
        args.desk, args.token, "PUT", "/api/v1/channel/webhook", {"url": args.public_url}
    )["secret"]
    print("webhook registered; signing secret:", secret)
    sent = call(
        args.desk,
        args.token,
        "POST",
        "/api/v1/channel/messages",
        {"message_id": uuid.uuid4().hex, "contact": {"id": args.contact}, "body": args.message},
    )
    print("posted message", sent["message"]["id"], "in conversation", sent["conversation"])
    serve(args.listen, secret)


if __name__ == "__main__":
    main()
