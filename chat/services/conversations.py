"""A conversation's assignee and status: what agents do to it, and the same changes made by
the desk itself (routing, the message path, order notices) on a row the caller has locked."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from helpdesk import dispatch
from helpdesk.errors import BadRequest, Forbidden, NotFound

from .. import events
from ..access import Actor, access_conversation, is_agent
from ..events import Frame, sender_name
from ..models import Conversation
from .messages import activity_create

if TYPE_CHECKING:
    from django.contrib.auth.models import User

UserModel = get_user_model()


def conversation_assignee_set(
    *, conversation: Conversation, assignee: User | None, by: User | None
) -> None:
    """Give a locked conversation to ``assignee`` (None: nobody), dispatch
    ``conversation.assigned`` and tell the new assignee's sockets. ``by`` is the agent who did
    it; None when the desk did (routing's auto-assignment, an agent going offline)."""
    previous = conversation.assignee_id
    conversation.assignee = assignee
    conversation.save(update_fields=["assignee"])
    dispatch.dispatch(
        dispatch.DomainEvent(
            name=dispatch.Event.CONVERSATION_ASSIGNED,
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
                "type": Frame.CONVERSATION_ASSIGNED,
                "conversation": events.conversation_payload(conversation, staff=True),
            },
        )


def conversation_reopen(*, conversation: Conversation, by: User | None) -> None:
    """Open a resolved conversation (locked by the caller) again: a new care cycle starts.
    ``by`` is None when the shopper's message (or an order notice) reopened it."""
    conversation.status = Conversation.Status.OPEN
    conversation.resolved_at = None
    conversation.snoozed_until = None
    conversation.muted_until = None
    conversation.save(update_fields=["status", "resolved_at", "snoozed_until", "muted_until"])
    dispatch.dispatch(
        dispatch.DomainEvent(
            name=dispatch.Event.CONVERSATION_REOPENED,
            at=timezone.now(),
            conversation_id=conversation.pk,
            data={"by_user_id": getattr(by, "pk", None)},
        )
    )


def _agent_or_404(user_id: int) -> User:
    """An active agent, or ``NotFound`` (any other user looks the same as no user)."""
    user = (
        UserModel.objects.select_related("agent_profile").filter(pk=user_id, is_active=True).first()
    )
    if user is None or not is_agent(user):
        raise NotFound("Agent not found.")
    return user


def conversation_assign(
    *, actor: Actor, conversation_id: int, assignee_id: int | None
) -> Conversation:
    """Assign (take, transfer) a conversation to an agent, or unassign with ``None``."""
    if actor.user is None:
        raise Forbidden("Only agents can assign conversations.")
    with transaction.atomic():
        conversation = access_conversation(
            actor=actor, conversation_id=conversation_id, for_update=True
        )
        assignee = None if assignee_id is None else _agent_or_404(assignee_id)
        if getattr(assignee, "pk", None) == conversation.assignee_id:
            return conversation
        previous_id = conversation.assignee_id
        conversation_assignee_set(conversation=conversation, assignee=assignee, by=actor.user)
        by_name = sender_name(actor)
        if assignee is None:
            text = _("%(by)s unassigned the conversation") % {"by": by_name}
        elif previous_id is None and assignee.pk == actor.user.pk:
            text = _("%(by)s took the conversation") % {"by": by_name}
        else:
            text = _("%(by)s assigned the conversation to %(to)s") % {
                "by": by_name,
                "to": sender_name(Actor(user=assignee)),
            }
        activity_create(conversation=conversation, text=text)
        events.publish_conversation(conversation)
        return conversation


def conversation_status_set(
    *,
    actor: Actor,
    conversation_id: int,
    status: str,
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
            conversation_reopen(conversation=conversation, by=actor.user)
        conversation.status = status
        conversation.snoozed_until = (
            snoozed_until if status == Conversation.Status.SNOOZED else None
        )
        conversation.resolved_at = now if status == Conversation.Status.RESOLVED else None
        conversation.save(update_fields=["status", "snoozed_until", "resolved_at"])
        dispatch.dispatch(
            dispatch.DomainEvent(
                name=(
                    dispatch.Event.CONVERSATION_RESOLVED
                    if status == Conversation.Status.RESOLVED
                    else dispatch.Event.CONVERSATION_STATUS_CHANGED
                ),
                at=now,
                conversation_id=conversation.pk,
                data={"status": status, "previous": previous, "by_user_id": actor.user.pk},
            )
        )
        texts: dict[str, str] = {
            Conversation.Status.RESOLVED: _("%(by)s resolved the conversation"),
            Conversation.Status.OPEN: _("%(by)s reopened the conversation"),
            Conversation.Status.PENDING: _("%(by)s marked the conversation pending"),
            Conversation.Status.SNOOZED: _("%(by)s snoozed the conversation"),
        }
        activity_create(conversation=conversation, text=texts[status] % {"by": sender_name(actor)})
        events.publish_conversation(conversation)
        return conversation
