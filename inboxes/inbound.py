"""The one way in: a provider's event, already parsed by its adapter, becomes a message.

``inbound_receive`` resolves the contact, dedupes on the provider's message id, stores each
accepted attachment through the media pipeline (its limits apply), and calls
``chat.services.message_send`` as the shopper, exactly as the socket does: the same access
check, idempotency on ``client_id``, seq, routing, bot, analytics and publish. A refused
attachment leaves a note for the agents while the text still arrives.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.access import Actor, conversation_locked_load, conversations_visible_to
from chat.attachments import services as media_services
from chat.models import Channel, Conversation, Message, Visitor
from chat.services.message_send import message_send
from chat.services.messages import message_create
from helpdesk import dispatch
from helpdesk.errors import BadRequest, HelpdeskError
from orders.models import Customer

from .contacts import contact_visitor
from .models import ConversationChannelState, ExternalMessage

logger = logging.getLogger(__name__)


@dataclass
class InboundAttachment:
    name: str
    content: bytes
    content_type: str = ""


@dataclass
class Inbound:
    """A provider event as every adapter hands it over.

    ``external_id``: the provider's message id (dedupe; it becomes the ``client_id``).
    ``address`` / ``name``: the sender on this channel. ``conversation_hint``: the conversation
    the event says it continues (email threading, the app's conversation id); used when the
    sender may see it and it is on this channel. ``new_thread``: with no usable hint, open a
    new conversation instead of continuing the sender's current one (a new email).
    ``customer``: a verified link to the shop's customer (the shop's app named it).
    ``after_store``: the adapter's own rows for the stored message (e.g. the email's headers).
    """

    external_id: str
    address: str
    name: str = ""
    body: str = ""
    attachments: list[InboundAttachment] = field(default_factory=list)
    conversation_hint: int | None = None
    new_thread: bool = False
    customer: Customer | None = None
    subject: str = ""
    after_store: Callable[[Message], None] | None = None
    # Attachments the adapter refused before fetching them (too large to download): each
    # becomes the same note for the agents as a refusal by the media pipeline.
    refused: list[str] = field(default_factory=list)


@dataclass
class Received:
    message: Message | None
    created: bool
    conversation_id: int | None
    refused: list[str] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)


def external_key(external_id: str) -> str:
    """The stored form of a provider id: as is up to 200 characters, else a digest."""
    text = external_id.strip()
    if len(text) <= 200:
        return text
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def client_id_for(channel: Channel, external_id: str) -> str:
    """A ``client_id`` (≤ 64 characters) naming the provider's message on this channel."""
    digest = hashlib.sha256(f"{channel.pk}:{external_id}".encode()).hexdigest()[:40]
    return f"{channel.kind[:8]}:{digest}"


def already_received(channel: Channel, external_id: str) -> ExternalMessage | None:
    # Unique per (channel, id): unordered (``first()`` would add an ORDER BY to compile).
    found = (
        ExternalMessage.objects.filter(channel=channel, external_id=external_key(external_id))
        .select_related("message")
        .order_by()[:1]
    )
    return next(iter(found), None)


def record_dropped(*, channel: Channel, external_id: str, note: str) -> bool:
    """Remember an event that opens nothing (auto-reply, bounce, list mail) so a repeat is as
    quiet; False if it was already recorded."""
    try:
        with transaction.atomic():
            ExternalMessage.objects.create(
                channel=channel,
                external_id=external_key(external_id),
                direction=ExternalMessage.Direction.IN,
                note=note[:200],
            )
    except IntegrityError:
        return False
    return True


def _usable_hint(actor: Actor, channel: Channel, hint: int | None) -> int | None:
    if hint is None:
        return None
    ok = conversations_visible_to(actor).filter(pk=hint, channel=channel).exists()
    return hint if ok else None


