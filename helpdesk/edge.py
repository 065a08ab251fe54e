"""Input refused at the edge: text PostgreSQL cannot store and JSON that is too big or too deep.

Three things pass Python's own parsing and fail later, far from the request that brought them:

- a lone surrogate (``"\\ud800"`` in JSON) is a valid ``str`` but cannot be encoded as UTF-8,
  so echoing it back closed the socket with 1011 and storing it failed the INSERT (answered
  ``unavailable``, which a good client resends forever);
- a NUL (``\\x00``) cannot be stored in a PostgreSQL text column (a query string included:
  ``GET /api/v1/canned/?q=%00`` was a 500);
- deep nesting (``[`` × 3,000) makes the JSON parser raise ``RecursionError``, and nesting the
  parser survives still recurses in code that walks the value later.

Every entry point refuses them as ``bad_request`` before any service runs: socket frames
(``chat/consumers/frames.py`` parses with ``loads``), REST bodies (``JSONParser``, DRF's default
here), and every request's path, query string, form body and JSON body, whatever view it
goes to (``EdgeMiddleware``: the email providers' webhooks, the widget's session, pages).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework.parsers import BaseParser

from .errors import BadRequest, TooLarge, outage_response

# Deeper than any payload the desk or a shop sends (an order with items with options is 5),
# shallow enough that nothing that walks a value recursively comes near Python's limit.
MAX_DEPTH = 32


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored, or None. ASCII without NUL (nearly everything) costs two
    scans in C."""
    if "\x00" in text:
        return "contains a NUL character"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "contains a lone surrogate (not valid Unicode)"
    return None


def check_text(text: str, *, field: str | None = None) -> str:
    problem = text_problem(text)
    if problem is not None:
        where = f"{field} " if field else "Text "
        raise BadRequest(
            f"{where}{problem}.", fields={field: ["Not storable text."]} if field else None
        )
    return text


def clean_or_none(value: Any) -> str | None:
    """``value`` if it is a string safe to echo back, else None."""
    return value if isinstance(value, str) and text_problem(value) is None else None


def check_value(value: Any, *, max_depth: int = MAX_DEPTH) -> Any:
    """Refuse a parsed JSON value nested deeper than ``max_depth``, with a string (key or
    value) that cannot be stored, or a non-finite number. The error names the top-level
    field in ``fields`` and the whole path in ``detail``. Iterative: the check itself never
    recurses."""
    stack: list[tuple[Any, int, tuple[str, ...]]] = [(value, 1, ())]
    while stack:
        item, depth, path = stack.pop()
        problem = None
        if isinstance(item, str):
            problem = text_problem(item)
        elif isinstance(item, dict):
            if depth > max_depth:
                raise BadRequest(f"JSON is nested deeper than {max_depth} levels.")
            for key, child in item.items():
                key_problem = text_problem(key)
                if key_problem is not None:
                    _refuse(path, f"a key {key_problem}")
                stack.append((child, depth + 1, (*path, key)))
        elif isinstance(item, list):
            if depth > max_depth:
                raise BadRequest(f"JSON is nested deeper than {max_depth} levels.")
            stack.extend((child, depth + 1, (*path, str(i))) for i, child in enumerate(item))
        elif isinstance(item, float) and not math.isfinite(item):
            problem = "is not a finite number"
        if problem is not None:
            _refuse(path, problem)
    return value


def _refuse(path: tuple[str, ...], problem: str) -> None:
    where = ".".join(path)[:100]
    raise BadRequest(
        f"{where or 'The value'} {problem}.",
        fields={path[0]: [f"Not storable: {problem}."]} if path else None,
    )


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def loads(data: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads`` that answers every bad input with ``BadRequest``: not JSON, not UTF-8,
    ``NaN`` / ``Infinity``, too deep, or text that cannot be stored."""
    try:
        value = json.loads(data, parse_constant=_no_constants)
    except RecursionError:
        raise BadRequest(f"JSON is nested deeper than {max_depth} levels.") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, int too long
        raise BadRequest(f"Not valid JSON: {exc}"[:200]) from None
    return check_value(value, max_depth=max_depth)


def client_id_of(data: str | bytes) -> str | None:
    """The ``client_id`` of a refused frame, when it has one that can be echoed back."""
    try:
        frame = json.loads(data)
    except (ValueError, RecursionError):
        return None
    return clean_or_none(frame.get("client_id")) if isinstance(frame, dict) else None


def max_body_bytes() -> int:
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440)


class JSONParser(BaseParser):
    """DRF's JSON parser with the edge's bounds: the body's size (``DATA_UPLOAD_MAX_MEMORY_SIZE``,
    413 ``too_large``), nesting and storable text (400 ``bad_request``)."""

    media_type = "application/json"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = max_body_bytes()
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise TooLarge(f"Request bodies are limited to {limit} bytes.")
        if not data:
            raise BadRequest("Not valid JSON: empty body.")
        return loads(data)


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


def _looks_like_json(body: bytes) -> bool:
    return body.lstrip()[:1] in (b"{", b"[")


# Bodies whose JSON is read by code that is not ours (the email providers' webhooks, sent as
# text/plain by Amazon SNS): checked when they look like JSON, whatever their content type.
_WEBHOOK_PREFIXES = ("/inboxes/",)


def _refusal(error: BadRequest | TooLarge) -> JsonResponse:
    return JsonResponse(error.as_dict(), status=error.http_status)


class EdgeMiddleware:
    """Refuse what no view can store before any view runs: a path or query string with text
    that cannot be stored, and a JSON or form body that is too large, too deep or carries such
    text. Answers the contract's JSON error (400 / 413) whatever the path."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            self.check(request)
        except (BadRequest, TooLarge) as error:
            return _refusal(error)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        """A view that met a database outage answers a JSON 503, not an HTML 500."""
        return outage_response(exc)

    def check(self, request: HttpRequest) -> None:
        check_text(request.path, field="path")
        for key, values in request.GET.lists():
            check_text(key, field="query")
            for value in values:
                check_text(value, field=key if text_problem(key) is None else "query")
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        content_type = (request.content_type or "").lower()
        webhook = request.path.startswith(_WEBHOOK_PREFIXES)
        if content_type == "application/x-www-form-urlencoded" or (
            webhook and content_type == "multipart/form-data"
        ):
            try:
                form = request.POST
            except RequestDataTooBig:
                raise TooLarge(f"Request bodies are limited to {max_body_bytes()} bytes.") from None
            for key, values in form.lists():
                check_text(key, field="form")
                for value in values:
                    check_text(value, field=key if text_problem(key) is None else "form")
            return
        if content_type.startswith("multipart/"):
            return  # uploads: their views read the files and their few fields
        try:
            body = request.body
        except RequestDataTooBig:
            raise TooLarge(f"Request bodies are limited to {max_body_bytes()} bytes.") from None
        if body and (_is_json(content_type) or (webhook and _looks_like_json(body))):
            loads(body)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: what escaped every view and middleware. A database outage is a JSON 503
    (a middleware's session or user lookup included); an API path gets the contract's JSON
    error; pages get Django's page."""
    import sys

    from django.views.defaults import server_error as page

    outage = outage_response(sys.exc_info()[1])
    if outage is not None:
        return outage
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "server_error", "detail": "Something went wrong."}, status=500)
    return page(request)
