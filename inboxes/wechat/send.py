"""An agent's or the bot's message to a WeChat follower: the customer-service message API
(``message/custom/send``), text, or an image / voice / video uploaded as temporary media first.
WeChat's customer-service messages carry no files: a file fails at once, saying so."""

from __future__ import annotations

import io

from chat.models import Message

from ..registry import SendContext, SendError
from .client import wechat_call, wechat_client

_TYPES = {"image": "image", "audio": "voice", "video": "video"}


def wechat_send(ctx: SendContext) -> str:
    message: Message = ctx.message
    address = ctx.conversation.visitor.address
    openid = address.split(":", 1)[1] if ":" in address else address
    if not openid:
        raise SendError("The follower has no openid (erased?).", retry=False)
    client = wechat_client(ctx.channel)
    attachment = getattr(message, "attachment", None) if message.kind != Message.Kind.TEXT else None
    if attachment is None:
        if not message.body.strip():
            raise SendError("The message is empty.", retry=False)
        wechat_call(lambda: client.message.send_text(openid, message.body))
        return ""
    kind = _TYPES.get(str(attachment.kind))
    if kind is None:
        raise SendError(
            "WeChat's customer-service messages cannot carry files; send a link instead.",
            retry=False,
        )
    with attachment.file.open("rb") as handle:
        content = handle.read()
    uploaded = wechat_call(
        lambda: client.media.upload(kind, (attachment.name, io.BytesIO(content)))
    )
    media_id = uploaded["media_id"]
    if kind == "image":
        wechat_call(lambda: client.message.send_image(openid, media_id))
    elif kind == "voice":
        wechat_call(lambda: client.message.send_voice(openid, media_id))
    else:
        wechat_call(lambda: client.message.send_video(openid, media_id, title=attachment.name))
    if message.body.strip():
        wechat_call(lambda: client.message.send_text(openid, message.body))
    return ""