def _store_attachments(actor: Actor, items: list[InboundAttachment]) -> tuple[list[Any], list[str]]:
    accepted, refused = [], []
    for item in items:
        try:
            accepted.append(
                media_services.attachment_upload(
                    actor=actor,
                    fileobj=io.BytesIO(item.content),
                    name=item.name,
                    size=len(item.content),
                )
            )
        except HelpdeskError as exc:
            refused.append(refusal_note(item.name, exc.detail))
    return accepted, refused


def refusal_note(name: str, reason: str) -> str:
    """The agents' note for an attachment that did not come in."""
    shown = media_services.clean_name(name, "") or "file"
    return _("Attachment “%(name)s” was not accepted: %(reason)s") % {
        "name": shown,
        "reason": reason,
    }


def _body_within_limit(body: str) -> str:
    limit = settings.HELPDESK["MAX_BODY_CHARS"]
    if len(body) <= limit:
        return body
    note = "\n\n" + _("[Shortened: the whole text is kept with the original.]")
    return body[: limit - len(note)] + note


def inbound_receive(
    *, channel: Channel, identity_kind: str, inbound: Inbound, looked: bool = False
) -> Received:
    """Store a shopper's message that arrived on ``channel``. A repeat of the provider's id
    stores nothing and returns the stored message with ``created=False``. ``BadRequest`` for
    an unusable sender address or an empty event. ``looked``: the caller has just found no
    stored event with this id (the cheap look before any work is skipped; the look under the
    contact's lock, which decides, is not)."""
    if not channel.active:
        raise BadRequest("This channel is not active.")
    if not inbound.external_id or len(inbound.external_id) > 2000:
        raise BadRequest("The event has no usable message id.", fields={"id": ["Required."]})
    seen = None if looked else already_received(channel, inbound.external_id)
    if seen is not None:
        return Received(seen.message, False, seen.conversation_id)
    body = _body_within_limit(inbound.body.replace("\x00", "").strip())
    if not body and not inbound.attachments and not inbound.refused:
        raise BadRequest("The message is empty.", fields={"body": ["Must not be empty."]})
    visitor = contact_visitor(
        channel=channel,
        identity_kind=identity_kind,
        address=inbound.address,
        name=inbound.name,
        customer=inbound.customer,
    )
    actor = Actor(visitor=visitor)
    # Stored before the transaction: files are written once; a refused or repeated event
    # leaves only unattached uploads, which the media clean-up removes.
    accepted, refused = _store_attachments(actor, inbound.attachments)
    refused = [*inbound.refused, *refused]
    client_id = client_id_for(channel, inbound.external_id)
    arrival = _Arrival(channel=channel, subject=inbound.subject)
    token = _arrival.set(arrival)
    try:
        return _receive_locked(
            channel=channel,
            inbound=inbound,
            visitor=visitor,
            actor=actor,
            body=body,
            client_id=client_id,
            accepted=accepted,
            refused=refused,
            arrival=arrival,
        )
    finally:
        _arrival.reset(token)


