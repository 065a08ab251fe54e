"""A stored WeChat push becomes a message (the queue's processor for WeChat channels).

Text; images, voice and video fetched with the temporary-media API (``media/get``) and put
through the media pipeline (a voice clip in a format the desk does not take — WeChat's AMR —
leaves the usual note, with WeChat's speech recognition as the text when the account has it
on); locations and links as text. The contact's address is ``<appid>:<openid>`` (openids are
per account).
"""

from __future__ import annotations

import mimetypes

from wechatpy import parse_message

from chat.models import Channel

from ..inbound import Inbound, InboundAttachment, inbound_receive
from .client import wechat_call, wechat_client

_EXT = {"image": ".jpg", "voice": ".amr", "video": ".mp4", "shortvideo": ".mp4"}


def wechat_address(channel: Channel, openid: str) -> str:
    return f"{channel.config.get('appid', '')}:{openid}"


def wechat_receive(*, channel: Channel, raw: bytes) -> None:
    message = parse_message(raw.decode("utf-8"))
    kind = message.type
    body = ""
    attachments: list[InboundAttachment] = []
    if kind == "text":
        body = message.content or ""
    elif kind == "location":
        body = f"📍 {message.label or ''} ({message.location_x}, {message.location_y})".replace(
            "📍  (", "📍 ("
        )
    elif kind == "link":
        body = f"{message.title}\n{message.url}".strip()
    elif kind in ("image", "voice", "video", "shortvideo"):
        if kind == "voice":
            body = message.recognition or ""
        client = wechat_client(channel)
        response = wechat_call(lambda: client.media.download(message.media_id))
        content = getattr(response, "content", b"")
        content_type = (getattr(response, "headers", {}) or {}).get("Content-Type", "")
        content_type = content_type.split(";")[0].strip()
        extension = mimetypes.guess_extension(content_type) or _EXT[kind]
        if kind == "voice" and message.format:
            extension = "." + str(message.format).lower()
        attachments.append(
            InboundAttachment(
                name=f"{kind}-{str(message.id)[-8:]}{extension}",
                content=content,
                content_type=content_type,
            )
        )
    inbound_receive(
        channel=channel,
        identity_kind="wechat",
        inbound=Inbound(
            external_id=str(message.id),
            address=wechat_address(channel, message.source),
            body=body,
            attachments=attachments,
        ),
    )
