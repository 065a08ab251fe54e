"""The Cloud API as the desk calls it (Graph API over HTTPS, ``requests``).

Sends: ``POST /<version>/<phone_number_id>/messages``; media out: ``POST …/<phone_number_id>/
media`` (multipart) then a message naming the media id; media in: ``GET /<version>/<media_id>``
gives a short-lived URL, fetched with the same bearer token. Graph errors
(``{"error": {"message", "code", "error_subcode", "error_data": {"details"}}}``) become a
``SendError``: outages, time-outs and rate limits are retried, refusals are final.
"""

from __future__ import annotations

import hashlib
from typing import Any

import requests

from chat.models import Channel

from ..http import provider_session
from ..registry import SendError

TIMEOUT = (5, 30)  # connect, read (seconds)

# Graph error codes worth another try: throttling and temporary trouble on Meta's side.
RETRY_CODES = {1, 2, 4, 17, 341, 80007, 130429, 131000, 131016, 131056, 133004}
# The customer-service window is closed (re-engagement needs a template).
WINDOW_CLOSED = 131047


def _base(channel: Channel) -> str:
    root = channel.config.get("graph_url") or "https://graph.facebook.com"
    return f"{root}/{channel.config.get('api_version') or 'v21.0'}"


def _headers(channel: Channel) -> dict[str, str]:
    return {"Authorization": f"Bearer {channel.config.get('access_token', '')}"}


def graph_error(response: requests.Response) -> SendError:
    """The reason and whether to try again, from a Graph error answer."""
    try:
        error = response.json().get("error") or {}
    except ValueError:
        error = {}
    code = error.get("code")
    details = (error.get("error_data") or {}).get("details") or ""
    message = str(error.get("message") or f"HTTP {response.status_code}")
    reason = f"WhatsApp: {message}" + (f" — {details}" if details else "")
    if code is not None:
        reason += f" (code {code})"
    if code == WINDOW_CLOSED:
        return SendError(
            "WhatsApp: more than 24 hours have passed since the customer last wrote; "
            "send an approved template instead (code 131047).",
            retry=False,
        )
    retry = response.status_code >= 500 or response.status_code == 429 or code in RETRY_CODES
    return SendError(reason[:480], retry=retry)


def _call(method: str, url: str, channel: Channel, **kwargs: Any) -> requests.Response:
    try:
        response = provider_session().request(
            method, url, headers=_headers(channel), timeout=TIMEOUT, allow_redirects=False, **kwargs
        )
    except requests.Timeout as exc:
        raise SendError(f"WhatsApp did not answer in time ({type(exc).__name__}).") from exc
    except requests.RequestException as exc:
        raise SendError(f"WhatsApp could not be reached: {type(exc).__name__}.") from exc
    if not 200 <= response.status_code < 300:
        raise graph_error(response)
    return response


def message_post(channel: Channel, payload: dict[str, Any]) -> str:
    """Send one message; the provider's id (``wamid.…``)."""
    url = f"{_base(channel)}/{channel.config['phone_number_id']}/messages"
    body = {"messaging_product": "whatsapp", "recipient_type": "individual", **payload}
    response = _call("POST", url, channel, json=body)
    try:
        return str(response.json()["messages"][0]["id"])
    except (ValueError, KeyError, IndexError, TypeError):
        raise SendError("WhatsApp answered without a message id.") from None


def media_upload(channel: Channel, *, name: str, content: bytes, content_type: str) -> str:
    url = f"{_base(channel)}/{channel.config['phone_number_id']}/media"
    response = _call(
        "POST",
        url,
        channel,
        data={"messaging_product": "whatsapp", "type": content_type},
        files={"file": (name, content, content_type)},
    )
    try:
        return str(response.json()["id"])
    except (ValueError, KeyError, TypeError):
        raise SendError("WhatsApp answered the upload without a media id.") from None


class MediaTooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def media_fetch(channel: Channel, media_id: str, *, max_bytes: int) -> tuple[bytes, str]:
    """A shopper's media: its URL from the Graph API, then the bytes (at most ``max_bytes``;
    ``MediaTooLarge`` past it, without downloading the rest), checked against the sha256 the
    Cloud API gives. ``SendError`` for an outage (the inbound event is retried)."""
    meta = _call("GET", f"{_base(channel)}/{media_id}", channel).json()
    url = str(meta.get("url") or "")
    if not url.startswith(("https://", "http://")):
        raise SendError("WhatsApp gave no media URL.", retry=False)
    size = int(meta.get("file_size") or 0)
    if size > max_bytes:
        raise MediaTooLarge(size)
    try:
        with provider_session().get(
            url, headers=_headers(channel), timeout=TIMEOUT, stream=True, allow_redirects=False
        ) as response:
            if response.status_code != 200:
                raise graph_error(response)
            chunks, total = [], 0
            for chunk in response.iter_content(64 * 1024):
                total += len(chunk)
                if total > max_bytes:
                    raise MediaTooLarge(total)
                chunks.append(chunk)
    except requests.RequestException as exc:
        raise SendError(f"WhatsApp media could not be fetched: {type(exc).__name__}.") from exc
    content = b"".join(chunks)
    expected = str(meta.get("sha256") or "")
    if expected and hashlib.sha256(content).hexdigest() != expected.lower():
        raise SendError("WhatsApp media did not match its checksum.")
    return content, str(meta.get("mime_type") or "")
