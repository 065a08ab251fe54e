"""Typed business errors and the one place each transport turns them into the contract's shape.

REST: ``api_exception_handler`` (DRF's EXCEPTION_HANDLER). WebSocket: ``error_frame``. A
database outage (``is_outage``) is ``unavailable`` on both: ``outage_response`` is its JSON 503
for every HTTP path (``api_exception_handler``, ``helpdesk.edge``); the sockets' circuit that
refuses calls while the database is down is ``helpdesk.db_health``, which builds on this module.

A connection pool that stayed busy (``is_busy``: every connection healthy and in use for the
whole ``DB_POOL_BUSY_WAIT``, ``helpdesk.postgresql.pool.PoolBusy``) is not an outage: it is
``Busy``, still the contract's ``unavailable`` (try again later, a 503 over REST) so clients
retry as they do, but told "The server is busy", and it never opens the sockets' circuit.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError
from django.http import Http404, JsonResponse
from psycopg_pool import PoolTimeout
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.response import Response

from .postgresql.pool import PoolBusy

HTTP_STATUS = {
    "bad_request": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "too_large": 413,
    "unsupported": 415,
    "rate_limited": 429,
    "unavailable": 503,
}


class HelpdeskError(Exception):
    """A business error with a contract code (``bad_request``, ``not_found`` …)."""

    code = "bad_request"

    def __init__(
        self, detail: str = "", *, code: str | None = None, fields: dict[str, Any] | None = None
    ) -> None:
        super().__init__(detail)
        if code is not None:
            self.code = code
        self.detail = detail or self.code.replace("_", " ")
        self.fields = fields

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "detail": str(self.detail)}
        if self.fields:
            data["fields"] = self.fields
        return data

    @property
    def http_status(self) -> int:
        return HTTP_STATUS.get(self.code, 400)


class BadRequest(HelpdeskError):
    code = "bad_request"


class NotFound(HelpdeskError):
    code = "not_found"


class Forbidden(HelpdeskError):
    code = "forbidden"


class Unauthorized(HelpdeskError):
    code = "unauthorized"


class RateLimited(HelpdeskError):
    code = "rate_limited"


class TooLarge(HelpdeskError):
    code = "too_large"


class Unavailable(HelpdeskError):
    code = "unavailable"


OUTAGE_DETAIL = "The database is unavailable; try again shortly."
BUSY_DETAIL = "The server is busy; try again shortly."


class Busy(Unavailable):
    """The server's database connections were all in use for the whole wait: try again later,
    like an outage, but nothing is down."""

    def __init__(self, detail: str = BUSY_DETAIL, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)


# SQLSTATE classes and codes that mean "the server is not there", not "this statement failed":
# connection exceptions (08…), administrator shutdown / crash shutdown / cannot connect now.
_OUTAGE_STATES = ("57P01", "57P02", "57P03")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and what it wraps (its cause, else its context), once each."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it wraps) is a connection pool that stayed busy: all its
    connections healthy and in use (``helpdesk.postgresql.pool.PoolBusy``), not an outage."""
    return any(isinstance(current, Busy | PoolBusy) for current in _chain(exc))


def is_outage(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it wraps) says the database cannot be reached, as opposed to a
    statement that failed (a deadlock, a constraint: those are the caller's to handle) or a
    pool that was only busy (``is_busy``)."""
    if is_busy(exc):
        return False
    for current in _chain(exc):
        name = type(current).__name__
        if isinstance(current, PoolTimeout):
            # No connection could be had in time while connections were failing (a busy
            # pool's wait ends in PoolBusy instead: helpdesk.postgresql.pool).
            return True
        if isinstance(current, InterfaceError):  # "connection already closed"
            return True
        sqlstate = getattr(current, "sqlstate", None)
        module = type(current).__module__
        if module.startswith("psycopg") and name in ("OperationalError", "InterfaceError"):
            # psycopg's own (not a subclass such as DeadlockDetected): the connection failed.
            if sqlstate is None or sqlstate.startswith("08") or sqlstate in _OUTAGE_STATES:
                return True
        elif sqlstate is not None and (sqlstate.startswith("08") or sqlstate in _OUTAGE_STATES):
            return True
    return False


def outage_response(exc: BaseException | None) -> JsonResponse | None:
    """The JSON 503 for an exception that is a database outage or a pool that stayed busy
    (told apart by its detail), else None."""
    if exc is None:
        return None
    if is_busy(exc):
        detail = BUSY_DETAIL
    elif isinstance(exc, Unavailable) or is_outage(exc):
        detail = OUTAGE_DETAIL
    else:
        return None
    response = JsonResponse({"code": "unavailable", "detail": detail}, status=503)
    response["Retry-After"] = "1"
    return response


def error_frame(error: HelpdeskError, client_id: str | None = None) -> dict[str, Any]:
    """The WebSocket ``error`` frame for a business error."""
    frame: dict[str, Any] = {"type": "error", "code": error.code, "detail": str(error.detail)}
    if error.fields:
        frame["fields"] = error.fields
    if client_id is not None:
        frame["client_id"] = client_id
    return frame


_DRF_CODES = {
    status.HTTP_400_BAD_REQUEST: "bad_request",
    status.HTTP_401_UNAUTHORIZED: "unauthorized",
    status.HTTP_403_FORBIDDEN: "forbidden",
    status.HTTP_404_NOT_FOUND: "not_found",
    status.HTTP_405_METHOD_NOT_ALLOWED: "method_not_allowed",
    status.HTTP_406_NOT_ACCEPTABLE: "not_acceptable",
    status.HTTP_409_CONFLICT: "conflict",
    status.HTTP_413_REQUEST_ENTITY_TOO_LARGE: "too_large",
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: "unsupported",
    status.HTTP_429_TOO_MANY_REQUESTS: "rate_limited",
}


def _flatten(detail: Any) -> Any:
    if isinstance(detail, list):
        return [_flatten(d) for d in detail]
    if isinstance(detail, dict):
        return {k: _flatten(v) for k, v in detail.items()}
    return str(detail)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every REST error as ``{"code", "detail", "fields"?}`` with its 4xx status."""
    # Imported here: DRF's views read the parser setting (helpdesk.edge) on import, and the
    # edge raises these errors.
    from rest_framework.views import exception_handler as drf_default_handler

    outage = outage_response(exc)
    if outage is not None:
        unavailable = Response(json.loads(outage.content), status=503)
        unavailable["Retry-After"] = outage["Retry-After"]
        return unavailable
    if isinstance(exc, HelpdeskError):
        return Response(exc.as_dict(), status=exc.http_status)
    if isinstance(exc, DjangoValidationError):
        fields = getattr(exc, "message_dict", None)
        body: dict[str, Any] = {"code": "bad_request", "detail": "Invalid input."}
        if fields:
            body["fields"] = fields
        else:
            body["detail"] = "; ".join(exc.messages)
        return Response(body, status=400)
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    response = drf_default_handler(exc, context)
    if response is None:
        return None
    code = _DRF_CODES.get(response.status_code, "bad_request")
    if isinstance(exc, drf_exceptions.NotAuthenticated | drf_exceptions.AuthenticationFailed):
        code = "unauthorized"
    data = response.data
    if isinstance(exc, drf_exceptions.ValidationError):
        fields = _flatten(data) if isinstance(data, dict) else {"non_field_errors": _flatten(data)}
        response.data = {"code": code, "detail": "Invalid input.", "fields": fields}
    else:
        detail = data.get("detail", "") if isinstance(data, dict) else data
        response.data = {"code": code, "detail": str(detail)}
    return response
