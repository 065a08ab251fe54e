"""The bot's writes: reply to a shopper message (feedback on answers: ``feedback.py``).

They run after the shopper's message committed (a Celery task or the feedback endpoint), lock
the conversation row and re-check that the bot may still speak, so a human who replied in the
meantime always wins.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chat import events
from chat.models import (
    BotState,
    Conversation,
    KnowledgeEntry,
    Message,
    MessageSentiment,
    UnmatchedQuestion,
)
from chat.translation.bot import kb_question

from .conf import bot_setting
from .handover import bot_active, bot_say, customer_is_vip, handover, state_for
from .intents import wants_human
from .matching import detect_language
from .matching.hybrid import decide
from .orders_answer import is_order_question, order_reply
from .sentiment import sentiment_score
from .suggestions import bot_answer_entry, bot_suggest


def actions(*ids: str) -> list[dict[str, str]]:
    labels = {"yes": _("Yes"), "no": _("No"), "human": _("Talk to a person")}
    return [{"id": i, "label": str(labels[i])} for i in ids]


def _say(conversation: Conversation, body: str, card: dict[str, Any], **extra: Any) -> Message:
    return bot_say(conversation, body, card, extra or None)


def _order_cards(
    conversation: Conversation, orders: list[dict[str, Any]], customer: Any
) -> list[Message]:
    """Each order the bot talked about, as the order card an agent would send (items,
    picture, shipment), checked against the conversation's customer like the agent's."""
    from chat.cards import card_build

    sent = []
    for order in orders:
        card = card_build(
            card_type="order", ref_id=order["id"], customer_id=getattr(customer, "pk", None)
        )
        body = str(card.get("title") or "")
        sent.append(bot_say(conversation, body, card, kind=Message.Kind.CARD))
    return sent


def _product_ids(conversation: Conversation) -> list[int]:
    """The product whose page the shopper is on, if any (boosts entries tied to it)."""
    url = conversation.visitor.current_url
    if not url:
        return []
    from chat.models import KnowledgeEntry as Entry

    through = Entry.products.through
    path = url.split("?")[0].rstrip("/")
    slug = path.rsplit("/", 1)[-1]
    if not slug:
        return []
    return list(
        through.objects.filter(product__slug=slug).values_list("product_id", flat=True).distinct()
    )


def sentiment_record(message: Message) -> float:
    """Score a shopper message once and store it (idempotent)."""
    score = sentiment_score(message.body)
    MessageSentiment.objects.get_or_create(
        message=message,
        defaults={
            "conversation_id": message.conversation_id,
            "score": score,
            "language": detect_language(message.body),
        },
    )
    return score


def _negative(score: float, previous: float | None) -> bool:
    strong = float(bot_setting("NEGATIVE_STRONG"))
    mild = float(bot_setting("NEGATIVE"))
    return score <= strong or (score <= mild and previous is not None and previous <= mild)


def mood_of(score: float | None) -> int:
    """-1 negative, 0 neutral (or unknown), 1 positive: what the workspace's badges show."""
    if score is None:
        return 0
    if score <= float(bot_setting("NEGATIVE")):
        return -1
    return 1 if score >= -float(bot_setting("NEGATIVE")) else 0


def bot_reply(*, message_id: int) -> Message | None:
    """Deal with one shopper message after it committed: score its sentiment, then — if the
    bot may speak — hand over, answer an order question or answer from the knowledge base.
    A file (image, voice clip …) goes to a person. Returns the bot's message, or None when
    the bot stays silent."""
    message = Message.objects.select_related("conversation").filter(pk=message_id).first()
    if message is None or message.sender_kind != Message.SenderKind.VISITOR or message.private:
        return None
    text = message.kind == Message.Kind.TEXT
    if text and not message.body.strip():
        return None
    score = sentiment_record(message) if text else None
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("visitor", "customer", "assignee", "team")
            .get(pk=message.conversation_id)
        )
        state = state_for(conversation)
        if state.last_message_id >= message.pk:
            return None
        previous = state.last_sentiment
        state.last_message_id = message.pk
        fields = ["last_message_id"]
        if score is not None:
            state.last_sentiment = score
            fields.append("last_sentiment")
        state.save(update_fields=fields)
        if score is not None and mood_of(score) != mood_of(previous):
            # The list's sentiment badge changed: tell the workspaces.
            events.publish_conversation(conversation, shopper=False)
        if not bot_active(conversation, state):
            return None
        language = (
            detect_language(message.body) if message.body.strip() else _language(conversation)
        )
        with translation.override(language):
            if not text:
                return handover(
                    conversation=conversation,
                    state=state,
                    reason=BotState.Reason.ATTACHMENT,
                    detail=f"[{message.kind}] {message.body}".strip(),
                )
            assert score is not None
            return _respond(conversation, state, message, language, score, previous)


