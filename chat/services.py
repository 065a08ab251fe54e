"""Every write of the chat domain. ``check_*`` validates, the service writes (Zulip style).

Services take keyword-only arguments, run in one transaction, dispatch the domain events the
change implies (listeners record analytics facts in the same transaction) and publish to the
sockets only after commit through ``events.publish``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from helpdesk import dispatch
from helpdesk.compiled import Compiled, row_insert, row_update
from helpdesk.errors import BadRequest, Forbidden, NotFound, Unauthorized

from . import events
from .access import (
    Actor,
    access_conversation,
    conversation_locked_load,
    conversations_visible_to,
    is_agent,
)
from .attachments import services as media_services
from .models import AgentReadCursor, Conversation, Message, Visitor
from .redaction import redact_sensitive

User = get_user_model()

VISITOR_TOKEN_SALT = "helpdesk.visitor"
PREVIEW_CHARS = 200


# --- visitors -----------------------------------------------------------------------------


def visitor_token_make(visitor: Visitor) -> str:
    """An opaque, signed token naming the visitor. Never put it in a URL."""
    return signing.dumps({"v": str(visitor.public_id)}, salt=VISITOR_TOKEN_SALT, compress=True)


def visitor_from_token(token: Any) -> Visitor:
    """The visitor a token names, or ``Unauthorized``."""
    if not isinstance(token, str) or not token or len(token) > 512:
        raise Unauthorized("Missing or malformed visitor token.")
    try:
        data = signing.loads(token, salt=VISITOR_TOKEN_SALT)
        public_id = uuid.UUID(str(data["v"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Unauthorized("Invalid visitor token.") from None
    visitor = Visitor.objects.select_related("customer").filter(public_id=public_id).first()
    if visitor is None:
        raise Unauthorized("Invalid visitor token.")
    return visitor


def check_page(page: Any) -> dict[str, str]:
    if page is None:
        return {}
    if not isinstance(page, dict):
        raise BadRequest("page must be an object.", fields={"page": ["Expected an object."]})
    out: dict[str, str] = {}
    for key, limit in (("url", 1000), ("title", 300)):
        value = page.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise BadRequest("Invalid page.", fields={f"page.{key}": ["Expected a string."]})
        out[key] = value.replace("\x00", "")[:limit]
    return out


def visitor_session(
    *,
    token: str | None,
    identity: dict[str, Any] | None = None,
    page: dict[str, Any] | None = None,
    language: str = "",
    user_agent: str = "",
) -> tuple[Visitor, str, Conversation | None]:
    """Start or resume a shopper's session; returns the visitor, its token and the current
    conversation. A verified ``identity`` links the visitor to the shop's customer."""
    page_data = check_page(page)
    with transaction.atomic():
        visitor = visitor_from_token(token) if token else Visitor.objects.create()
        if identity is not None:
            # Identity verification lives with the customers (orders app); imported here so
            # chat reads orders only through its public functions.
            from orders.services import customer_identify

            customer = customer_identify(identity=identity)
            visitor_link_customer(visitor=visitor, customer=customer)
        fields = ["last_seen_at"]
        visitor.last_seen_at = timezone.now()
        if page_data:
            visitor.current_url = page_data.get("url", "")
            visitor.current_title = page_data.get("title", "")
            fields += ["current_url", "current_title"]
        if language:
            visitor.language = language[:16]
            fields.append("language")
        if user_agent:
            visitor.user_agent = user_agent[:400]
            fields.append("user_agent")
        visitor.save(update_fields=fields)
    from .selectors import conversation_current_for_visitor

    return visitor, visitor_token_make(visitor), conversation_current_for_visitor(visitor=visitor)


def visitor_link_customer(*, visitor: Visitor, customer: Any) -> None:
    """Make ``visitor`` this customer's; the browser's earlier anonymous conversations join the
    customer's history."""
    if visitor.customer_id == customer.pk:
        return
    visitor.customer = customer
    visitor.save(update_fields=["customer"])
    Conversation.objects.filter(visitor=visitor, customer__isnull=True).update(customer=customer)


# --- messages -------------------------------------------------------------------------------


def check_client_id(client_id: Any) -> str:
    if not isinstance(client_id, str) or not client_id or len(client_id) > 64:
        raise BadRequest(
            "client_id must be a string of 1 to 64 characters.",
            fields={"client_id": ["1 to 64 characters."]},
        )
    if "\x00" in client_id:
        raise BadRequest("client_id has a NUL character.", fields={"client_id": ["Invalid."]})
    return client_id


