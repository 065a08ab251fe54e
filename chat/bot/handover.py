"""Hand-over from the bot to a person, and the bot's state per care cycle."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from chat import events
from chat.access import Actor
from chat.events import sender_name
from chat.models import BotState, Conversation, Message
from chat.services.messages import message_create
from helpdesk import dispatch

from .conf import bot_setting

logger = logging.getLogger(__name__)


def bot_name() -> str:
    return str(bot_setting("NAME") or _("Assistant"))


def bot_say(
    conversation: Conversation,
    body: str,
    card: dict[str, Any],
    extra: dict[str, Any] | None = None,
    *,
    kind: str = Message.Kind.TEXT,
) -> Message:
    """Post a bot message to the shopper (``kind`` ``card`` for an order card).

    Besides the conversation's group, the message also goes to the visitor's (and verified
    customer's) own group, which every shopper socket joins at auth: the bot often answers a
    conversation's first message before the shopper's socket has joined the new
    conversation's group, and the doorbell would be lost. The widget drops the second copy
    (same seq).
    """
    message = message_create(
        conversation=conversation,
        sender_kind=Message.SenderKind.BOT,
        sender_name=bot_name(),
        body=body,
        card=card,
        kind=kind,
        extra=extra,
    )
    groups = [events.group_visitor(conversation.visitor_id)]
    if conversation.customer_id:
        groups.append(events.group_customer(conversation.customer_id))
    events.publish(
        groups, {"type": events.Frame.MESSAGE_CREATED, "message": events.message_payload(message)}
    )
    return message


def state_for(conversation: Conversation) -> BotState:
    """The conversation's bot state (created on first use). Caller holds the row lock."""
    state = BotState.objects.filter(conversation=conversation).first()
    if state is None:
        state = BotState.objects.create(
            conversation=conversation, cycle_started_at=conversation.created_at
        )
    return state


def customer_is_vip(customer: Any) -> bool:
    """VIP if the customer has a VIP tier (orders.Customer.vip_tier; read defensively)."""
    if customer is None:
        return False
    if getattr(customer, "is_vip", False) is True:
        return True
    return bool(getattr(customer, "vip_tier", ""))


def human_engaged(conversation: Conversation, state: BotState) -> bool:
    """A person has this conversation: it is assigned, or an agent replied in this cycle."""
    if conversation.assignee_id is not None:
        return True
    return Message.objects.filter(
        conversation=conversation,
        sender_kind=Message.SenderKind.AGENT,
        private=False,
        created_at__gte=state.cycle_started_at,
    ).exists()


def bot_active(conversation: Conversation, state: BotState) -> bool:
    """Whether the bot may speak: enabled, not handed over in this care cycle, not resolved,
    and no human engaged (docs/bot.md, "When the bot speaks")."""
    return (
        bool(bot_setting("ENABLED"))
        and conversation.channel.bot_enabled  # the channel's "bot answers" switch
        and state.handed_over_at is None
        and conversation.status != Conversation.Status.RESOLVED
        and not human_engaged(conversation, state)
    )


def reason_label(reason: str) -> str:
    return str(dict(BotState.Reason.choices).get(reason, reason))


def enqueue(conversation: Conversation, *, reason: str, priority: int) -> None:
    """Hand the conversation to routing (chat.routing)."""
    try:
        from chat.routing.services import conversation_enqueue
    except ImportError:
        # Without routing the conversation stays unassigned: the workspace's list shows it.
        logger.warning("chat.routing.services.conversation_enqueue is not available")
        return
    conversation_enqueue(conversation_id=conversation.pk, reason=reason, priority=priority)


def handover(
    *, conversation: Conversation, state: BotState, reason: str, detail: str = ""
) -> Message:
    """Stop the bot for this care cycle, tell the shopper who is coming, leave the agents a
    note with the reason, and hand the conversation to routing. Caller holds the row lock and
    has activated the shopper's language."""
    now = timezone.now()
    state.handed_over_at = now
    state.handover_reason = reason
    state.handover_detail = detail[:300]
    state.low_confidence_streak = 0
    state.save(
        update_fields=[
            "handed_over_at",
            "handover_reason",
            "handover_detail",
            "low_confidence_streak",
        ]
    )
    vip = reason == BotState.Reason.VIP or customer_is_vip(conversation.customer)
    dispatch.dispatch(
        dispatch.DomainEvent(
            name=dispatch.Event.BOT_HANDOVER,
            at=now,
            conversation_id=conversation.pk,
            data={"reason": str(reason), "detail": detail[:300], "vip": vip},
        )
    )
    # Routing ranks VIP customers first by itself (chat.routing.services.is_vip).
    enqueue(conversation, reason=reason, priority=0)
    # Routing may have assigned someone already: name them.
    conversation.refresh_from_db(fields=["assignee", "status", "team", "last_seq"])
    if conversation.assignee_id:
        user = (
            get_user_model()
            .objects.select_related("agent_profile")
            .get(pk=conversation.assignee_id)
        )
        text = _(
            "%(name)s will be with you in a moment and can see our conversation, so there is "
            "no need to repeat yourself."
        ) % {"name": sender_name(Actor(user=user))}
    else:
        text = handover_waiting_text(conversation)
    message = bot_say(conversation, text, {"type": "bot_handover", "reason": str(reason)})
    # The note is for the desk: in the desk's language, not the shopper's.
    with translation.override(settings.LANGUAGE_CODE):
        note = _("Bot handed over: %(reason)s") % {"reason": reason_label(reason)}
    if detail:
        note += f" — {detail[:200]}"
    message_create(
        conversation=conversation,
        sender_kind=Message.SenderKind.SYSTEM,
        body=note,
        private=True,
        card={"type": "bot_handover_note", "reason": str(reason)},
    )
    events.publish_conversation(conversation, shopper=False)
    return message


def back_at_text(when: Any, tz: Any) -> str:
    """``when`` as the shopper reads it: weekday and time in the team's time zone, named."""
    local = when.astimezone(tz)
    today = timezone.now().astimezone(tz).date()
    day = _("today") if local.date() == today else date_format(local, "l")
    return f"{day} {local:%H:%M} ({local.tzname()})"


def handover_waiting_text(conversation: Conversation) -> str:
    """What the shopper is told when nobody took the conversation at once: outside business
    hours, when the team is back; with nobody free, that the first free colleague answers."""
    from chat.routing import business_hours
    from chat.routing.selectors import free_slots

    now = timezone.now()
    team_id = conversation.team_id
    if not business_hours.is_open(team_id=team_id, at=now):
        back = business_hours.next_open(team_id=team_id, after=now)
        hours = business_hours.hours_for(team_id)
        if back is not None and hours is not None:
            return _(
                "I'm passing you to a person. Our team is away right now and back %(when)s; "
                "they will answer here and can see our conversation, so there is no need to "
                "repeat yourself."
            ) % {"when": back_at_text(back, hours.tz)}
        return _(
            "I'm passing you to a person. Our team is away right now; they will answer here "
            "when they are back and can see our conversation."
        )
    agents, _capacity = free_slots(team_id)
    if agents == 0:
        return _(
            "I'm passing you to a person. Everyone is busy or offline right now; the first "
            "colleague who is free will answer here and can see our conversation, so there is "
            "no need to repeat yourself."
        )
    return _(
        "I'm passing you to a person. The next available colleague will answer right here "
        "and can see our conversation, so there is no need to repeat yourself."
    )


def bot_step_aside(*, conversation_id: int, reason: str, detail: str = "", at: Any) -> None:
    """A person takes this conversation without the bot saying anything: the shopper left a
    message (and a way back) in the widget's form, which already told them we will get back
    to them. The bot stays silent for the rest of the care cycle, so it never answers the left
    message itself. Runs inside the writer's transaction, before the bot's after-commit task
    looks at the message."""
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if conversation is None:
        return
    state = state_for(conversation)
    if state.handed_over_at is not None:
        return
    state.handed_over_at = at
    state.handover_reason = reason
    state.handover_detail = detail[:300]
    state.save(update_fields=["handed_over_at", "handover_reason", "handover_detail"])


def state_reset_for_new_cycle(*, conversation_id: int, at: Any) -> None:
    """A reopened conversation starts a new care cycle: the bot may speak again."""
    BotState.objects.filter(conversation_id=conversation_id).update(
        cycle_started_at=at,
        handed_over_at=None,
        handover_reason="",
        handover_detail="",
        low_confidence_streak=0,
    )
