"""WeChat Official Account end to end against a local server speaking WeChat's API format:
push signatures and safe-mode (AES) decryption with wechatpy, MsgId dedupe, media in and out,
the customer-service message API with its access token, the 48-hour window."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import time
from collections.abc import Iterator
from typing import Any

import pytest
import xmltodict
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from wechatpy.crypto import WeChatCrypto

from chat import events
from chat.access import Actor
from chat.attachments import services as media_services
from chat.models import Channel, Conversation, Message
from chat.services import message_send
from helpdesk.errors import Forbidden
from inboxes.models import ConversationChannelState, ExternalMessage, InboundEvent, OutboundDelivery
from inboxes.wechat.config import check_wechat_config
from orders.models import ContactIdentity
from tests.chat.attachments import samples
from tests.factories import make_agent
from tests.providers import WeChatApi, provider_server

pytestmark = pytest.mark.django_db

APPID = "wx1234567890abcdef"
SECRET = "wechat-app-secret"
TOKEN = "deskToken2026"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
_ids = itertools.count(6_800_000_000_000_000_001)


@pytest.fixture
def wechat() -> Iterator[WeChatApi]:
    api = WeChatApi(APPID, SECRET)
    cache.delete(f"wechat:{APPID}_access_token")
    with provider_server(api) as url:
        api.url = url  # type: ignore[attr-defined]
        yield api
    cache.delete(f"wechat:{APPID}_access_token")


def make_channel(api: WeChatApi, **extra: Any) -> Channel:
    config = check_wechat_config(
        {"appid": APPID, "secret": SECRET, "token": TOKEN, "api_url": api.url, **extra}  # type: ignore[attr-defined]
    )
    return Channel.objects.create(name="WeChat", kind="wechat", config=config, bot_enabled=False)


@pytest.fixture
def channel(wechat: WeChatApi) -> Channel:
    return make_channel(wechat)


def push_xml(kind: str = "text", msg_id: int | None = None, **fields: Any) -> str:
    data: dict[str, Any] = {
        "ToUserName": "gh_7f083739789a",
        "FromUserName": OPENID,
        "CreateTime": str(int(time.time())),
        "MsgType": kind,
    }
    if kind == "text":
        data["Content"] = fields.pop("content", "我的订单到哪了？")
    data.update(fields)
    if kind != "event":
        data["MsgId"] = str(msg_id or next(_ids))
    return xmltodict.unparse({"xml": data}, full_document=False)


def signature(token: str, timestamp: str, nonce: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()


def post(
    client: Client,
    channel: Channel,
    xml: str,
    *,
    token: str = TOKEN,
    encrypt: bool = False,
    msg_signature: str | None = None,
) -> Any:
    timestamp, nonce = str(int(time.time())), "1320562132"
    query = {
        "signature": signature(token, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
    }
    body = xml
    if encrypt:
        crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)
        body = crypto.encrypt_message(xml, nonce, timestamp)
        query["encrypt_type"] = "aes"
        query["msg_signature"] = msg_signature or xmltodict.parse(body)["xml"]["MsgSignature"]
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    return client.post(
        f"/inboxes/wechat/{channel.public_id}/?{qs}", body.encode(), content_type="text/xml"
    )


def reply(agent: Any, conversation: Conversation, body: str, cid: str, **kw: Any) -> Message:
    message, _ = message_send(
        actor=Actor(user=agent), client_id=cid, body=body, conversation_id=conversation.pk, **kw
    )
    return message


def test_server_check_echoes_echostr_only_when_signed(channel, client: Client) -> None:
    timestamp, nonce = "1409304348", "xxxxxx"
    url = f"/inboxes/wechat/{channel.public_id}/"
    good = {"signature": signature(TOKEN, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
    ok = client.get(url, {**good, "echostr": "4927374846548372"})
    assert ok.status_code == 200 and ok.content == b"4927374846548372"
    bad = client.get(url, {**good, "signature": "0" * 40, "echostr": "x"})
    assert bad.status_code == 403


def test_text_in_reply_out_with_the_access_token_and_the_next_message_joins(
    channel, wechat: WeChatApi, client: Client, django_capture_on_commit_callbacks
) -> None:
    xml = push_xml(content="我的订单到哪了？")
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, channel, xml)
    assert response.status_code == 200 and response.content == b"success"
    conversation = Conversation.objects.get(channel=channel)
    assert conversation.messages.get().body == "我的订单到哪了？"
    assert conversation.visitor.address == f"{APPID}:{OPENID}"
    assert ContactIdentity.objects.filter(kind="wechat", value=f"{APPID}:{OPENID}").exists()
    # WeChat retries a push (three times within 15 s): nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, channel, xml).status_code == 200
    assert Message.objects.filter(conversation__channel=channel).count() == 1
    agent = make_agent()
    with django_capture_on_commit_callbacks(execute=True):
        first = reply(agent, conversation, "今天发货。", "r1")
    sent = wechat.wait(1)[0]
    assert sent == {"touser": OPENID, "msgtype": "text", "text": {"content": "今天发货。"}}
    assert OutboundDelivery.objects.get(message=first).status == "sent"
    assert wechat.token_fetches == 1
    # The token runs out on WeChat's side: wechatpy fetches a new one and the send goes out.
    wechat.expire()
    with django_capture_on_commit_callbacks(execute=True):
        second = reply(agent, conversation, "还有问题吗？", "r2")
    assert wechat.wait(2)[1]["text"]["content"] == "还有问题吗？"
    assert OutboundDelivery.objects.get(message=second).status == "sent"
    assert wechat.token_fetches == 2
    with django_capture_on_commit_callbacks(execute=True):
        post(client, channel, push_xml(content="谢谢"))
    assert Conversation.objects.filter(channel=channel).count() == 1
    assert conversation.messages.filter(sender_kind="visitor").count() == 2


def test_safe_mode_decrypts_and_refuses_plain_or_forged_pushes(
    wechat: WeChatApi, client: Client, django_capture_on_commit_callbacks
) -> None:
    channel = make_channel(wechat, encoding_aes_key=AES_KEY)
    plain = post(client, channel, push_xml())
    assert plain.status_code == 401
    forged = post(client, channel, push_xml(), encrypt=True, msg_signature="0" * 40)
    assert forged.status_code == 401
    wrong_token = post(client, channel, push_xml(), token="guess", encrypt=True)
    assert wrong_token.status_code == 401
    assert not InboundEvent.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        ok = post(client, channel, push_xml(content="加密消息"), encrypt=True)
    assert ok.status_code == 200, ok.content
    assert Conversation.objects.get(channel=channel).messages.get().body == "加密消息"


@pytest.mark.parametrize("tamper", ["signature", "garbage", "no-msgid"])
def test_forged_or_malformed_push_is_4xx_and_stores_nothing(
    channel, client: Client, tamper: str
) -> None:
    if tamper == "signature":
        response = post(client, channel, push_xml(), token="guess")
    elif tamper == "garbage":
        response = post(client, channel, "<xml><not closed")
    else:
        xml = push_xml().replace("<MsgId>", "<Other>").replace("</MsgId>", "</Other>")
        response = post(client, channel, xml)
    assert 400 <= response.status_code < 500
    assert response.json()["code"] in ("bad_request", "unauthorized")
    assert not InboundEvent.objects.exists() and not ExternalMessage.objects.exists()
    assert not Conversation.objects.exists()


def test_events_open_nothing(channel, client: Client) -> None:
    response = post(client, channel, push_xml("event", Event="subscribe"))
    assert response.status_code == 200 and response.content == b"success"
    assert not InboundEvent.objects.exists() and not Conversation.objects.exists()


def test_media_in_and_out(
    channel, wechat: WeChatApi, client: Client, django_capture_on_commit_callbacks
) -> None:
    image = wechat.add_media(samples.png(), "image/png")
    voice = wechat.add_media(b"#!AMR\n" + b"\x00" * 64, "audio/amr")
    video = wechat.add_media(samples.mp4(1.0, video=True), "video/mp4")
    pushes = [
        push_xml("image", PicUrl="http://mmbiz.qpic.cn/x", MediaId=image),
        push_xml("voice", MediaId=voice, Format="amr", Recognition="请问什么时候到"),
        push_xml("video", MediaId=video, ThumbMediaId="t"),
        push_xml("location", Location_X="31.23", Location_Y="121.47", Scale="15", Label="上海市"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        for xml in pushes:
            assert post(client, channel, xml).status_code == 200
    conversation = Conversation.objects.get(channel=channel)
    rows = list(conversation.messages.order_by("seq"))
    public = [(m.kind, m.body) for m in rows if not m.private]
    assert public == [
        ("image", ""),
        ("text", "请问什么时候到"),
        ("video", ""),
        ("text", "📍 上海市 (31.23, 121.47)"),
    ]
    notes = [m.body for m in rows if m.private]
    assert len(notes) == 1 and ".amr" in notes[0]  # AMR is not a type the desk takes
    agent = make_agent()
    content = samples.png()
    upload = media_services.attachment_upload(
        actor=Actor(user=agent),
        fileobj=__import__("io").BytesIO(content),
        name="label.png",
        size=len(content),
    )
    with django_capture_on_commit_callbacks(execute=True):
        message_send(
            actor=Actor(user=agent),
            client_id="img",
            body="",
            conversation_id=conversation.pk,
            attachment_id=str(upload.public_id),
        )
    sent = wechat.wait(1)[0]
    assert sent["msgtype"] == "image" and sent["image"]["media_id"].startswith("UP")
    # The pipeline re-encodes images (metadata stripped): the stored file is what goes out.
    assert [kind for kind, _ in wechat.uploads] == ["image"]
    assert wechat.uploads[0][1].startswith(b"\x89PNG")


def test_window_and_failures(
    channel, wechat: WeChatApi, client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        post(client, channel, push_xml())
    conversation = Conversation.objects.get(channel=channel)
    staff = events.conversation_payload(
        Conversation.objects.select_related("channel_state", "channel").get(), staff=True
    )
    assert staff["channel_window"]["open"] is True and staff["channel_window"]["template"] is False
    agent = make_agent()
    # WeChat busy, then fine: retried and sent.
    wechat.failures = [(-1, "system error")]
    with django_capture_on_commit_callbacks(execute=True):
        busy = reply(agent, conversation, "一", "w1")
    delivery = OutboundDelivery.objects.get(message=busy)
    assert delivery.status == "sent" and delivery.attempts == 2
    # WeChat says the 48 hours are over: failed at once, the agent told why.
    wechat.failures = [(45015, "response out of time limit or subscription is canceled")]
    with django_capture_on_commit_callbacks(execute=True):
        late = reply(agent, conversation, "二", "w2")
    delivery = OutboundDelivery.objects.get(message=late)
    assert delivery.status == "failed" and delivery.attempts == 1 and "48 hours" in delivery.error
    # The desk's own gate after 48 hours: refused before anything is stored.
    ConversationChannelState.objects.filter(conversation=conversation).update(
        last_inbound_at=timezone.now() - dt.timedelta(hours=49)
    )
    with pytest.raises(Forbidden) as caught:
        reply(agent, conversation, "三", "w3")
    assert "48 hours" in str(caught.value.detail)
    assert not Message.objects.filter(client_id="w3").exists()


def test_settings_are_checked() -> None:
    with pytest.raises(ValidationError) as caught:
        check_wechat_config({"appid": "wx1", "token": "a b", "encoding_aes_key": "short"})
    assert {"secret", "token", "encoding_aes_key"} <= set(caught.value.message_dict)