def bot_unseen_messages(
    *, grace_seconds: float = 60, window_seconds: float = 3600, limit: int = 500
) -> list[int]:
    """Shopper messages whose bot task was lost: queued while the broker was down (the batch
    logs it and drops it: helpdesk/task_batch.py) or in the batch of a server killed within
    its window. For each conversation where the shopper spoke last between ``window_seconds``
    and ``grace_seconds`` ago, its newest public shopper message, when the bot's state has
    not seen it (``last_message_id``). ``bot_reply`` on it is what its task would have done
    (a message the bot did see meanwhile is skipped under the row lock)."""
    now = timezone.now()
    newest = (
        Message.objects.filter(
            conversation_id=OuterRef("pk"), sender_kind=Message.SenderKind.VISITOR, private=False
        )
        .order_by("-seq")
        .values("pk")[:1]
    )
    seen = BotState.objects.filter(conversation_id=OuterRef("pk")).values("last_message_id")[:1]
    return list(
        Conversation.objects.filter(
            last_activity_at__gte=now - dt.timedelta(seconds=window_seconds),
            last_activity_at__lte=now - dt.timedelta(seconds=grace_seconds),
            last_message_sender=Message.SenderKind.VISITOR,
        )
        .exclude(status=Conversation.Status.RESOLVED)
        .annotate(newest=Subquery(newest), seen=Coalesce(Subquery(seen), 0))
        .filter(newest__gt=F("seen"))
        .order_by("last_activity_at")
        .values_list("newest", flat=True)[:limit]
    )


def _language(conversation: Conversation) -> str:
    code = (conversation.visitor.language or "").lower()
    return "zh-hans" if code.startswith("zh") else "en"


def _respond(
    conversation: Conversation,
    state: BotState,
    message: Message,
    language: str,
    score: float,
    previous: float | None,
) -> Message:
    text = message.body
    customer = conversation.customer or conversation.visitor.customer
    if wants_human(text):
        return handover(
            conversation=conversation, state=state, reason=BotState.Reason.REQUESTED, detail=text
        )
    if customer_is_vip(customer):
        return handover(conversation=conversation, state=state, reason=BotState.Reason.VIP)
    if _negative(score, previous):
        return handover(
            conversation=conversation,
            state=state,
            reason=BotState.Reason.NEGATIVE,
            detail=_("sentiment %(score)+.2f: %(text)s") % {"score": score, "text": text[:150]},
        )
    if is_order_question(text):
        reply = order_reply(text=text, customer_id=getattr(customer, "pk", None))
        card = {
            "type": "bot_orders",
            "orders": [
                {
                    "number": o.get("number") or o.get("external_id"),
                    "status": o.get("status"),
                    "url": o.get("url"),
                }
                for o in reply.orders
            ],
            "sign_in": reply.needs_sign_in,
            "actions": [] if reply.handover else actions("human"),
        }
        if reply.orders:
            # The orders follow as order cards; a client that draws them shows this instead
            # of the body's text list (which stays for clients without cards).
            card["intro"] = reply.intro
            state.answers += 1
            state.save(update_fields=["answers"])
        answer = _say(conversation, reply.body, card, bot_intent="order")
        _order_cards(conversation, reply.orders, customer)
        if reply.handover:
            handover(
                conversation=conversation,
                state=state,
                reason=BotState.Reason.ORDER,
                detail=text,
            )
        return answer
    # A question in neither English nor Chinese is matched in the knowledge base's language
    # when a translation provider is set (docs/translation.md).
    question, question_language = kb_question(message, text, language)
    decision = decide(question, language=question_language, product_ids=_product_ids(conversation))
    if decision.decision == "answer" and decision.entry is not None:
        entry = KnowledgeEntry.objects.filter(pk=decision.entry.id, active=True).first()
        if entry is not None:
            return bot_answer_entry(
                conversation=conversation,
                state=state,
                entry=entry,
                question=message,
                confidence=decision.score,
                decision=decision,
            )
    # The nearest entry, for the reports; none when nothing in the knowledge base shares any
    # evidence with the question (reports count those as questions with no entry at all).
    evidence = decision.lexical > 0 or bool(decision.semantic)
    best = decision.suggestions[0] if decision.suggestions and evidence else None
    UnmatchedQuestion.objects.get_or_create(
        message=message,
        defaults={
            "conversation": conversation,
            "text": text[:2000],
            "language": language,
            "best_entry_id": best.entry_id if best else None,
            "best_score": best.score if best else 0.0,
            "created_at": message.created_at,
        },
    )
    if decision.decision == "suggest" and decision.suggestions:
        # Not a miss: the shopper has buttons (and "talk to a person") to go on with.
        return bot_suggest(conversation=conversation, decision=decision, question=message)
    return not_sure(conversation, state, detail=text)


def not_sure(
    conversation: Conversation, state: BotState, *, detail: str, body: str = ""
) -> Message:
    """One more miss; at the limit, hand over instead of asking again."""
    state.low_confidence_streak += 1
    state.save(update_fields=["low_confidence_streak"])
    if state.low_confidence_streak >= int(bot_setting("LOW_CONFIDENCE_HANDOVER")):
        return handover(
            conversation=conversation,
            state=state,
            reason=BotState.Reason.LOW_CONFIDENCE,
            detail=detail,
        )
    return _say(
        conversation,
        body
        or _("I'm not sure I understood. Could you say it in other words, or talk to a person?"),
        {"type": "bot_prompt", "actions": actions("human")},
        bot_intent="not_sure",
    )


def bot_fail_safe(*, message_id: int) -> None:
    """After an unexpected bot error: queue the conversation for a person (no bot message)."""
    conversation_id = (
        Message.objects.filter(pk=message_id).values_list("conversation_id", flat=True).first()
    )
    if conversation_id is None:
        return
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update(of=("self",)).get(pk=conversation_id)
        state = state_for(conversation)
        if state.handed_over_at is not None:
            return
        state.handed_over_at = timezone.now()
        state.handover_reason = BotState.Reason.ERROR
        state.save(update_fields=["handed_over_at", "handover_reason"])
    from .handover import enqueue

    enqueue(conversation, reason=BotState.Reason.ERROR, priority=0)
