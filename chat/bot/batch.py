"""The bot's batch task in statements per batch (``chat.bot.tasks.reply_many``): where the
bot is silent anyway the batch is settled here; the rest goes to ``services.bot_reply`` one
message at a time."""

from __future__ import annotations

from django.db import transaction

from chat import events
from chat.models import BotState, Conversation, Message, MessageSentiment

from .conf import bot_setting
from .matching import detect_language
from .sentiment import sentiment_score
from .services import mood_of


def _bot_may_speak(conversation: Conversation, state: BotState | None, enabled: bool) -> bool:
    """False when ``bot_active`` is surely false without reading anything more: the bot or
    the channel's switch off, handed over, resolved or assigned. True means "maybe": an agent's
    reply in this cycle (``human_engaged``) is only known to ``bot_reply``."""
    return (
        enabled
        and conversation.channel.bot_enabled
        and (state is None or state.handed_over_at is None)
        and conversation.status != Conversation.Status.RESOLVED
        and conversation.assignee_id is None
    )


def bot_reply_batch(message_ids: list[int]) -> list[int]:
    """``bot_reply`` for a batch of shopper messages (the servers queue one task per batch:
    helpdesk/task_batch.py), in statements per batch instead of per message: the messages in
    one read, their sentiments in one INSERT, and, where the bot is silent anyway (switched
    off, handed over, assigned, resolved: most of a busy desk's messages), their
    conversations locked and their bot states read in one statement and written in one.
    Returns the ids left for ``bot_reply`` one by one (the bot may speak there), in order.

    A conversation's sentiment badge is published once per batch when its mood changed from
    before the batch to after it (one by one, a change and its undoing within the batch were
    each published)."""
    rows = list(
        Message.objects.filter(pk__in=message_ids)
        .only("pk", "conversation_id", "sender_kind", "private", "kind", "body")
        .order_by("pk")
    )
    todo = [
        m
        for m in rows
        if m.sender_kind == Message.SenderKind.VISITOR
        and not m.private
        and not (m.kind == Message.Kind.TEXT and not m.body.strip())
    ]
    if not todo:
        return []
    scores: dict[int, float] = {}
    sentiments = []
    for m in todo:
        if m.kind == Message.Kind.TEXT:
            scores[m.pk] = sentiment_score(m.body)
            sentiments.append(
                MessageSentiment(
                    message_id=m.pk,
                    conversation_id=m.conversation_id,
                    score=scores[m.pk],
                    language=detect_language(m.body),
                )
            )
    # Idempotent as get_or_create was: a retried batch keeps the first score.
    MessageSentiment.objects.bulk_create(sentiments, ignore_conflicts=True)
    enabled = bool(bot_setting("ENABLED"))
    left: list[int] = []
    with transaction.atomic():
        conversations = {
            c.pk: c
            for c in Conversation.objects.select_for_update(of=("self",))
            .select_related("channel", "visitor", "customer", "assignee", "team", "bot_state")
            .filter(pk__in={m.conversation_id for m in todo})
            .order_by("pk")  # one lock order for every batch
        }
        created: list[BotState] = []
        changed: dict[int, BotState] = {}
        moods: dict[int, int] = {}
        for m in todo:
            conversation = conversations.get(m.conversation_id)
            if conversation is None:
                continue
            try:
                state: BotState | None = conversation.bot_state  # type: ignore[attr-defined]
            except BotState.DoesNotExist:
                state = None
            if _bot_may_speak(conversation, state, enabled):
                left.append(m.pk)
                continue
            if state is None:
                state = BotState(
                    conversation=conversation, cycle_started_at=conversation.created_at
                )
                conversation.bot_state = state  # type: ignore[attr-defined]
                created.append(state)
            if state.last_message_id >= m.pk:
                continue  # seen by a run before this one
            moods.setdefault(conversation.pk, mood_of(state.last_sentiment))
            state.last_message_id = m.pk
            if m.pk in scores:
                state.last_sentiment = scores[m.pk]
            if state.pk is not None:
                changed[conversation.pk] = state
        if created:
            BotState.objects.bulk_create(created)
        if changed:
            BotState.objects.bulk_update(
                list(changed.values()), ["last_message_id", "last_sentiment"]
            )
        for conversation_id, mood in moods.items():
            conversation = conversations[conversation_id]
            if mood_of(conversation.bot_state.last_sentiment) != mood:  # type: ignore[attr-defined]
                # The list's sentiment badge changed: tell the workspaces.
                events.publish_conversation(conversation, shopper=False)
    order = {message_id: index for index, message_id in enumerate(message_ids)}
    return sorted(left, key=order.__getitem__)