def _receive_locked(
    *,
    channel: Channel,
    inbound: Inbound,
    visitor: Visitor,
    actor: Actor,
    body: str,
    client_id: str,
    accepted: list[Any],
    refused: list[str],
    arrival: _Arrival,
) -> Received:
    with transaction.atomic():
        # One writer per contact: two deliveries of one new email cannot both open a thread.
        # (Only the lock: no columns, no ORDER BY.)
        list(Visitor.objects.select_for_update(no_key=True).filter(pk=visitor.pk).values_list("pk"))
        seen = already_received(channel, inbound.external_id)
        if seen is not None:
            return Received(seen.message, False, seen.conversation_id)
        conversation_id = _usable_hint(actor, channel, inbound.conversation_hint)
        stored: list[Message] = []
        first_created = False
        parts: list[tuple[str, str, Any]] = []
        if body or not accepted:
            parts.append((client_id, body or "…", None))
        for index, attachment in enumerate(accepted):
            parts.append((f"{client_id[:58]}:a{index}", "", str(attachment.public_id)))
        for part_client_id, part_body, attachment_id in parts:
            message, created = message_send(
                actor=actor,
                client_id=part_client_id,
                body=part_body,
                conversation_id=conversation_id,
                new_conversation=inbound.new_thread and conversation_id is None,
                allow_empty=attachment_id is not None,
                attachment_id=attachment_id,
            )
            first_created = first_created or created
            conversation_id = message.conversation_id
            stored.append(message)
        assert conversation_id is not None
        if refused:
            Conversation.objects.select_for_update().filter(pk=conversation_id).first()
            message_create(
                conversation=conversation_locked_load(conversation_id),
                sender_kind=Message.SenderKind.SYSTEM,
                body="\n".join(refused),
                private=True,
            )
        ExternalMessage.objects.create(
            channel=channel,
            external_id=external_key(inbound.external_id),
            direction=ExternalMessage.Direction.IN,
            message=stored[0],
            conversation_id=conversation_id,
        )
        if not arrival.touched:  # a repeat of a stored client_id: no message was created
            state_touch(conversation_id=conversation_id, subject=inbound.subject)
        if inbound.after_store is not None:
            inbound.after_store(stored[0])
    return Received(stored[0], first_created, conversation_id, refused, stored)


@dataclass
class _Arrival:
    """The event ``inbound_receive`` is storing: its channel, and what its message brings to
    the channel state (``touched`` once written)."""

    channel: Channel
    subject: str
    touched: bool = False


_arrival: contextvars.ContextVar[_Arrival | None] = contextvars.ContextVar(
    "inboxes_arrival", default=None
)


def on_message_created(event: dispatch.DomainEvent) -> None:
    """``message.created`` of a shopper's message that ``inbound_receive`` is storing: the
    channel state (the messaging window's start, an email thread's subject) is written here,
    before ``message_send`` builds the conversation's list frame, so that frame carries them —
    the first frame of a new email thread included, whose conversation did not exist before."""
    arrival = _arrival.get()
    if arrival is None or arrival.touched or event.conversation_id is None:
        return
    if event.data.get("sender_kind") != Message.SenderKind.VISITOR:
        return
    arrival.touched = True
    state = state_touch(conversation_id=event.conversation_id, subject=arrival.subject)
    conversation = event.data.get("conversation")
    if conversation is not None:
        # The list frame reads the state and the channel from the conversation: no second
        # look at either (a conversation opened just now has neither joined).
        conversation.channel_state = state
        if conversation.channel_id == arrival.channel.pk and not _channel_joined(conversation):
            conversation.channel = arrival.channel


def _channel_joined(conversation: Conversation) -> bool:
    return Conversation._meta.get_field("channel").is_cached(conversation)


def arriving_channel() -> Channel | None:
    """The channel of the event ``inbound_receive`` is storing now (None outside it)."""
    arrival = _arrival.get()
    return arrival.channel if arrival is not None else None


def state_touch(
    *, conversation_id: int, subject: str = "", at: dt.datetime | None = None
) -> ConversationChannelState:
    """The shopper just wrote through the channel: the messaging window restarts; an email
    thread keeps its first subject. Returns the row as stored."""
    # One statement (an upsert; PostgreSQL and SQLite) instead of get_or_create and save.
    table = ConversationChannelState._meta.db_table
    now = at or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (conversation_id, last_inbound_at, subject) "
            "VALUES (%s, %s, %s) ON CONFLICT (conversation_id) DO UPDATE SET "
            "last_inbound_at = excluded.last_inbound_at, subject = CASE "
            f"WHEN {table}.subject = '' THEN excluded.subject ELSE {table}.subject END "
            "RETURNING subject",
            [conversation_id, connection.ops.adapt_datetimefield_value(now), subject[:998]],
        )
        (stored_subject,) = cursor.fetchone()
    return ConversationChannelState.from_db(
        connection.alias,
        ["conversation_id", "last_inbound_at", "subject"],
        [conversation_id, now, stored_subject],
    )
