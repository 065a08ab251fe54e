"""The Official Account's push URL: ``/inboxes/wechat/<channel public id>/``.

``GET`` is WeChat's server check: ``signature`` = SHA1 of the sorted token, ``timestamp`` and
``nonce`` → ``echostr`` echoed. ``POST`` carries the same query signature; in safe mode
(``encoding_aes_key`` set) the body is ``<xml><Encrypt>…</Encrypt></xml>`` with
``encrypt_type=aes`` and ``msg_signature``, decrypted with wechatpy (AES-CBC, the appid
checked). An unsigned, wrongly signed, unencrypted-in-safe-mode or malformed push gets a 4xx
and stores nothing. Each message is stored under its ``MsgId`` (WeChat retries three times
within 15 s: the repeats store nothing new) and handled by a Celery task; the answer is
``success`` at once (WeChat's "no passive reply"). Events (follow, menu clicks) open nothing.
"""

from __future__ import annotations

import logging
import uuid

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.utils import check_signature

from chat.models import Channel

from ..queue import event_accept

logger = logging.getLogger(__name__)
MAX_BODY = 256 * 1024
MESSAGE_TYPES = {"text", "image", "voice", "video", "shortvideo", "location", "link"}


def _error(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail}, status=status)


def _channel(public_id: str) -> Channel | None:
    try:
        key = uuid.UUID(public_id)
    except ValueError:
        return None
    return Channel.objects.filter(public_id=key, kind=Channel.Kind.WECHAT, active=True).first()


def _signed(token: str, request: HttpRequest) -> bool:
    try:
        check_signature(
            token,
            request.GET.get("signature", ""),
            request.GET.get("timestamp", ""),
            request.GET.get("nonce", ""),
        )
    except InvalidSignatureException:
        return False
    return True


@csrf_exempt
def wechat_webhook(request: HttpRequest, channel_id: str) -> HttpResponse:
    channel = _channel(channel_id)
    if channel is None:
        return _error(404, "not_found", "Unknown channel.")
    config = channel.config
    token = str(config.get("token") or "")
    if request.method == "GET":
        if token and _signed(token, request):
            return HttpResponse(request.GET.get("echostr", ""), content_type="text/plain")
        return _error(403, "forbidden", "The signature does not match.")
    if request.method != "POST":
        return _error(405, "bad_request", "GET or POST only.")
    if len(request.body) > MAX_BODY:
        return _error(413, "bad_request", "The body is too large.")
    if not token or not _signed(token, request):
        return _error(401, "unauthorized", "The signature does not match.")
    xml = request.body.decode("utf-8", "replace")
    aes_key = str(config.get("encoding_aes_key") or "")
    if aes_key:
        if request.GET.get("encrypt_type") != "aes":
            return _error(401, "unauthorized", "This account takes encrypted pushes only.")
        crypto = WeChatCrypto(token, aes_key, config.get("appid", ""))
        try:
            xml = crypto.decrypt_message(
                xml,
                request.GET.get("msg_signature", ""),
                request.GET.get("timestamp", ""),
                request.GET.get("nonce", ""),
            )
        except (InvalidSignatureException, InvalidAppIdException):
            return _error(401, "unauthorized", "The encrypted message could not be verified.")
        except Exception as exc:  # malformed XML or ciphertext
            return _error(400, "bad_request", f"Not a WeChat push: {type(exc).__name__}.")
    try:
        message = parse_message(xml)
    except Exception as exc:
        return _error(400, "bad_request", f"Not a WeChat push: {type(exc).__name__}.")
    if not getattr(message, "source", None) or not getattr(message, "type", None):
        return _error(400, "bad_request", "Not a WeChat push: no sender.")
    if message.type in MESSAGE_TYPES:
        if not message.id:
            return _error(400, "bad_request", "Not a WeChat push: no MsgId.")
        if message.target and config.get("original_id") and message.target != config["original_id"]:
            logger.warning("WeChat push for %s on channel %s", message.target, channel.pk)
        event_accept(channel=channel, external_id=str(message.id), payload=xml.encode())
    return HttpResponse("success", content_type="text/plain")
