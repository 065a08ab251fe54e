"""The widget's session ``POST`` served through the middleware it needs, not all of it.

Every storefront page view that opens the chat starts with ``POST /api/widget/session``. Through
Django's ASGI handler it paid for the whole chain of the pages' middleware: a new thread per
request (asgiref's thread-sensitive context, every middleware being synchronous), the hops
between the event loop and that thread, and the work of sessions, authentication, messages,
CSRF, django-axes and static files, none of which the view uses (it is CSRF-exempt and
unauthenticated: the widget never sends cookies). ``session_door`` wraps the HTTP application:
that ``POST`` is read here and runs on the sockets' database threads (``db_call``: one hop, its
connections back to the pool after) through the middleware whose work shows in the answer,
in ``settings.MIDDLEWARE``'s order:

- ``SecurityMiddleware`` (its headers; the HTTPS redirect), ``CSPMiddleware``,
  ``XFrameOptionsMiddleware``: the same response headers;
- ``WidgetCorsMiddleware``: a storefront origin may read the answer;
- ``EdgeMiddleware``: text that cannot be stored, JSON too large or too deep, refused first;
- ``LocaleMiddleware``: the language the refusals are written in, ``Content-Language``;
- ``CommonMiddleware``: the host check against ``ALLOWED_HOSTS`` (400).

The view is the same DRF view (``chat.apis.WidgetSessionApi``), so its validation, its errors
and its answers are unchanged; ``tests/test_session_door.py`` holds the door's answers against
Django's for the same requests. A database outage is the JSON 503 with ``Retry-After``, as
through Django. Other methods (the CORS preflight), other paths and a body without
``Content-Length`` or larger than ``DOOR_MAX_BYTES`` go Django's whole way.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from functools import cache
from typing import Any, cast

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.urls import resolve
from django.utils import translation
from django.utils.module_loading import import_string

from .asgi_door import App, Receive, Scope, Send, read_body, send_response, small_post
from .db_threads import db_call
from .errors import outage_response

logger = logging.getLogger(__name__)


PATH = "/api/widget/session"
# The middleware the session's answer depends on (see above); the rest of
# settings.MIDDLEWARE is skipped here.
KEEP = frozenset(
    {
        "django.middleware.security.SecurityMiddleware",
        "helpdesk.csp.CSPMiddleware",
        "helpdesk.storefront.WidgetCorsMiddleware",
        "helpdesk.edge.EdgeMiddleware",
        "django.middleware.locale.LocaleMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    }
)
# A session's JSON is small; anything larger goes through Django (and its edge refuses it).
DOOR_MAX_BYTES = 64 * 1024


def takes(scope: Scope) -> bool:
    """Whether the door serves this request (else Django does)."""
    return scope.get("path") == PATH and small_post(scope, DOOR_MAX_BYTES)


def _view(request: HttpRequest) -> HttpResponseBase:
    match = resolve(request.path_info)
    request.resolver_match = match
    response: HttpResponseBase = match.func(request, *match.args, **match.kwargs)
    render = getattr(response, "render", None)
    if callable(render):
        response = render()
    return response


@cache
def _handler() -> Callable[[HttpRequest], HttpResponseBase]:
    """The kept middleware around the view, built as Django builds its chain: each layer's
    exceptions become responses (a bad host: 400) before the outer layers see them."""
    handler: Any = convert_exception_to_response(_view)
    for path in reversed(settings.MIDDLEWARE):
        if path in KEEP:
            handler = convert_exception_to_response(import_string(path)(handler))
    return cast(Callable[[HttpRequest], HttpResponseBase], handler)


def _answer(*, scope: Scope, body: bytes) -> HttpResponseBase:
    """The answer, on a database thread. The language ``LocaleMiddleware`` turns on is turned
    off after: the thread serves sockets next (through Django each request had a thread of
    its own)."""
    request = ASGIRequest(scope, io.BytesIO(body))
    try:
        response = _handler()(request)
        response.close()
    finally:
        translation.deactivate()
    return response


def session_door(app: App) -> App:
    """``app`` (Django's HTTP application) with the widget's session ``POST`` served here."""

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
            outage = outage_response(exc)
            if outage is None:
                logger.exception("widget session failed")
                outage = JsonResponse(
                    {"code": "server_error", "detail": "Something went wrong."}, status=500
                )
            response = outage
        await send_response(response, send)

    return door
