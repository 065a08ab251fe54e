"""The shopper's clicks on a bot message: "Did this help? Yes / No / Talk to a person"."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chat.access import Actor, access_conversation
from chat.models import BotFeedback, BotState, Conversation, Message
from helpdesk import dispatch
from helpdesk.errors import BadRequest, NotFound

from .handover import bot_active, handover, state_for
from .matching import detect_language
from .services import not_sure
from .suggestions import suggest_mark_picked


def check_choice(choice: Any) -> str:
    if choice not in BotFeedback.Choice.values:
        raise BadRequest(
            "choice must be yes, no or human.", fields={"choice": ["One of yes, no, human."]}
        )
    return str(choice)


def bot_feedback_record(*, actor: Actor, message_id: Any, choice: Any) -> BotFeedback:
    """A shopper's click on a bot message's buttons. The last click counts; "human" hands
    over, "No" counts as a miss (two misses hand over). Only the conversation's shopper may
    click, and only actions the message offered."""
    choice = check_choice(choice)
    if actor.visitor is None:
        raise NotFound("Message not found.")
    try:
        pk = int(message_id)
    except (TypeError, ValueError):
        raise NotFound("Message not found.") from None
    if not 0 < pk < 2**63:
        raise NotFound("Message not found.")
    with transaction.atomic():
        message = Message.objects.filter(
            pk=pk, sender_kind=Message.SenderKind.BOT, private=False
        ).first()
        if message is None:
            raise NotFound("Message not found.")
        conversation = access_conversation(
            actor=actor, conversation_id=message.conversation_id, for_update=True
        )
        card = message.card if isinstance(message.card, dict) else {}
        offered = {a.get("id") for a in card.get("actions", []) if isinstance(a, dict)}
        if choice not in offered:
            raise BadRequest(
                "This message does not offer that choice.", fields={"choice": ["Not offered."]}
            )
        entry_id = card.get("entry") if card.get("type") == "bot_answer" else None
        if choice == BotFeedback.Choice.HUMAN:
            # "None of these" on a "did you mean" card: the card shows it after a reload.
            suggest_mark_picked(message, choice)
        feedback = BotFeedback.objects.filter(message=message).first()
        if feedback is not None and feedback.choice == choice:
            return feedback
        if feedback is None:
            feedback = BotFeedback.objects.create(
                message=message, conversation=conversation, entry_id=entry_id, choice=choice
            )
        else:
            feedback.choice = choice
            feedback.save(update_fields=["choice", "updated_at"])
        dispatch.dispatch(
            dispatch.DomainEvent(
                name=dispatch.Event.BOT_FEEDBACK,
                at=timezone.now(),
                conversation_id=conversation.pk,
                data={"message_id": message.pk, "entry_id": entry_id, "choice": choice},
            )
        )
        conversation = Conversation.objects.select_related("visitor", "customer").get(
            pk=conversation.pk
        )
        state = state_for(conversation)
        if choice == BotFeedback.Choice.YES or not bot_active(conversation, state):
            return feedback
        # Answer in the language the bot used in that message.
        with translation.override(detect_language(message.body)):
            if choice == BotFeedback.Choice.HUMAN:
                handover(conversation=conversation, state=state, reason=BotState.Reason.FEEDBACK)
            else:
                not_sure(
                    conversation,
                    state,
                    detail=message.body[:200],
                    body=_(
                        "Sorry that didn't help. Could you say it in other words, or talk to a "
                        "person?"
                    ),
                )
        return feedback
