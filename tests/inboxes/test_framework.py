"""The adapter framework as a new channel uses it: a kind registered with a sender and a
messaging window (a stand-in for WhatsApp here), inbound through ``inbound_receive``,
provider statuses as receipts, the window enforced and shown, greeting, bot switch, filter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from chat import events
from chat.access import Actor
from chat.models import Channel, Conversation
from chat.services import message_send
from helpdesk.errors import Forbidden
from inboxes import registry
from inboxes.inbound import Inbound, inbound_receive
from inboxes.models import ConversationChannelState, OutboundDelivery
from inboxes.outbound import delivery_status_set
from inboxes.windows import window_rule
from tests.factories import make_agent

pytestmark = pytest.mark.django_db

SENT: list[Any] = []


def fake_send(ctx: registry.SendContext) -> str:
    SENT.append((ctx.conversation.visitor.address, ctx.message.body))
    return f"wamid.{ctx.message.pk}"


@pytest.fixture
def chat_app_kind() -> Iterator[Channel]:
    previous = registry.kind_of("whatsapp")
    registry.register(
        registry.ChannelKind(
            kind="whatsapp",
            sender=fake_send,
            window=window_rule(24, platform="WhatsApp", template=True),  # type: ignore[arg-type]
            identity_kind="whatsapp",
        )
    )
    SENT.clear()
    try:
        yield Channel.objects.create(name="WhatsApp", kind="whatsapp")
    finally:
        registry._kinds.pop("whatsapp", None)
        if previous is not None:
            registry.register(previous)


def receive(channel: Channel, external_id: str, body: str = "hi", **kw: Any) -> Any:
    return inbound_receive(
        channel=channel,
        identity_kind="whatsapp",
        inbound=Inbound(
            external_id=external_id, address="+86 138 0000 0000", name="Wei", body=body, **kw
        ),
    )


def test_provider_event_to_conversation_dedupe_reply_and_receipts(
    chat_app_kind, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = receive(chat_app_kind, "wamid.A")
        again = receive(chat_app_kind, "wamid.A")
    assert first.created and not again.created and again.message.pk == first.message.pk
    conversation = Conversation.objects.get(channel=chat_app_kind)
    assert conversation.visitor.address == "+8613800000000"
    staff = events.conversation_payload(
        Conversation.objects.select_related("channel_state", "channel").get(), staff=True
    )
    assert staff["channel"]["kind"] == "whatsapp"
    assert staff["channel_window"]["open"] is True and staff["channel_window"]["closes_at"]
    agent = make_agent()
    with django_capture_on_commit_callbacks(execute=True):
        reply, _ = message_send(
            actor=Actor(user=agent),
            client_id="r1",
            body="Hello Wei",
            conversation_id=conversation.pk,
        )
    assert SENT == [("+8613800000000", "Hello Wei")]
    assert OutboundDelivery.objects.get(message=reply).status == "sent"
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery_status_set(
            channel=chat_app_kind, external_id=f"wamid.{reply.pk}", status="delivered"
        )
        assert delivery_status_set(
            channel=chat_app_kind, external_id=f"wamid.{reply.pk}", status="read"
        )
        assert not delivery_status_set(
            channel=chat_app_kind, external_id=f"wamid.{reply.pk}", status="delivered"
        )
    conversation.refresh_from_db()
    assert (
        conversation.visitor_delivered_seq >= reply.seq
        and conversation.visitor_read_seq >= reply.seq
    )
    assert OutboundDelivery.objects.get(message=reply).status == "read"


def test_outside_the_window_the_agent_is_told_why(
    chat_app_kind, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        receive(chat_app_kind, "wamid.B")
    conversation = Conversation.objects.get()
    ConversationChannelState.objects.filter(conversation=conversation).update(
        last_inbound_at=timezone.now() - dt.timedelta(hours=25)
    )
    agent = make_agent()
    with pytest.raises(Forbidden) as caught:
        message_send(
            actor=Actor(user=agent), client_id="late", body="Sorry", conversation_id=conversation.pk
        )
    assert "24 hours" in str(caught.value.detail)
    # A private note is still fine; nothing was sent.
    message_send(
        actor=Actor(user=agent),
        client_id="n",
        body="note",
        conversation_id=conversation.pk,
        private=True,
    )
    assert SENT == []
    staff = events.conversation_payload(
        Conversation.objects.select_related("channel_state", "channel").get(), staff=True
    )
    assert staff["channel_window"]["open"] is False and staff["channel_window"]["template"] is True


def test_greeting_and_bot_switch(chat_app_kind, django_capture_on_commit_callbacks) -> None:
    chat_app_kind.greeting = "Hi! A person will answer soon."
    chat_app_kind.bot_enabled = False
    chat_app_kind.save()
    with django_capture_on_commit_callbacks(execute=True):
        receive(chat_app_kind, "wamid.C")
    conversation = Conversation.objects.get()
    greeting = conversation.messages.get(sender_kind="bot")
    assert greeting.body == "Hi! A person will answer soon."
    assert SENT == [("+8613800000000", "Hi! A person will answer soon.")]
    from chat.bot.listeners import bot_takes_turn

    assert bot_takes_turn(conversation.pk) is False


def test_workspace_list_filters_by_channel(
    chat_app_kind, django_capture_on_commit_callbacks
) -> None:
    from tests.factories import make_visitor, shopper_says

    with django_capture_on_commit_callbacks(execute=True):
        receive(chat_app_kind, "wamid.D")
        shopper_says(make_visitor(), "from the web")
    client = APIClient()
    client.force_login(make_agent())
    listed = client.get(f"/api/v1/conversations/?channel={chat_app_kind.pk}").json()["results"]
    assert [c["channel"]["kind"] for c in listed] == ["whatsapp"]
    everything = client.get("/api/v1/conversations/").json()["results"]
    assert {c["channel"]["kind"] for c in everything} == {"whatsapp", "web"}
    assert client.get("/api/v1/conversations/?channel=x").status_code == 400
    channels = client.get("/api/v1/channels/").json()
    assert {c["kind"] for c in channels} >= {"whatsapp", "web"}


def test_web_widget_shows_only_its_channels_conversation(
    chat_app_kind, django_capture_on_commit_callbacks
) -> None:
    """A verified shopper's email or app conversation is not what the widget opens."""
    from chat.selectors import conversation_current_for_visitor
    from tests.factories import make_visitor

    with django_capture_on_commit_callbacks(execute=True):
        received = receive(chat_app_kind, "wamid.E")
    customer = Conversation.objects.get().customer
    browser = make_visitor(customer=customer)
    assert received.conversation_id is not None
    assert conversation_current_for_visitor(visitor=browser) is None
