"""A conversation's priority (none, low, medium, high, urgent): set by an agent from the pane
header, a macro or an automation rule; shown, filtered and sorted by in the list.

Stored as a small integer on the conversation (``Conversation.Priority``), so the list sorts by
it in the index ``conv_status_priority`` and the payload costs no query; the protocol speaks
the names."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from helpdesk import dispatch
from helpdesk.errors import BadRequest, Forbidden

from .. import events
from ..access import Actor, access_conversation
from ..events import sender_name
from ..models import Conversation
from ..services.messages import activity_create

if TYPE_CHECKING:
    from django.contrib.auth.models import User

NAMES = tuple(p.name.lower() for p in Conversation.Priority)  # none, low, medium, high, urgent
Priority = Conversation.Priority


def priority_name(value: int) -> str:
    return NAMES[value] if 0 <= value < len(NAMES) else "none"


def priority_value(name: Any, field: str = "priority") -> int:
    """The stored value of a priority name, or ``BadRequest`` naming ``field``."""
    if not isinstance(name, str) or name not in NAMES:
        raise BadRequest("Unknown priority.", fields={field: [f"One of {', '.join(NAMES)}."]})
    return NAMES.index(name)


def priority_payload(conversation: Conversation, staff: bool) -> dict[str, Any]:
    """``priority`` in the staff view (a column of the row: no query)."""
    return {"priority": priority_name(conversation.priority)} if staff else {}


def priority_change(*, conversation: Conversation, priority: int, by: User | None) -> bool:
    """Set the priority of a conversation the caller has locked; an activity line, the domain
    event and the agents' ``conversation.updated``. False when it already had that priority."""
    previous = conversation.priority
    if previous == priority:
        return False
    conversation.priority = priority
    conversation.save(update_fields=["priority"])
    dispatch.dispatch(
        dispatch.DomainEvent(
            name=dispatch.Event.CONVERSATION_PRIORITY_CHANGED,
            at=timezone.now(),
            conversation_id=conversation.pk,
            data={
                "priority": priority_name(priority),
                "previous": priority_name(previous),
                "by_user_id": getattr(by, "pk", None),
            },
        )
    )
    label = str(Priority(priority).label)
    if by is not None:
        who = sender_name(Actor(user=by))
        text = _("%(by)s set the priority to %(priority)s") % {"by": who, "priority": label}
    else:
        text = _("Priority set to %(priority)s") % {"priority": label}
    activity_create(conversation=conversation, text=text)
    events.publish_conversation(conversation, shopper=False)
    return True


def conversation_priority_set(*, actor: Actor, conversation_id: int, priority: Any) -> Conversation:
    """An agent sets the conversation's priority (a name of ``NAMES``)."""
    if actor.user is None:
        raise Forbidden("Only agents can set a conversation's priority.")
    value = priority_value(priority)
    with transaction.atomic():
        conversation = access_conversation(
            actor=actor, conversation_id=conversation_id, for_update=True
        )
        priority_change(conversation=conversation, priority=value, by=actor.user)
    return conversation
