"""A web chat's transcript mailed to the shopper (on resolve when the web channel asks for it,
or when an agent sends it). It leaves through the email channel marked for transcripts, with a
Message-ID the desk remembers: if the shopper answers it, the answer opens an email
conversation linked to the same customer (answering proves the address is theirs)."""

from __future__ import annotations

import datetime as dt
import logging
from email.utils import make_msgid

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.models import Channel, Conversation, Message
from helpdesk.errors import BadRequest, NotFound

from ..inbound import external_key
from ..models import ExternalMessage, TranscriptMail
from .send import LOOP_HEADER, connection_for, from_header

logger = logging.getLogger(__name__)


def transcript_channel() -> Channel | None:
    channels = Channel.objects.filter(kind=Channel.Kind.EMAIL, active=True).order_by("pk")
    marked = [c for c in channels if c.config.get("transcripts")]
    return marked[0] if marked else None


def transcript_address(conversation: Conversation) -> str:
    """Where the shopper asked to be written to: the visitor's or the customer's email."""
    visitor = conversation.visitor
    if visitor.email:
        return visitor.email
    customer = conversation.customer or visitor.customer
    return customer.email if customer is not None and customer.email else ""


class TranscriptBusy(Exception):
    """Another worker holds this transcript's send; a pending task stays for the sweep."""


def _claim(key: str, conversation: Conversation, domain: str) -> str | None:
    """Take the request ``key`` for one try: its Message-ID, or None when it was mailed
    already. Raises ``TranscriptBusy`` while another try holds it."""
    from ..outbound import conf

    now = timezone.now()
    with transaction.atomic():
        row, _created = TranscriptMail.objects.select_for_update().get_or_create(
            key=key,
            defaults={
                "conversation": conversation,
                "mail_id": make_msgid(domain=domain).strip("<>"),
            },
        )
        if row.sent_at is not None:
            return None
        if row.claimed_until is not None and row.claimed_until > now:
            raise TranscriptBusy(f"transcript {key} is being sent")
        row.claimed_until = now + dt.timedelta(seconds=float(conf("CLAIM_SECONDS")))
        row.save(update_fields=["claimed_until"])
        return row.mail_id


def transcript_send(*, conversation_id: int, to: str = "", key: str = "") -> str:
    """Mail the public messages of a conversation; returns the address written to. With a
    ``key`` (every caller gives one) the request is mailed once however often it runs."""
    conversation = (
        Conversation.objects.select_related("visitor__customer", "customer", "channel")
        .filter(pk=conversation_id)
        .first()
    )
    if conversation is None:
        raise NotFound("Conversation not found.")
    channel = transcript_channel()
    if channel is None:
        raise BadRequest(_("No email channel sends transcripts."))
    to = (to or transcript_address(conversation)).strip()
    if "@" not in to:
        raise BadRequest(_("The shopper gave no email address."), fields={"email": ["Required."]})
    messages = list(
        Message.objects.filter(conversation=conversation, private=False)
        .exclude(sender_kind=Message.SenderKind.SYSTEM)
        .order_by("seq")
    )
    desk = channel.config.get("from_name") or channel.name
    context = {"conversation": conversation, "messages": messages, "desk": desk}
    text = render_to_string("inboxes/transcript.txt", context)
    html = render_to_string("inboxes/transcript.html", context)
    domain = channel.config.get("address", "desk.invalid").rpartition("@")[2]
    if key:
        claimed = _claim(key, conversation, domain)
        if claimed is None:
            logger.info("transcript %s of conversation %s was mailed already", key, conversation.pk)
            return to
        message_id = claimed
    else:
        message_id = make_msgid(domain=domain).strip("<>")
    email = EmailMultiAlternatives(
        subject=_("Your conversation with %(desk)s") % {"desk": desk},
        body=text,
        from_email=from_header(channel),
        to=[to],
        headers={
            "Message-ID": f"<{message_id}>",
            "Auto-Submitted": "auto-generated",
            LOOP_HEADER: channel.config.get("address", ""),
        },
        connection=connection_for(channel),
    )
    email.attach_alternative(html, "text/html")
    email.send(fail_silently=False)
    with transaction.atomic():
        if key:
            TranscriptMail.objects.filter(key=key).update(
                sent_at=timezone.now(), claimed_until=None
            )
        ExternalMessage.objects.get_or_create(
            channel=channel,
            external_id=external_key(message_id),
            defaults={
                "direction": ExternalMessage.Direction.OUT,
                "conversation": conversation,
                "note": f"transcript {timezone.now():%Y-%m-%d %H:%M}",
            },
        )
    return to
