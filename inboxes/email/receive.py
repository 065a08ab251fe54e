"""One email in, from any source (an ESP's inbound webhook through anymail, IMAP polling):
machine mail is set aside, the thread is found, and the shopper's new text goes through the
one inbound path. The whole email is kept beside the message (``EmailDetail``)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from chat.access import conversation_locked_load
from chat.attachments import storage as media_storage
from chat.models import Channel, Conversation, Message
from chat.services.messages import message_create

from ..inbound import (
    Inbound,
    InboundAttachment,
    Received,
    already_received,
    inbound_receive,
    record_dropped,
)
from ..models import EmailDetail, ExternalMessage, OutboundDelivery
from ..outbound import delivery_status_set
from . import loops
from .clean import reply_text, sanitize_html
from .parse import ParsedMail, parse_mail
from .threading import addressed_to, conversation_from_address, thread_from_references

logger = logging.getLogger(__name__)

# Largest email kept whole (the original); bigger ones keep their text and headers only.
RAW_KEEP_BYTES = 25 * 1024 * 1024


@dataclass
class MailResult:
    """What became of one email: ``received`` when it reached a conversation as a message,
    else ``dropped`` says why (auto-reply, bounce, mailing-list, loop, duplicate)."""

    received: Received | None = None
    dropped: str = ""


_CHANNELS_TTL = 10.0
_channels_cache: tuple[float, list[Channel]] = (0.0, [])


def email_channels() -> list[Channel]:
    """The active email channels, cached for 10 s per process (every inbound mail routes by
    them; a channel saved in the admin drops the cache)."""
    global _channels_cache
    at, channels = _channels_cache
    if time.monotonic() - at < _CHANNELS_TTL:
        return channels
    channels = list(Channel.objects.filter(kind=Channel.Kind.EMAIL, active=True).order_by("pk"))
    _channels_cache = (time.monotonic(), channels)
    return channels


def email_channels_changed(**_kwargs: object) -> None:
    global _channels_cache
    _channels_cache = (0.0, [])


def channel_for_recipients(addresses: list[str]) -> Channel | None:
    for channel in email_channels():
        if addressed_to(channel, addresses):
            return channel
    return None


def _own_addresses() -> set[str]:
    return {str(c.config.get("address", "")).lower() for c in email_channels()}


def _thread(channel: Channel, mail: ParsedMail) -> int | None:
    return _thread_and_channel(channel, mail)[0]


def _thread_and_channel(channel: Channel, mail: ParsedMail) -> tuple[int | None, int | None]:
    """The conversation the mail continues and, when the same read told it, its channel."""
    by_address = conversation_from_address(channel, mail.to + mail.cc + mail.delivered_to)
    if by_address is not None:
        return by_address, None
    found = thread_from_references(channel, mail.in_reply_to + list(reversed(mail.references)))
    return found if found is not None else (None, None)


def _keep_raw(raw: bytes) -> str:
    if not raw or len(raw) > RAW_KEEP_BYTES:
        return ""
    return media_storage.save_bytes(media_storage.new_storage_name(".eml", "mail"), raw)


def _detail_writer(mail: ParsedMail, raw_name: str):  # type: ignore[no-untyped-def]
    def write(message: Message) -> None:
        EmailDetail.objects.create(
            message=message,
            direction=ExternalMessage.Direction.IN,
            mail_id=mail.message_id,
            in_reply_to=" ".join(mail.in_reply_to)[:998],
            references=" ".join(mail.references),
            subject=mail.subject,
            from_address=f"{mail.from_name} <{mail.from_address}>"
            if mail.from_name
            else mail.from_address,
            to=", ".join(mail.to),
            cc=", ".join(mail.cc),
            text=mail.text.replace("\x00", ""),
            html=sanitize_html(mail.html.replace("\x00", "")),
            raw=raw_name,
        )

    return write


def _machine_note(channel: Channel, mail: ParsedMail, why: str) -> None:
    """An auto-reply in a thread we know is shown to the agents as a private note (it may say
    the shopper is away); it is never sent on, never reopens and never wakes the bot."""
    conversation_id = _thread(channel, mail)
    if conversation_id is None:
        return
    with transaction.atomic():
        if not Conversation.objects.select_for_update().filter(pk=conversation_id).exists():
            return
        text = _("Automatic reply received (%(why)s): %(subject)s") % {
            "why": why,
            "subject": mail.subject or _("no subject"),
        }
        body = reply_text(mail.text, mail.html)[:500]
        message_create(
            conversation=conversation_locked_load(conversation_id),
            sender_kind=Message.SenderKind.SYSTEM,
            body=f"{text}\n{body}".strip(),
            private=True,
        )


def _bounce(channel: Channel, mail: ParsedMail) -> None:
    reason = loops.bounce_reason(mail)
    for message_id in loops.bounced_message_ids(mail):
        if delivery_status_set(
            channel=channel,
            external_id=message_id,
            status=OutboundDelivery.Status.FAILED,
            error=reason,
        ):
            return


def email_receive(*, channel: Channel, raw: bytes) -> MailResult:
    """Take one email (MIME bytes) addressed to ``channel``."""
    mail = parse_mail(raw)
    if already_received(channel, mail.message_id) is not None:
        return MailResult(dropped="duplicate")
    why = loops.machine_mail(mail, own_addresses=_own_addresses())
    if why:
        if record_dropped(channel=channel, external_id=mail.message_id, note=why):
            if why == loops.BOUNCE:
                _bounce(channel, mail)
            elif why == loops.AUTO_REPLY:
                _machine_note(channel, mail, why)
            logger.info("email %s on channel %s set aside: %s", mail.message_id, channel.pk, why)
        return MailResult(dropped=why)
    if not mail.from_address or "@" not in mail.from_address:
        record_dropped(channel=channel, external_id=mail.message_id, note="no sender")
        return MailResult(dropped="no sender")
    hint, hint_channel = _thread_and_channel(channel, mail)
    # An answer to a web chat's transcript: the conversation is the widget's, so the mail
    # opens an email conversation; answering our mail proves the address, so the sender is
    # linked to that shopper (the customer, or the browser's visitor). (A thread found by its
    # references came with its channel: on this one, nothing more to read.)
    other = (
        Conversation.objects.select_related("visitor")
        .filter(pk=hint)
        .exclude(channel=channel)
        .first()
        if hint is not None and hint_channel != channel.pk
        else None
    )
    text = reply_text(mail.text, mail.html)
    inbound = Inbound(
        external_id=mail.message_id,
        address=mail.from_address,
        name=mail.from_name,
        body=text if text else ("" if mail.attachments else (mail.subject or "…")),
        attachments=[
            InboundAttachment(name=a.name, content=a.content, content_type=a.content_type)
            for a in mail.attachments
        ],
        conversation_hint=None if other is not None else hint,
        new_thread=True,
        customer=(other.customer or other.visitor.customer) if other is not None else None,
        subject=mail.subject,
        after_store=_detail_writer(mail, _keep_raw(raw)),
    )
    received = inbound_receive(channel=channel, identity_kind="email", inbound=inbound, looked=True)
    if other is not None and other.visitor.customer_id is None and received.message is not None:
        contact = received.message.conversation.visitor
        from chat.services.visitors import visitor_link_customer

        if contact.customer is not None:
            visitor_link_customer(visitor=other.visitor, customer=contact.customer)
    return MailResult(received=received)
