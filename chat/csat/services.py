"""Satisfaction: the shopper rates a resolved care cycle once."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from chat import events
from chat.access import Actor, access_conversation
from chat.models import Conversation, Message, SatisfactionRating
from chat.services.messages import message_create
from helpdesk import dispatch
from helpdesk.errors import BadRequest, Forbidden, HelpdeskError

MAX_COMMENT = 2000


class Conflict(HelpdeskError):
    code = "conflict"


def check_rating(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise BadRequest("rating must be 1 to 5.", fields={"rating": ["An integer 1 to 5."]})
    return value


def check_comment(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadRequest("comment must be a string.", fields={"comment": ["Expected a string."]})
    value = value.replace("\x00", "").strip()
    if len(value) > MAX_COMMENT:
        raise BadRequest(
            "The comment is too long.", fields={"comment": [f"At most {MAX_COMMENT} characters."]}
        )
    return value


def csat_submit(
    *, actor: Actor, conversation_id: Any, rating: Any, comment: Any = ""
) -> SatisfactionRating:
    """Store the shopper's 1-5 rating of the conversation's latest resolution, once.

    Only the conversation's shopper may rate, only while it is resolved; a second rating of
    the same resolution is a ``conflict``. Agents see the rating as a private note;
    ``csat.submitted`` goes to listeners (analytics).
    """
    if actor.user is not None:
        raise Forbidden("Only the shopper can rate a conversation.")
    rating = check_rating(rating)
    comment = check_comment(comment)
    with transaction.atomic():
        conversation = access_conversation(
            actor=actor, conversation_id=conversation_id, for_update=True
        )
        if conversation.status != Conversation.Status.RESOLVED or conversation.resolved_at is None:
            raise BadRequest("Only a resolved conversation can be rated.")
        try:
            with transaction.atomic():
                stored = SatisfactionRating.objects.create(
                    conversation=conversation,
                    resolved_at=conversation.resolved_at,
                    assignee_id=conversation.assignee_id,
                    team_id=conversation.team_id,
                    rating=rating,
                    comment=comment,
                )
        except IntegrityError:
            raise Conflict("This conversation has already been rated.") from None
        dispatch.dispatch(
            dispatch.DomainEvent(
                name=dispatch.Event.CSAT_SUBMITTED,
                at=stored.created_at,
                conversation_id=conversation.pk,
                data={
                    "rating_id": stored.pk,
                    "rating": rating,
                    "resolved_at": conversation.resolved_at.isoformat(),
                    "assignee_id": conversation.assignee_id,
                    "team_id": conversation.team_id,
                },
            )
        )
        note = _("The shopper rated this conversation %(stars)s (%(rating)d/5)") % {
            "stars": "★" * rating + "☆" * (5 - rating),
            "rating": rating,
        }
        if comment:
            note += ": " + comment
        message_create(
            conversation=conversation,
            sender_kind=Message.SenderKind.SYSTEM,
            body=note,
            private=True,
        )
        events.publish(
            [events.group_conversation(conversation.pk)],
            {
                "type": events.Frame.CSAT_SUBMITTED,
                "conversation": conversation.pk,
                "rating": rating,
            },
        )
        return stored


def csat_requested(conversation: Conversation) -> bool:
    """Whether the widget should ask this conversation's shopper for a rating now."""
    if conversation.status != Conversation.Status.RESOLVED or conversation.resolved_at is None:
        return False
    return not SatisfactionRating.objects.filter(
        conversation_id=conversation.pk, resolved_at=conversation.resolved_at
    ).exists()
