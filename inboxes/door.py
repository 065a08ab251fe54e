"""The providers' webhooks served beside Django's request handling, not through it.

A provider's post (an ESP's inbound mail, WhatsApp, WeChat) needs none of what the pages'
middleware does — sessions, locale, CSRF (the views are exempt), authentication, messages,
CORS, CSP (exempt), static files — and Django's ASGI handler pays for it on every request:
a new thread per request (asgiref's thread-sensitive context), four hops between the event
loop and threads for the middleware chain, each middleware's own work. On the inbound bench
that was about half of a webhook's CPU (docs/performance.md, Channels). ``webhook_door``
wraps the HTTP application: a small ``POST`` to a webhook path is read here, and the view
runs with the same request object on the sockets' database threads (``db_call``: one hop,
its connection back to the pool after). What still applies to it, as through Django:

- the host is checked against ``ALLOWED_HOSTS`` (400), and with ``SECURE_SSL_REDIRECT`` a
  plain-HTTP post goes Django's whole way (its redirect);
- the edge's checks (``helpdesk.edge``: text that cannot be stored, JSON too deep, bodies over
  ``DATA_UPLOAD_MAX_MEMORY_SIZE``) answer the same 400 / 413 before the view;
- a database outage is the JSON 503 with ``Retry-After``; anything else that escapes the view
  is logged and answered 500, so the provider retries and nothing is lost.

Everything else — other methods, other paths, a body without ``Content-Length`` or over
``DOOR_MAX_BYTES`` (an email with attachments: Django spools it to disk) — goes to Django as
before.
"""

from __future__ import annotations

import io
import logging
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponse, JsonResponse
from django.urls import resolve

from helpdesk.asgi_door import App, Receive, Scope, Send, read_body, send_response, small_post
from helpdesk.db_threads import db_call
from helpdesk.edge import EdgeMiddleware
from helpdesk.errors import BadRequest, TooLarge, outage_response

logger = logging.getLogger(__name__)


# The providers' webhook paths (inboxes/urls.py); the API channel's REST is DRF's, not here.
PATHS = re.compile(
    r"^/inboxes/(?:email/[a-z_]+/(?:inbound|tracking)|whatsapp/[^/]+|wechat/[^/]+)/$"
)
# Larger posts (attachments) go through Django, which spools them to disk past
# FILE_UPLOAD_MAX_MEMORY_SIZE; the door keeps a body in memory.
DOOR_MAX_BYTES = 1024 * 1024


def takes(scope: Scope) -> bool:
    """Whether the door serves this request (else Django does)."""
    return bool(PATHS.match(scope.get("path", ""))) and small_post(scope, DOOR_MAX_BYTES)


def _answer(*, scope: Scope, body: bytes) -> HttpResponse | None:
    """The view's response, on a database thread; None: let Django serve it."""
    request = ASGIRequest(scope, io.BytesIO(body))
    if settings.SECURE_SSL_REDIRECT and not request.is_secure():
        return None  # Django's SecurityMiddleware redirects it
    try:
        request.get_host()
    except SuspiciousOperation:
        return JsonResponse({"code": "bad_request", "detail": "Bad host."}, status=400)
    try:
        _EDGE.check(request)
    except (BadRequest, TooLarge) as error:
        return JsonResponse(error.as_dict(), status=error.http_status)
    match = resolve(request.path_info)
    request.resolver_match = match
    try:
        response: HttpResponse = match.func(request, *match.args, **match.kwargs)
    except Exception as exc:
        outage = outage_response(exc)
        if outage is not None:
            return outage
        logger.exception("webhook %s failed", request.path)
        return _server_error()
    return response


def _server_error() -> JsonResponse:
    return JsonResponse({"code": "server_error", "detail": "Something went wrong."}, status=500)


# The edge's checks without its place in the middleware chain.
_EDGE = EdgeMiddleware(lambda request: HttpResponse())


def webhook_door(app: App) -> App:
    """``app`` (Django's HTTP application) with the providers' webhooks served by the door."""

    async def door(scope: Scope, receive: Receive, send: Send) -> None:
        if not takes(scope):
            await app(scope, receive, send)
            return
        body = await read_body(receive)
        if body is None:
            return
        try:
            response = await db_call(_answer, scope=scope, body=body)
        except Exception as exc:  # refused before the view ran (the database is down)
            response = outage_response(exc)
            if response is None:
                logger.exception("webhook %s failed", scope.get("path"))
                response = _server_error()
        if response is None:
            await app(scope, _replay(body), send)
            return
        await send_response(response, send)

    return door


def _replay(body: bytes) -> Receive:
    """A ``receive`` that hands Django the body the door already read."""
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        import asyncio

        await asyncio.Event().wait()  # Django listens for a disconnect that never comes
        return {"type": "http.disconnect"}

    return receive
