"""``message_send``: a shopper's or an agent's message, from the raw frame to the stored row.

The steps, in order, each below as its own function:

1. ``check_message_send`` validates what the client sent (no database).
2. In one transaction, ``_lock_conversation_for_send`` takes the conversation's row lock: the
   shopper's current (or a new) conversation under the visitor's lock, or the one named.
3. ``_stored_resend`` answers a repeated ``client_id`` before an attachment is checked;
   ``attachment_for_send`` then claims the sender's upload, which decides the message kind.
4. ``_dispatch_opened`` announces a new conversation; ``_status_after_shopper_message`` /
   ``_take_on_reply`` move the status and the assignee.
5. ``message_create`` stores the message (seq, preview, cursors), dispatches
   ``message.created`` and publishes it; ``_publish_conversation_change`` updates the lists.
6. A repeated ``client_id`` without an attachment is refused by the unique constraint:
   ``_resent_message`` returns the stored one (see ``message_send``'s ``except``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from helpdesk import dispatch
from helpdesk.errors import BadRequest, Forbidden

from .. import events
from ..access import (
    Actor,
    access_conversation,
    conversation_locked_load,
    conversations_visible_to,
    is_agent,
)
from ..attachments import services as attachment_services
from ..events import sender_name
from ..models import Conversation, Message, Visitor
from ..redaction import redact_sensitive
from .conversations import conversation_assignee_set, conversation_reopen
from .messages import check_body, check_client_id, message_create


@dataclass(frozen=True)
class MessageDraft:
    """A send that passed its checks: the values the write uses."""

    client_id: str
    body: str
    private: bool


def check_message_send(
    *,
    actor: Actor,
    client_id: object,
    body: object,
    conversation_id: object,
    private: object,
    may_be_empty: bool,
) -> MessageDraft:
    """Everything that can be refused without the database: the fields' shapes, that only
    agents write from the workspace (and must name the conversation), that only agents write
    internal notes. A shopper's card numbers are masked here, before anything is stored."""
    client_id = check_client_id(client_id)
    body = check_body(body, allow_empty=may_be_empty)
    if not isinstance(private, bool):
        raise BadRequest("private must be true or false.", fields={"private": ["Expected a bool."]})
    if actor.user is not None:
        if not is_agent(actor.user):
            raise Forbidden("Only agents can send from the workspace.")
        if conversation_id is None:
            raise BadRequest("conversation is required.", fields={"conversation": ["Required."]})
    elif private:
        raise Forbidden("Shoppers cannot write internal notes.")
    if actor.user is None:
        body = redact_sensitive(body)
    return MessageDraft(client_id=client_id, body=body, private=private)


def _lock_conversation_for_send(
    actor: Actor, conversation_id: int | None, *, new: bool = False
) -> tuple[Conversation, bool]:
    """The conversation the message goes to, row-locked, and whether it was opened now.

    A shopper who names no conversation writes to their current one: the visitor's row is
    locked first, so two first messages sent at once (two tabs) open one conversation, not
    two. Anyone naming a conversation goes through the one access function.

    One lock order on the message path: the visitor, then a conversation, never the other
    way. The visitor's lock is ``FOR NO KEY UPDATE``: it serialises writers of the visitor
    all the same, but not the ``FOR KEY SHARE`` that an insert referencing the visitor takes
    (a conversation opened, an upload), so a transaction holding a conversation that then
    inserts such a row never waits for a visitor lock held by one that waits for that
    conversation (tests/faults/test_new_shoppers.py counts PostgreSQL's deadlocks).
    """
    if conversation_id is not None:
        conversation = access_conversation(
            actor=actor, conversation_id=conversation_id, for_update=True
        )
        return conversation, False
    assert actor.visitor is not None
    Visitor.objects.select_for_update(no_key=True).filter(pk=actor.visitor.pk).first()
    return _conversation_for_new_visitor_message(actor.visitor, new=new)


