"""How the bot hears about the desk: domain events, model signals and payload hooks.

``connect()`` subscribes and registers them, from ``chat.listeners``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from chat import events
from chat.models import BotState, Conversation, KnowledgeEntry, KnowledgeQuestion, Message
from chat.routing.services import bot_gate_register
from helpdesk import dispatch
from helpdesk.storefront import widget_strings_register

from .handover import bot_step_aside, reason_label, state_reset_for_new_cycle
from .learning import proposal_from_pick, proposals_from_resolved
from .matching.index import kb_changed
from .why import bot_why_entry_deleted, bot_why_payload, bot_why_record


def on_message_created(event: dispatch.DomainEvent) -> None:
    """A shopper's public text message: the bot looks at it once it has committed. Costs the
    message path nothing but an on-commit callback. A bot message's why (chat/bot/why.py) is
    stored here, before the message is published, so agents get it with the message."""
    data = event.data
    why = data.get("bot_why")
    if why and data.get("sender_kind") == "bot":
        bot_why_record(message_id=data["message_id"], data=why)
        return
    if data.get("sender_kind") != "visitor" or data.get("private"):
        return
    message_id = data.get("message_id")
    if not message_id:
        return
    from .tasks import bot_batch

    # robust: a failing bot (or broker) never turns the shopper's committed send into an error.
    transaction.on_commit(lambda: bot_batch.add(message_id), robust=True)


def on_conversation_reopened(event: dispatch.DomainEvent) -> None:
    if event.conversation_id is not None:
        state_reset_for_new_cycle(conversation_id=event.conversation_id, at=event.at)


def on_conversation_queued(event: dispatch.DomainEvent) -> None:
    """A message left in the widget's leave-a-message form (routing queues it with reason
    ``left_message``) is for a person: the bot never answers it."""
    if event.conversation_id is None or event.data.get("reason") != "left_message":
        return
    with translation.override(settings.LANGUAGE_CODE):
        detail = str(_("The shopper left a message for a person"))
    bot_step_aside(
        conversation_id=event.conversation_id,
        reason=BotState.Reason.REQUESTED,
        detail=detail,
        at=event.at,
    )


def on_conversation_resolved(event: dispatch.DomainEvent) -> None:
    """The questions the bot could not answer and the agent's replies that resolved them become
    knowledge-base proposals (chat/bot/learning.py), reviewed in the admin."""
    if event.conversation_id is not None:
        proposals_from_resolved(conversation_id=event.conversation_id)


def on_bot_answered(event: dispatch.DomainEvent) -> None:
    """The shopper picked a "did you mean" suggestion (``bot.answered`` with ``picked``): their
    words are proposed as a new phrasing of that entry (chat/bot/learning.py)."""
    data = event.data
    if not data.get("picked"):
        return
    entry = KnowledgeEntry.objects.filter(pk=data.get("entry_id") or 0).first()
    question_id = data.get("question_message_id")
    question = (
        Message.objects.filter(pk=question_id).values_list("body", flat=True).first()
        if isinstance(question_id, int)
        else None
    )
    if entry is None or question is None:
        return
    proposal_from_pick(
        entry=entry,
        question=question,
        question_message_id=question_id,
        conversation_id=event.conversation_id,
    )


def on_kb_change(sender: Any, **kwargs: Any) -> None:
    """An entry, phrasing or product link changed: every process rebuilds its index, and
    (after commit) a Celery task embeds the entry's new texts."""
    kb_changed()
    instance = kwargs.get("instance")
    entry_id = getattr(instance, "entry_id", None) or getattr(instance, "pk", None)
    if isinstance(instance, KnowledgeEntry | KnowledgeQuestion) and entry_id:
        from .tasks import kb_vectors_batch

        # robust: a broker that is down never fails the admin's save; the entry is matched
        # on words until its vectors exist.
        transaction.on_commit(lambda: kb_vectors_batch.add(entry_id), robust=True)


def bot_payload(conversation: Conversation, staff: bool) -> dict[str, Any]:
    """``bot`` in the staff view of a conversation: whether the bot is still talking, why it
    handed over, and the shopper's latest sentiment. Nothing in the shopper's view."""
    if not staff or conversation.pk is None:
        return {}
    # The reverse one-to-one: free when the caller select_related("bot_state") (the list).
    try:
        bot_state: BotState | None = conversation.bot_state  # type: ignore[attr-defined]
    except BotState.DoesNotExist:
        bot_state = None
    state: dict[str, Any] = (
        {
            "handed_over_at": bot_state.handed_over_at,
            "handover_reason": bot_state.handover_reason,
            "handover_detail": bot_state.handover_detail,
            "last_sentiment": bot_state.last_sentiment,
        }
        if bot_state is not None
        else {}
    )
    reason = state.get("handover_reason") or ""
    return {
        "bot": {
            "handed_over": state.get("handed_over_at") is not None,
            "handed_over_at": events.isoformat(state.get("handed_over_at")),
            "handover_reason": reason,
            "handover_label": reason_label(reason) if reason else "",
            "handover_detail": state.get("handover_detail") or "",
            "sentiment": state.get("last_sentiment"),
        }
    }


def bot_takes_turn(conversation_id: int) -> bool:
    """Routing's gate (chat.routing.services.bot_gates): True while the bot answers this
    conversation, so routing does not queue it; the bot queues it itself on hand-over."""
    from .conf import bot_setting

    if not bot_setting("ENABLED"):
        return False
    conversation = (
        Conversation.objects.filter(pk=conversation_id)
        .select_related("channel")
        .only("assignee_id", "channel__bot_enabled")
        .first()
    )
    if conversation is None or conversation.assignee_id is not None:
        return False
    if not conversation.channel.bot_enabled:
        return False
    handed_over = BotState.objects.filter(
        conversation_id=conversation_id, handed_over_at__isnull=False
    ).exists()
    return not handed_over


def on_entry_deleted(sender: Any, instance: KnowledgeEntry, **kwargs: Any) -> None:
    """The whys that name a deleted entry say it was deleted (no admin link to a missing page)."""
    bot_why_entry_deleted(entry_id=instance.pk)


def connect() -> None:
    dispatch.subscribe(dispatch.Event.MESSAGE_CREATED, on_message_created)
    dispatch.subscribe(dispatch.Event.CONVERSATION_REOPENED, on_conversation_reopened)
    dispatch.subscribe(dispatch.Event.CONVERSATION_QUEUED, on_conversation_queued)
    dispatch.subscribe(dispatch.Event.CONVERSATION_RESOLVED, on_conversation_resolved)
    dispatch.subscribe(dispatch.Event.BOT_ANSWERED, on_bot_answered)
    for model in (KnowledgeEntry, KnowledgeQuestion):
        post_save.connect(on_kb_change, sender=model, dispatch_uid=f"bot-kb-save-{model.__name__}")
        post_delete.connect(
            on_kb_change, sender=model, dispatch_uid=f"bot-kb-delete-{model.__name__}"
        )
    post_delete.connect(on_entry_deleted, sender=KnowledgeEntry, dispatch_uid="bot-why-deleted")
    m2m_changed.connect(
        on_kb_change, sender=KnowledgeEntry.products.through, dispatch_uid="bot-kb-products"
    )
    events.conversation_payload_register(bot_payload)
    events.message_payload_register(bot_why_payload, staff_only=True)
    bot_gate_register(bot_takes_turn)
    widget_strings_register(
        "bot",
        {
            "thanks": _("Thanks for the feedback!"),
            "failed": _("Sorry, that did not go through. Please try again."),
        },
    )
