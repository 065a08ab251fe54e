"""The sockets' session and user lookup, meeting a database outage as every socket call does.

Channels' ``AuthMiddlewareStack`` looks the session and the user up before any consumer runs,
so with PostgreSQL down a workspace socket's handshake failed inside the middleware: an HTTP
500 and a traceback for every attempt (``tests/faults/test_postgres_handshake.py``). Here the
lookup runs through ``db_call`` (``helpdesk.db_health.guarded``: refused at once while the
database is known to be down), and an outage is answered as the consumers answer one during
authentication (docs/protocol.md): the socket is accepted, told ``error`` / ``unavailable``
and closed **1013**, so the client comes back with its backoff, its session kept.
"""

from __future__ import annotations

import json
from typing import Any

from channels.auth import AuthMiddleware, get_user
from channels.sessions import CookieMiddleware, SessionMiddleware
from django.contrib.auth.models import AnonymousUser

from .db_health import Unavailable
from .db_threads import db_call
from .errors import error_frame

# RFC 6455 "try again later", as the consumers close with it.
CLOSE_TRY_AGAIN_LATER = 1013


class OutageAwareAuthMiddleware(AuthMiddleware):  # type: ignore[misc]
    async def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        scope = dict(scope)
        self.populate_scope(scope)
        if not scope["session"].session_key:
            # No session cookie (a shopper's socket): nothing to look up; an outage is the
            # consumer's to meet when it authenticates the token.
            scope["user"]._wrapped = AnonymousUser()
            return await self.inner(scope, receive, send)
        try:
            scope["user"]._wrapped = await db_call(get_user.func, scope=scope)
        except Unavailable as error:
            if scope.get("type") != "websocket":
                raise
            await _try_again_later(receive, send, error)
            return None
        return await self.inner(scope, receive, send)


async def _try_again_later(receive: Any, send: Any, error: Unavailable) -> None:
    message = await receive()
    if message.get("type") != "websocket.connect":
        return
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.send", "text": json.dumps(error_frame(error))})
    await send({"type": "websocket.close", "code": CLOSE_TRY_AGAIN_LATER})


def auth_middleware_stack(inner: Any) -> Any:
    """``channels.auth.AuthMiddlewareStack`` with the outage-aware lookup."""
    return CookieMiddleware(SessionMiddleware(OutageAwareAuthMiddleware(inner)))