def _conversation_for_new_visitor_message(
    visitor: Visitor, *, new: bool = False
) -> tuple[Conversation, bool]:
    """The visitor's latest conversation (locked) unless it was resolved longer ago than the
    reopen window; else a new one (always a new one with ``new``: a channel's new thread,
    e.g. a new email). The caller holds the visitor's lock. A new conversation is in the
    visitor's channel and goes to the channel's team."""
    window = dt.timedelta(days=settings.HELPDESK["REOPEN_WINDOW_DAYS"])
    current_pk = (
        None
        if new
        else Conversation.objects.select_for_update(of=("self",))
        .filter(visitor=visitor)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    current = conversation_locked_load(current_pk) if current_pk is not None else None
    if current is not None and (
        current.status != Conversation.Status.RESOLVED
        or (current.resolved_at and timezone.now() - current.resolved_at <= window)
    ):
        return current, False
    conversation = Conversation.objects.create(
        visitor=visitor,
        customer_id=visitor.customer_id,
        channel_id=visitor.channel_id,
        # Routing's decision up front (docs/routing.md): the channel's team, else the default
        # team, so every fact and message of the conversation counts for it from the start
        # (docs/metrics.md, "Team filter").
        team_id=visitor.channel.team_id or _default_team_id(),
    )
    return conversation, True


def _default_team_id() -> int | None:
    """The team that takes conversations nobody routed (routing's ``TeamRouting.is_default``)."""
    from ..models import TeamRouting

    return TeamRouting.objects.filter(is_default=True).values_list("team_id", flat=True).first()


AgentReplyGate = Callable[[Conversation], None]
_agent_reply_gates: list[AgentReplyGate] = []


def agent_reply_gate_register(gate: AgentReplyGate) -> None:
    """Add a check an agent's public reply must pass on its conversation (the channels'
    messaging windows: WhatsApp's 24 hours …); it raises a HelpdeskError saying why not."""
    if gate not in _agent_reply_gates:
        _agent_reply_gates.append(gate)


def agent_reply_gates() -> list[AgentReplyGate]:
    return list(_agent_reply_gates)


def _stored_resend(conversation: Conversation, client_id: str) -> Message | None:
    """The message already stored under ``client_id``, for a send with an attachment.

    Such a send must find its repeat before the upload is claimed: the first send used the
    upload, so checking it again would refuse the repeat instead of answering it. Sends
    without an attachment skip this query and let the unique constraint find repeats.
    """
    stored_pk = (
        Message.objects.filter(conversation_id=conversation.pk, client_id=client_id)
        .values_list("pk", flat=True)
        .first()
    )
    if stored_pk is None:
        return None
    stored = Message.objects.get(pk=stored_pk)
    stored.conversation = conversation
    return stored


def _dispatch_opened(conversation: Conversation) -> None:
    dispatch.dispatch(
        dispatch.DomainEvent(
            name=dispatch.Event.CONVERSATION_OPENED,
            at=conversation.created_at,
            conversation_id=conversation.pk,
            data={"visitor_id": conversation.visitor_id},
        )
    )


def _status_after_shopper_message(conversation: Conversation) -> bool:
    """A shopper writing wants an answer: a resolved conversation reopens (a new care cycle)
    unless it is muted, a pending or snoozed one is open again. True if the status changed."""
    if conversation.status == Conversation.Status.RESOLVED:
        if conversation.muted_until is not None and conversation.muted_until > timezone.now():
            return False  # muted by an automation rule: kept, and it stays resolved
        conversation_reopen(conversation=conversation, by=None)
        return True
    if conversation.status in (Conversation.Status.PENDING, Conversation.Status.SNOOZED):
        conversation.status = Conversation.Status.OPEN
        conversation.snoozed_until = None
        conversation.save(update_fields=["status", "snoozed_until"])
        return True
    return False


def _take_on_reply(conversation: Conversation, actor: Actor, *, private: bool) -> bool:
    """An agent who replies to an unassigned conversation takes it (a note does not count:
    it is not an answer). True if the assignee changed."""
    if private or conversation.assignee_id is not None:
        return False
    conversation_assignee_set(conversation=conversation, assignee=actor.user, by=actor.user)
    return True


def _publish_conversation_change(
    conversation: Conversation, *, opened: bool, status_changed: bool
) -> None:
    """Every message moves the conversation in the agents' lists; the shopper hears only of a
    new conversation or a status change (their view has no preview or activity time)."""
    if opened:
        events.publish_conversation(conversation, created=True)
    else:
        events.publish_conversation(conversation, shopper=status_changed)


def _resent_message(actor: Actor, client_id: str, conversation_id: int | None) -> Message | None:
    """After the unique ``(conversation, client_id)`` constraint refused an INSERT: the stored
    message the client is repeating, among the conversations the actor may see (the one that
    was locked, when the send got that far)."""
    stored = Message.objects.select_related("conversation").filter(
        client_id=client_id, conversation__in=conversations_visible_to(actor)
    )
    if conversation_id is not None:
        stored = stored.filter(conversation_id=conversation_id)
    return stored.first()


def message_send(
    *,
    actor: Actor,
    client_id: str,
    body: str,
    conversation_id: int | None = None,
    private: bool = False,
    kind: str = Message.Kind.TEXT,
    card: dict[str, Any] | None = None,
    origin: str | None = None,
    allow_empty: bool = False,
    attachment_id: str | None = None,
    new_conversation: bool = False,
) -> tuple[Message, bool]:
    """Send a message as a shopper or an agent. Idempotent on ``(conversation, client_id)``:
    a repeat returns the stored message and ``created=False`` and stores nothing.

    A shopper's first message opens a conversation; a shopper's message reopens a resolved
    one (within the reopen window). An agent replying to an unassigned conversation takes it.
    The arguments come straight from a frame or a request body: ``check_message_send``
    refuses values of the wrong type with ``BadRequest``. ``origin`` is the sending socket.
    ``new_conversation`` (a shopper without ``conversation_id``): open a new conversation even
    if the current one is open (a channel's new thread, e.g. a new email).
    """
    draft = check_message_send(
        actor=actor,
        client_id=client_id,
        body=body,
        conversation_id=conversation_id,
        private=private,
        may_be_empty=allow_empty or kind != Message.Kind.TEXT or attachment_id is not None,
    )
    locked_pk: int | None = None
    try:
        with transaction.atomic():
            conversation, opened = _lock_conversation_for_send(
                actor, conversation_id, new=new_conversation
            )
            locked_pk = conversation.pk
            if actor.user is not None and not draft.private:
                for gate in _agent_reply_gates:
                    gate(conversation)
            attachment = None
            if attachment_id is not None:
                stored = _stored_resend(conversation, draft.client_id)
                if stored is not None:
                    return stored, False
                attachment = attachment_services.attachment_for_send(
                    actor=actor, attachment_id=attachment_id
                )
                kind = attachment_services.message_kind_for(attachment)
            if opened:
                _dispatch_opened(conversation)
            if actor.user is None:
                status_changed = _status_after_shopper_message(conversation)
            else:
                status_changed = _take_on_reply(conversation, actor, private=draft.private)
            message = message_create(
                conversation=conversation,
                sender_kind=(
                    Message.SenderKind.AGENT
                    if actor.user is not None
                    else Message.SenderKind.VISITOR
                ),
                body=draft.body,
                client_id=draft.client_id,
                sender_user=actor.user,
                sender_name=sender_name(actor),
                kind=kind,
                private=draft.private,
                card=card,
                origin=origin,
                attachment=attachment,
                reader=actor,
            )
            _publish_conversation_change(conversation, opened=opened, status_changed=status_changed)
            return message, True
    except IntegrityError:
        # The whole transaction rolled back (seq, reopening, listeners' rows) and the stored
        # message wins. Checking for a repeat first would cost every message a query for the
        # rare resend; the constraint finds it for free.
        resent = _resent_message(actor, draft.client_id, locked_pk)
        if resent is None:
            raise
        return resent, False
