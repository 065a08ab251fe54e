"""The channels' listeners and hooks; ``connect()`` (from ``InboxesConfig.ready``) wires them."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from chat import events
from chat.models import Channel, Conversation
from helpdesk import dispatch
from helpdesk.pending import pending_delay

from . import registry
from .contacts import customer_contacts


def _email_extra(conversation: Conversation) -> dict[str, Any]:
    try:
        state = conversation.channel_state  # type: ignore[attr-defined]
    except Exception:
        return {}
    return {"subject": state.subject} if state is not None and state.subject else {}


def _whatsapp_extra(conversation: Conversation) -> dict[str, Any]:
    """The approved templates an agent may send (the composer's picker)."""
    from .whatsapp.templates import channel_templates

    return {"templates": channel_templates(conversation.channel)}


def register_kinds() -> None:
    from . import queue
    from .api.tokens import check_api_config
    from .api.webhooks import api_send
    from .email.config import check_email_config
    from .email.receive import email_receive
    from .email.send import email_send
    from .wechat.config import check_wechat_config
    from .wechat.receive import wechat_receive
    from .wechat.send import wechat_send
    from .whatsapp.config import check_whatsapp_config
    from .whatsapp.receive import whatsapp_receive
    from .whatsapp.send import whatsapp_send
    from .windows import window_rule

    queue.processors[Channel.Kind.EMAIL] = lambda channel, raw: email_receive(
        channel=channel, raw=raw
    )
    queue.processors[Channel.Kind.WHATSAPP] = lambda channel, raw: whatsapp_receive(
        channel=channel, raw=raw
    )
    queue.processors[Channel.Kind.WECHAT] = lambda channel, raw: wechat_receive(
        channel=channel, raw=raw
    )
    registry.register(registry.ChannelKind(kind=Channel.Kind.WEB))
    registry.register(
        registry.ChannelKind(
            kind=Channel.Kind.EMAIL,
            check_config=check_email_config,
            sender=email_send,
            identity_kind="email",
            staff_fields=_email_extra,
        )
    )
    registry.register(
        registry.ChannelKind(
            kind=Channel.Kind.API,
            check_config=check_api_config,
            sender=api_send,
            identity_kind="app",
        )
    )
    registry.register(
        registry.ChannelKind(
            kind=Channel.Kind.WHATSAPP,
            check_config=check_whatsapp_config,
            sender=whatsapp_send,
            window=window_rule(24, platform="WhatsApp", template=True),  # type: ignore[arg-type]
            identity_kind="whatsapp",
            staff_fields=_whatsapp_extra,
        )
    )
    registry.register(
        registry.ChannelKind(
            kind=Channel.Kind.WECHAT,
            check_config=check_wechat_config,
            sender=wechat_send,
            window=window_rule(48, platform="WeChat", template=False),  # type: ignore[arg-type]
            identity_kind="wechat",
        )
    )


def conversation_channel_payload(conversation: Conversation, staff: bool) -> dict[str, Any]:
    """Staff view: the channel's messaging window (shown in the composer) and kind extras."""
    if not staff or conversation.pk is None:
        return {}
    channel = conversation.channel
    spec = registry.kind_of(channel.kind)
    window = None
    extra: dict[str, Any] = {}
    if spec is not None and spec.window is not None:
        last = None
        try:
            state = conversation.channel_state  # type: ignore[attr-defined]
            last = state.last_inbound_at
        except Exception:
            last = None
        rule = spec.window(conversation, last)
        if rule is not None:
            window = {
                "open": rule.open,
                "closes_at": events.isoformat(rule.closes_at),
                "reason": rule.reason,
                "template": rule.template,
            }
    if spec is not None and spec.staff_fields is not None:
        extra = spec.staff_fields(conversation)
    return {"channel_window": window, **({"channel_extra": extra} if extra else {})}


def window_gate(conversation: Conversation) -> None:
    """An agent-reply gate (``agent_reply_gate_register``): outside a channel's messaging
    window a free reply cannot go out; the agent is told why (and, where the platform has
    them, to use a template)."""
    spec = registry.kind_of(conversation.channel.kind)
    if spec is None or spec.window is None:
        return
    from .whatsapp.templates import template_sending

    if template_sending.get():
        return  # an approved template may go out at any time
    try:
        last = conversation.channel_state.last_inbound_at  # type: ignore[attr-defined]
    except Exception:
        last = None
    rule = spec.window(conversation, last)
    if rule is not None and not rule.open:
        from helpdesk.errors import Forbidden

        raise Forbidden(rule.reason, fields={"window": [rule.reason]})


def on_opened(event: dispatch.DomainEvent) -> None:
    """A new conversation: the channel's greeting (or out-of-hours message) after commit."""
    from .inbound import arriving_channel

    conversation_id = event.conversation_id
    if conversation_id is None:
        return
    channel = arriving_channel()
    if channel is not None and not (channel.greeting.strip() or channel.closed_message.strip()):
        # A provider's event on a channel with neither text (most email addresses): nothing
        # to send, so no transaction to find that out (four statements per new thread).
        return
    transaction.on_commit(lambda: greeting_send(conversation_id=conversation_id), robust=True)


def greeting_send(*, conversation_id: int) -> None:
    from chat.access import conversation_locked_load
    from chat.models import Message
    from chat.services.messages import message_create

    from .windows import channel_open_at

    with transaction.atomic():
        row = Conversation.objects.select_for_update().filter(pk=conversation_id).first()
        if row is None:
            return
        conversation = conversation_locked_load(conversation_id)
        channel = conversation.channel
        text = channel.greeting
        if channel.closed_message and not channel_open_at(channel, timezone.now()):
            text = channel.closed_message
        if not text.strip():
            return
        message_create(
            conversation=conversation,
            sender_kind=Message.SenderKind.BOT,
            sender_name=channel.name,
            body=text.strip(),
            client_id=f"greeting-{conversation_id}",
        )
        events.publish_conversation(conversation, shopper=False)


def on_resolved(event: dispatch.DomainEvent) -> None:
    """A resolved web chat mails its transcript when its channel asks for it."""
    conversation_id = event.conversation_id
    if conversation_id is None:
        return
    conversation = event.data.get("conversation")
    channel = conversation.channel if conversation is not None else None
    if channel is None:
        channel = (
            Channel.objects.filter(conversations__pk=conversation_id).only("kind", "config").first()
        )
    if channel is None or channel.kind != Channel.Kind.WEB or not channel.config.get("transcripts"):
        return

    from .tasks import transcript

    # Written down with the resolution: a transcript the broker lost is mailed by the sweep.
    # The key makes the mail go out once though the task may run twice (a worker killed
    # after the send: inboxes.models.TranscriptMail).
    pending_delay(transcript, conversation_id=conversation_id, key=uuid.uuid4().hex)


def contacts_sidebar(customer_id: int | None) -> dict[str, Any]:
    """The sidebar's ``contacts``: every address that reaches the shopper, and the merges that
    joined them (one customer); None for a shopper who is not a known customer."""
    return {"contacts": customer_contacts(customer_id) if customer_id else None}


def connect() -> None:
    """The channels' wiring, in the order it runs (docs/architecture.md lists it)."""
    from django.db.models.signals import post_delete, post_save

    from chat.services.message_send import agent_reply_gate_register
    from chat.sidebar import sidebar_part_register
    from orders.privacy import register_erase, register_export
    from orders.services.identity import register_merge

    from . import inbound, outbound
    from .api import events as api_events
    from .contacts import merge_chat
    from .email.receive import email_channels_changed
    from .privacy import erase_channels, export_channels

    register_kinds()
    Event = dispatch.Event
    dispatch.subscribe(Event.MESSAGE_CREATED, inbound.on_message_created)
    dispatch.subscribe(Event.MESSAGE_CREATED, outbound.on_message_created)
    dispatch.subscribe(Event.CONVERSATION_OPENED, on_opened)
    dispatch.subscribe(Event.CONVERSATION_RESOLVED, on_resolved)
    # Status changes of an API-channel conversation go to the shop's app.
    for name in (
        Event.CONVERSATION_RESOLVED,
        Event.CONVERSATION_STATUS_CHANGED,
        Event.CONVERSATION_REOPENED,
    ):
        dispatch.subscribe(name, api_events.on_status)
    events.message_payload_register(outbound.message_delivery_payload)
    events.conversation_payload_register(conversation_channel_payload)
    events.agent_typing_register(api_events.on_agent_typing)
    agent_reply_gate_register(window_gate)
    register_merge(merge_chat)
    sidebar_part_register(contacts_sidebar)
    register_export(export_channels)
    register_erase(erase_channels)
    post_save.connect(email_channels_changed, sender=Channel, dispatch_uid="inboxes-email-cache")
    post_delete.connect(
        email_channels_changed, sender=Channel, dispatch_uid="inboxes-email-cache-d"
    )
    post_delete.connect(events.channel_kinds_forget, sender=Channel, dispatch_uid="channel-kinds")
    _connect_anymail()


def _connect_anymail() -> None:
    from anymail.signals import inbound, tracking

    from .email.webhooks import on_inbound, on_tracking

    inbound.connect(on_inbound, dispatch_uid="inboxes-email-inbound")
    tracking.connect(on_tracking, dispatch_uid="inboxes-email-tracking")