def check_body(body: Any, *, allow_empty: bool = False) -> str:
    if not isinstance(body, str):
        raise BadRequest("body must be a string.", fields={"body": ["Expected a string."]})
    # PostgreSQL text cannot hold NUL; dropping it loses nothing a person can see.
    body = body.replace("\x00", "")
    if not allow_empty and not body.strip():
        raise BadRequest("The message is empty.", fields={"body": ["Must not be empty."]})
    limit = settings.HELPDESK["MAX_BODY_CHARS"]
    if len(body) > limit:
        raise BadRequest(
            f"The message is longer than {limit} characters.",
            fields={"body": [f"At most {limit} characters."]},
        )
    return body


def _preview(message: Message) -> str:
    if message.body.strip():
        return " ".join(message.body.split())[:PREVIEW_CHARS]
    return f"[{message.kind}]"


def _sender_name(actor: Actor) -> str:
    if actor.user is not None:
        profile = getattr(actor.user, "agent_profile", None)
        return profile.name if profile else (actor.user.get_full_name() or actor.user.username)
    assert actor.visitor is not None
    return actor.visitor.display_name


def _conversation_for_new_visitor_message(visitor: Visitor) -> tuple[Conversation, bool]:
    """The visitor's current conversation (locked) or a new one. Caller holds the visitor lock."""
    window = dt.timedelta(days=settings.HELPDESK["REOPEN_WINDOW_DAYS"])
    current_pk = (
        Conversation.objects.select_for_update(of=("self",))
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
    conversation = Conversation.objects.create(visitor=visitor, customer_id=visitor.customer_id)
    return conversation, True


# The idempotency check of every send, compiled once (helpdesk/compiled.py).
_DUPLICATE = Compiled(
    lambda conversation_id, client_id: Message.objects.filter(
        conversation_id=conversation_id, client_id=client_id
    ).values_list("pk", flat=True),
    [-7_000_001, "\x01sample-client-id"],
)


def message_create(
    *,
    conversation: Conversation,
    sender_kind: str,
    body: str,
    client_id: str | None = None,
    sender_user: Any = None,
    sender_name: str = "",
    kind: str = Message.Kind.TEXT,
    private: bool = False,
    card: dict[str, Any] | None = None,
    origin: str | None = None,
    extra: dict[str, Any] | None = None,
    attachment: Any = None,
    reader: Actor | None = None,
) -> Message:
    """Store a message in a conversation whose row the caller has locked, allocate its seq,
    dispatch ``message.created`` and publish it after commit.

    Used by ``message_send`` and by the bot, system notices and cards. ``extra`` is passed to
    listeners in the domain event (e.g. the bot's match confidence). ``reader`` (the sender)
    has seen everything up to this message: its read cursor moves in the same UPDATE.
    """
    now = timezone.now()
    conversation.last_seq += 1
    message = Message(
        conversation=conversation,
        seq=conversation.last_seq,
        client_id=client_id or f"srv-{uuid.uuid4().hex}",
        sender_kind=sender_kind,
        sender_user=sender_user,
        sender_name=sender_name,
        kind=kind,
        private=private,
        body=body,
        card=card,
        created_at=now,
    )
    # The message path's two writes skip the ORM's per-call compiling (helpdesk/compiled.py).
    row_insert(message)
    if attachment is not None:
        # Linked before the payload is built, so the frame carries it without a query.
        attachment.message = message
        attachment.save(update_fields=["message"])
    update = ["last_seq", "last_activity_at"]
    conversation.last_activity_at = now
    if not private:
        conversation.last_message_preview = _preview(message)
        conversation.last_message_sender = sender_kind
        update += ["last_message_preview", "last_message_sender"]
    if reader is not None:
        update += _read_to_latest(conversation, actor=reader)
    row_update(conversation, update)
    dispatch.dispatch(
        dispatch.DomainEvent(
            name=dispatch.MESSAGE_CREATED,
            at=now,
            conversation_id=conversation.pk,
            data={
                "message_id": message.pk,
                "seq": message.seq,
                "sender_kind": sender_kind,
                "sender_user_id": getattr(sender_user, "pk", None),
                "kind": kind,
                "private": private,
                # The conversation as it stands (row locked), so listeners need not read it.
                "conversation": conversation,
                "assignee_id": conversation.assignee_id,
                "team_id": conversation.team_id,
                "customer_id": conversation.customer_id,
                "created_at": conversation.created_at,
                **(extra or {}),
            },
        )
    )
    message.conversation = conversation
    events.publish_message(message, origin=origin)
    return message


def message_send(
    *,
    actor: Actor,
    client_id: Any,
    body: Any,
    conversation_id: Any = None,
    private: Any = False,
    kind: str = Message.Kind.TEXT,
    card: dict[str, Any] | None = None,
    origin: str | None = None,
    allow_empty: bool = False,
    attachment_id: Any = None,
) -> tuple[Message, bool]:
    """Send a message as a shopper or an agent. Idempotent on ``(conversation, client_id)``:
    a repeat returns the stored message and ``created=False`` and stores nothing.

    A shopper's first message opens a conversation; a shopper's message reopens a resolved
    one (within the reopen window). An agent replying to an unassigned conversation takes it.
    """
    client_id = check_client_id(client_id)
    body = check_body(
        body,
        allow_empty=allow_empty or kind != Message.Kind.TEXT or attachment_id is not None,
    )
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
        body = redact_sensitive(body)  # card numbers never reach the database

    locked_pk: int | None = None
    try:
        with transaction.atomic():
            created_conversation = False
            if conversation_id is None:
                assert actor.visitor is not None
                Visitor.objects.select_for_update().filter(pk=actor.visitor.pk).first()
                conversation, created_conversation = _conversation_for_new_visitor_message(
                    actor.visitor
                )
            else:
                conversation = access_conversation(
                    actor=actor, conversation_id=conversation_id, for_update=True
                )
            locked_pk = conversation.pk
            attachment = None
            if attachment_id is not None:
                # A repeat must be answered before the upload is checked (it is used by now).
                existing_pk = _DUPLICATE.first(conversation.pk, client_id)
                if existing_pk is not None:
                    duplicate = Message.objects.get(pk=existing_pk)
                    duplicate.conversation = conversation
                    return duplicate, False
                # The sender's own unused upload; its content decides the message kind.
                attachment = media_services.attachment_for_send(
                    actor=actor, attachment_id=attachment_id
                )
                kind = media_services.message_kind_for(attachment)
            if created_conversation:
                dispatch.dispatch(
                    dispatch.DomainEvent(
                        name=dispatch.CONVERSATION_OPENED,
                        at=conversation.created_at,
                        conversation_id=conversation.pk,
                        data={"visitor_id": conversation.visitor_id},
                    )
                )
            status_changed = False
            if actor.user is None:
                if conversation.status == Conversation.Status.RESOLVED:
                    _reopen(conversation, by=None)
                    status_changed = True
                elif conversation.status in (
                    Conversation.Status.PENDING,
                    Conversation.Status.SNOOZED,
                ):
                    conversation.status = Conversation.Status.OPEN
                    conversation.snoozed_until = None
                    conversation.save(update_fields=["status", "snoozed_until"])
                    status_changed = True
            elif not private and conversation.assignee_id is None:
                _assign(conversation, assignee=actor.user, by=actor.user)
                status_changed = True
            message = message_create(
                conversation=conversation,
                sender_kind=(
                    Message.SenderKind.AGENT
                    if actor.user is not None
                    else Message.SenderKind.VISITOR
                ),
                body=body,
                client_id=client_id,
                sender_user=actor.user,
                sender_name=_sender_name(actor),
                kind=kind,
                private=private,
                card=card,
                origin=origin,
                attachment=attachment,
                reader=actor,
            )
            if created_conversation:
                events.publish_conversation(conversation, created=True)
            else:
                events.publish_conversation(conversation, shopper=status_changed)
            return message, True
    except IntegrityError:
        # A repeated client_id: the unique (conversation, client_id) constraint refused the
        # INSERT and the whole transaction (seq, reopening, listeners' rows) rolled back. Checking
        # first would cost every message a query for the rare resend. The stored one wins.
        qs = Message.objects.select_related("conversation").filter(
            client_id=client_id, conversation__in=conversations_visible_to(actor)
        )
        if locked_pk is not None:
            qs = qs.filter(conversation_id=locked_pk)
        existing = qs.first()
        if existing is None:
            raise
        return existing, False


# --- status and assignment ------------------------------------------------------------------


def _assign(conversation: Conversation, *, assignee: Any, by: Any) -> None:
    previous = conversation.assignee_id
    conversation.assignee = assignee
    conversation.save(update_fields=["assignee"])
    dispatch.dispatch(
        dispatch.DomainEvent(
            name=dispatch.CONVERSATION_ASSIGNED,
            at=timezone.now(),
            conversation_id=conversation.pk,
            data={
                "assignee_id": getattr(assignee, "pk", None),
                "previous_assignee_id": previous,
                "by_user_id": getattr(by, "pk", None),
                "team_id": conversation.team_id,
            },
        )
    )
    if assignee is not None:
        events.publish(
            [events.group_agent(assignee.pk)],
            {
                "type": "conversation.assigned",
                "conversation": events.conversation_payload(conversation, staff=True),
            },
        )


def _reopen(conversation: Conversation, *, by: Any) -> None:
    conversation.status = Conversation.Status.OPEN
    conversation.resolved_at = None
    conversation.snoozed_until = None
    conversation.save(update_fields=["status", "resolved_at", "snoozed_until"])
    dispatch.dispatch(
        dispatch.DomainEvent(
            name=dispatch.CONVERSATION_REOPENED,
            at=timezone.now(),
            conversation_id=conversation.pk,
            data={"by_user_id": getattr(by, "pk", None)},
        )
    )


def _activity(conversation: Conversation, text: str) -> None:
    """An activity line in the timeline, for agents only."""
    message_create(
        conversation=conversation,
        sender_kind=Message.SenderKind.SYSTEM,
        body=text,
        private=True,
    )


def _agent_or_404(user_id: Any) -> Any:
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        raise NotFound("Agent not found.") from None
    user = User.objects.select_related("agent_profile").filter(pk=pk, is_active=True).first()
    if user is None or not is_agent(user):
        raise NotFound("Agent not found.")
    return user


def conversation_assign(*, actor: Actor, conversation_id: Any, assignee_id: Any) -> Conversation:
    """Assign (take, transfer) a conversation to an agent, or unassign with ``None``."""
    if actor.user is None:
        raise Forbidden("Only agents can assign conversations.")
    with transaction.atomic():
        conversation = access_conversation(
            actor=actor, conversation_id=conversation_id, for_update=True
        )
        assignee = None if assignee_id in (None, "") else _agent_or_404(assignee_id)
        if getattr(assignee, "pk", None) == conversation.assignee_id:
            return conversation
        previous_id = conversation.assignee_id
        _assign(conversation, assignee=assignee, by=actor.user)
        by_name = _sender_name(actor)
        if assignee is None:
            _activity(conversation, _("%(by)s unassigned the conversation") % {"by": by_name})
        elif previous_id is None and assignee.pk == actor.user.pk:
            _activity(conversation, _("%(by)s took the conversation") % {"by": by_name})
        else:
            _activity(
                conversation,
                _("%(by)s assigned the conversation to %(to)s")
                % {"by": by_name, "to": _sender_name(Actor(user=assignee))},
            )
        events.publish_conversation(conversation)
        return conversation


def conversation_status_set(
    *,
    actor: Actor,
    conversation_id: Any,
    status: Any,
    snoozed_until: dt.datetime | None = None,
) -> Conversation:
    """Move a conversation to open / pending / snoozed / resolved. Resolving ends a care cycle;
    opening a resolved conversation starts a new one."""
    if actor.user is None:
        raise Forbidden("Only agents can change a conversation's status.")
    if status not in Conversation.Status.values:
        raise BadRequest(
            "Unknown status.",
            fields={"status": [f"One of {', '.join(Conversation.Status.values)}."]},
        )
    if status == Conversation.Status.SNOOZED and snoozed_until is None:
        snoozed_until = timezone.now() + dt.timedelta(hours=1)
    with transaction.atomic():
        conversation = access_conversation(
            actor=actor, conversation_id=conversation_id, for_update=True
        )
        if conversation.status == status:
            return conversation
        previous = conversation.status
        now = timezone.now()
        if previous == Conversation.Status.RESOLVED:
            _reopen(conversation, by=actor.user)
        conversation.status = status
        conversation.snoozed_until = (
            snoozed_until if status == Conversation.Status.SNOOZED else None
        )
        conversation.resolved_at = now if status == Conversation.Status.RESOLVED else None
        conversation.save(update_fields=["status", "snoozed_until", "resolved_at"])
        dispatch.dispatch(
            dispatch.DomainEvent(
                name=(
                    dispatch.CONVERSATION_RESOLVED
                    if status == Conversation.Status.RESOLVED
                    else dispatch.CONVERSATION_STATUS_CHANGED
                ),
                at=now,
                conversation_id=conversation.pk,
                data={"status": status, "previous": previous, "by_user_id": actor.user.pk},
            )
        )
        by_name = _sender_name(actor)
        texts = {
            Conversation.Status.RESOLVED: _("%(by)s resolved the conversation"),
            Conversation.Status.OPEN: _("%(by)s reopened the conversation"),
            Conversation.Status.PENDING: _("%(by)s marked the conversation pending"),
            Conversation.Status.SNOOZED: _("%(by)s snoozed the conversation"),
        }
        _activity(conversation, texts[status] % {"by": by_name})
        events.publish_conversation(conversation)
        return conversation


# --- receipts -------------------------------------------------------------------------------


def check_seq(seq: Any) -> int:
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0 or seq > 2**31 - 1:
        raise BadRequest("seq must be a non-negative integer.", fields={"seq": ["Invalid."]})
    return seq


def _read_move(conversation: Conversation, *, actor: Actor, seq: int) -> bool:
    """Move the actor's read cursor forward (never back); True if it moved."""
    seq = min(seq, conversation.last_seq)
    # One UPDATE moves read and delivered together: read never passes delivered, since only
    # this function moves read (and delivered_mark only delivered). Saves a query per message.
    if actor.user is None:
        moved = Conversation.objects.filter(pk=conversation.pk, visitor_read_seq__lt=seq).update(
            visitor_read_seq=seq,
            visitor_delivered_seq=Greatest(F("visitor_delivered_seq"), Value(seq)),
        )
        if moved:
            conversation.visitor_read_seq = seq
            conversation.visitor_delivered_seq = max(conversation.visitor_delivered_seq, seq)
        return bool(moved)
    cursor, _created = AgentReadCursor.objects.get_or_create(
        user=actor.user, conversation=conversation
    )
    moved = AgentReadCursor.objects.filter(pk=cursor.pk, read_seq__lt=seq).update(read_seq=seq)
    shared = Conversation.objects.filter(pk=conversation.pk, agent_read_seq__lt=seq).update(
        agent_read_seq=seq,
        agent_delivered_seq=Greatest(F("agent_delivered_seq"), Value(seq)),
    )
    if shared:
        conversation.agent_read_seq = seq
        conversation.agent_delivered_seq = max(conversation.agent_delivered_seq, seq)
    return bool(moved or shared)


def _read_to_latest(conversation: Conversation, *, actor: Actor) -> list[str]:
    """The sender of the conversation's newest message has read and received everything: move
    its side's cursors in memory (the caller holds the row lock and saves the returned fields
    with its own UPDATE) and, for an agent, upsert the agent's own cursor."""
    seq = conversation.last_seq
    if actor.user is None:
        conversation.visitor_read_seq = seq
        conversation.visitor_delivered_seq = max(conversation.visitor_delivered_seq, seq)
        return ["visitor_read_seq", "visitor_delivered_seq"]
    # Nobody's cursor can be past the newest seq, so this never moves one back.
    AgentReadCursor.objects.bulk_create(
        [AgentReadCursor(user=actor.user, conversation=conversation, read_seq=seq)],
        update_conflicts=True,
        unique_fields=["user", "conversation"],
        update_fields=["read_seq"],
    )
    conversation.agent_read_seq = seq
    conversation.agent_delivered_seq = max(conversation.agent_delivered_seq, seq)
    return ["agent_read_seq", "agent_delivered_seq"]


def _publish_receipt(
    *, conversation_id: int, reader: str, delivered_seq: int, read_seq: int
) -> None:
    """A receipt goes to the other side only: the shopper's ticks to the staff watching the
    conversation, the agents' to the shopper (one receipt per message delivered, so a copy
    to the side that made it would double the fan-out for nothing)."""
    frame = {
        "type": events.RECEIPT,
        "conversation": conversation_id,
        "reader": reader,
        "delivered_seq": delivered_seq,
        "read_seq": read_seq,
    }
    if reader == "visitor":
        events.publish([events.group_conversation(conversation_id)], frame)
    else:
        events.publish([events.group_conversation_shopper(conversation_id)], frame)


def read_mark(*, actor: Actor, conversation_id: Any, seq: Any) -> Conversation:
    """The actor has read up to ``seq``. Cursors only move forward."""
    seq = check_seq(seq)
    with transaction.atomic():
        conversation = access_conversation(actor=actor, conversation_id=conversation_id)
        if _read_move(conversation, actor=actor, seq=seq):
            reader = "agent" if actor.user else "visitor"
            _publish_receipt(
                conversation_id=conversation.pk,
                reader=reader,
                delivered_seq=getattr(conversation, f"{reader}_delivered_seq"),
                read_seq=getattr(conversation, f"{reader}_read_seq"),
            )
            if actor.user is not None:
                events.publish(
                    [events.group_agent(actor.user.pk)],
                    {"type": "conversation.read", "conversation": conversation.pk, "read_seq": seq},
                )
    return conversation


def delivered_mark(*, actor: Actor, conversation_id: int, seq: int) -> bool:
    """A socket of ``actor``'s side received messages up to ``seq``. Cheap: one conditional
    UPDATE; a receipt goes out only when the cursor moved."""
    return bool(delivered_mark_many(actor=actor, cursors={conversation_id: seq}))


def delivered_mark_many(*, actor: Actor, cursors: dict[int, int]) -> int:
    """Delivered receipts for several conversations (id -> seq) in one transaction; returns
    how many cursors moved. Receipts are hints the next one supersedes, so this transaction
    does not wait for the disk (synchronous_commit off, for it alone): a message costs one
    durable commit, not two (docs/performance.md). One ``UPDATE … RETURNING`` per
    conversation, in id order so two sockets' batches never wait on each other in a cycle."""
    reader = "agent" if actor.user is not None else "visitor"
    field = f"{reader}_delivered_seq"
    table = Conversation._meta.db_table
    sql = (
        f"UPDATE {table} SET {field} = %s WHERE id = %s AND {field} < %s AND last_seq >= %s "
        f"RETURNING {field}, {reader}_read_seq"
    )
    moved_count = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        for conversation_id, seq in sorted(cursors.items()):
            cursor.execute(sql, [seq, conversation_id, seq, seq])
            row = cursor.fetchone()
            if row is None:
                continue
            moved_count += 1
            _publish_receipt(
                conversation_id=conversation_id,
                reader=reader,
                delivered_seq=row[0],
                read_seq=row[1],
            )
    return moved_count


def typing_frame(*, actor: Actor, conversation: Conversation, on: Any) -> tuple[list[str], dict]:
    """The groups and frame that tell the other side someone is typing; never stored."""
    if not isinstance(on, bool):
        raise BadRequest("on must be true or false.", fields={"on": ["Expected a bool."]})
    frame = {
        "type": events.TYPING,
        "conversation": conversation.pk,
        "sender": {"kind": "agent" if actor.user else "visitor", "name": _sender_name(actor)},
        "on": on,
    }
    groups = [events.group_conversation(conversation.pk)]
    if actor.user is not None:
        groups.append(events.group_conversation_shopper(conversation.pk))
    return groups, frame


# --- agents ---------------------------------------------------------------------------------


def agent_create(
    *,
    username: str,
    password: str,
    teams: list[str] | None = None,
    capacity: int = 5,
    display_name: str = "",
    supervisor: bool = False,
) -> Any:
    """Create or update an agent (used by ``create_agent`` and the demo data)."""
    from django.contrib.auth.models import Group

    from .models import AgentProfile, Team

    with transaction.atomic():
        user, _created = User.objects.get_or_create(username=username)
        user.set_password(password)
        user.is_staff = True
        user.save()
        group, _ = Group.objects.get_or_create(name="Supervisors" if supervisor else "Agents")
        user.groups.add(group)
        profile, _ = AgentProfile.objects.get_or_create(user=user)
        profile.capacity = capacity
        if display_name:
            profile.display_name = display_name
        profile.save()
        for name in teams or []:
            team, _ = Team.objects.get_or_create(name=name)
            profile.teams.add(team)
    return user
