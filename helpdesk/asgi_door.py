"""What the ASGI doors share (``helpdesk/session_door.py``, ``inboxes/door.py``): a door
serves a few small ``POST``s on a database thread without Django's whole handler, and reads
and answers them as Django's ASGI handler would."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from django.http import HttpResponseBase

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
App = Callable[..., Awaitable[Any]]


def content_length(scope: Scope) -> int | None:
    """The request's ``Content-Length``, or None without a valid one."""
    for name, value in scope.get("headers") or ():
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def small_post(scope: Scope, max_bytes: int) -> bool:
    """An HTTP ``POST`` that says its length, at most ``max_bytes``."""
    if scope["type"] != "http" or scope.get("method") != "POST":
        return False
    length = content_length(scope)
    return length is not None and 0 <= length <= max_bytes


async def read_body(receive: Receive) -> bytes | None:
    """The request's body, or None if the client went away."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def send_response(response: HttpResponseBase, send: Send) -> None:
    """As Django's ASGI handler sends a response: its headers, then its cookies."""
    headers = [
        (str(name).encode("ascii"), str(value).encode("latin1")) for name, value in response.items()
    ]
    for cookie in response.cookies.values():
        headers.append((b"Set-Cookie", cookie.output(header="").encode("ascii").strip()))
    await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": getattr(response, "content", b"")})
