"""Serving attachments: a signed, expiring link AND the requester's access to the conversation.

The workspace (same origin, session cookie) puts links straight into ``<img>``/``<audio>``;
the widget fetches them with ``Authorization: Visitor <token>`` and shows a ``blob:`` URL, so
the visitor token never appears in a URL. Locally stored files stream from here; with a bucket
the response is a short-lived signed redirect to it (docs/media.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chat.access import Actor, is_agent
from helpdesk.errors import Forbidden, HelpdeskError, NotFound, Unauthorized

from . import sniff
from . import storage as media_storage
from .selectors import attachment_for_viewer

# Shown in the page when opened; everything else is a download.
INLINE_TYPES = {
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "audio/webm",
    "audio/ogg",
    "audio/mpeg",
    "audio/mp4",
    "audio/wav",
    "audio/flac",
    "video/webm",
    "video/mp4",
    "video/ogg",
    "video/quicktime",
}
SANDBOX_CSP = (
    "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; sandbox"
)


def actor_for_request(request: HttpRequest) -> Actor:
    """A shopper by ``Authorization: Visitor <token>``, else an agent by session."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _sp, token = header.partition(" ")
        if scheme.lower() != "visitor" or not token:
            raise Unauthorized("Use Authorization: Visitor <token>.")
        from chat.services.visitors import visitor_from_token

        return Actor(visitor=visitor_from_token(token.strip()))
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        raise Unauthorized("Log in, or send the visitor token.")
    if not is_agent(user):
        raise NotFound("Attachment not found.")
    return Actor(user=user)


def _error(error: HelpdeskError) -> JsonResponse:
    response = JsonResponse(error.as_dict(), status=error.http_status)
    response["Cache-Control"] = "no-store"
    return response


def _headers(response: HttpResponseBase, *, inline: bool, name: str, ttl: int) -> HttpResponseBase:
    response["Content-Disposition"] = content_disposition_header(not inline, name) or ""
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = f"private, max-age={ttl}"
    response["Vary"] = "Cookie, Authorization"
    return response


@require_http_methods(["GET", "HEAD"])
def attachment_serve(request: HttpRequest, token: str, name: str) -> HttpResponseBase:
    """``/api/v1/files/<token>/<name>``: the file (or its thumbnail) to a permitted viewer."""
    try:
        attachment_pk, variant = media_storage.link_read(token)
    except media_storage.LinkExpired:
        return _error(Forbidden(_("This link has expired; reload the conversation.")))
    except media_storage.LinkInvalid:
        return _error(NotFound("Attachment not found."))
    try:
        actor = actor_for_request(request)
        attachment = attachment_for_viewer(actor=actor, attachment_pk=attachment_pk)
    except HelpdeskError as error:
        return _error(error)
    if variant == media_storage.THUMB:
        if not attachment.thumbnail:
            return _error(NotFound("Attachment not found."))
        stored, content_type = attachment.thumbnail.name, attachment.thumb_content_type
    else:
        stored, content_type = attachment.file.name, attachment.content_type
    inline = content_type in INLINE_TYPES and content_type not in sniff.DANGEROUS_TYPES
    if not inline:
        # Never let a browser render markup or a program from our origin.
        content_type = (
            "application/octet-stream" if content_type in sniff.DANGEROUS_TYPES else content_type
        )
    conf = media_storage.media_conf()
    store = media_storage.storage()
    if not media_storage.is_local(store):
        disposition = content_disposition_header(not inline, attachment.name) or ""
        url = store.url(  # type: ignore[call-arg]
            stored,
            parameters={
                "ResponseContentDisposition": disposition,
                "ResponseContentType": content_type,
            },
            expire=int(conf["REDIRECT_TTL"]),
        )
        redirect = HttpResponseRedirect(url)
        redirect["Cache-Control"] = "no-store"
        redirect["Referrer-Policy"] = "no-referrer"
        return redirect
    try:
        handle = store.open(stored or "", "rb")
    except OSError:
        return _error(NotFound("Attachment not found."))
    response = _file_response(request, handle, content_type)
    return _headers(response, inline=inline, name=attachment.name, ttl=int(conf["URL_TTL"]))


RANGE = re.compile(r"^bytes=(\d{0,18})-(\d{0,18})$")


def _file_response(request: HttpRequest, handle: Any, content_type: str) -> HttpResponseBase:
    """The whole file, or one byte range of it (``<video>`` seeks with Range requests)."""
    size = handle.size
    match = RANGE.match(request.headers.get("Range", "").strip())
    if match is None or not (match[1] or match[2]):
        response: HttpResponseBase = FileResponse(handle, content_type=content_type)
        response["Accept-Ranges"] = "bytes"
        return response
    if match[1]:
        start = int(match[1])
        end = min(int(match[2]) if match[2] else size - 1, size - 1)
    else:
        start, end = max(0, size - int(match[2])), size - 1
    if start > end:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    handle.seek(start)

    def chunks() -> Iterator[bytes]:
        remaining = end - start + 1
        try:
            while remaining > 0:
                data = handle.read(min(64 * 1024, remaining))
                if not data:
                    break
                remaining -= len(data)
                yield data
        finally:
            handle.close()

    response = StreamingHttpResponse(chunks(), status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    return response
