"""The bot's answers from the knowledge base: a confident answer, "did you mean…" with up to
three entries as buttons, and the shopper's press of one of those buttons.

``bot_answer_entry`` is the one way an entry's answer is posted (a confident match or a
picked suggestion); ``suggestion_pick`` is what the widget's buttons call (through
``POST /api/widget/bot/suggestion``) and what other Python code may call.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from chat.access import Actor, access_conversation
from chat.models import (
    BotState,
    Conversation,
    KnowledgeEntry,
    Message,
    SuggestionPick,
)
from chat.translation.services import kb_entry_for_shopper
from helpdesk import dispatch
from helpdesk.errors import BadRequest, NotFound

from .handover import bot_say
from .matching.decision import Decision
from .why import decision_why, pick_why


def _actions(*ids: str) -> list[dict[str, str]]:
    labels = {"yes": _("Yes"), "no": _("No"), "human": _("Talk to a person")}
    return [{"id": i, "label": str(labels[i])} for i in ids]


def suggest_mark_picked(message: Message, picked: str) -> None:
    """Write the shopper's choice on a "did you mean" card (``picked``: the entry's key, or
    ``human`` for "none of these"), so history shows the card as answered after a reload.
    The first choice stands. Caller holds the conversation's row lock."""
    card = message.card if isinstance(message.card, dict) else {}
    if card.get("type") != "bot_suggest" or card.get("picked"):
        return
    message.card = {**card, "picked": picked}
    message.save(update_fields=["card"])


def _why(decision: Decision | None) -> dict[str, Any]:
    return {} if decision is None else {"decision": decision.as_dict()}


def _entry_ref(entry: KnowledgeEntry) -> dict[str, Any]:
    return {"id": entry.pk, "key": entry.key, "title": entry.title, "language": entry.language}


def bot_answer_entry(
    *,
    conversation: Conversation,
    state: BotState,
    entry: KnowledgeEntry,
    question: Message | None,
    confidence: float,
    decision: Decision | None = None,
    picked: bool = False,
    why: dict[str, Any] | None = None,
) -> Message:
    """Post ``entry``'s answer with "Did this help?", count it and dispatch ``bot.answered``.
    ``why`` (else made from ``decision``) is what agents see of it (chat/bot/why.py). Runs
    inside the caller's transaction (the conversation row locked). With translation on, the
    same topic's entry in the shopper's language answers where there is one
    (chat/translation/services.py)."""
    if why is None and decision is not None:
        why = decision_why(decision=decision, question=question.body if question else "")
    matched = entry
    entry = kb_entry_for_shopper(entry, question)
    if why is not None and why.get("entry") and entry.pk != matched.pk:
        # The words matched the entry found; agents see the one that answered.
        why = {**why, "entry": {**why["entry"], **_entry_ref(entry)}}
    state.low_confidence_streak = 0
    state.answers += 1
    state.save(update_fields=["low_confidence_streak", "answers"])
    card = {
        "type": "bot_answer",
        "entry": entry.pk,
        "key": entry.key,
        "confidence": round(confidence, 4),
        "prompt": str(_("Did this help?")),
        "actions": _actions("yes", "no", "human"),
    }
    answer = bot_say(
        conversation,
        entry.answer,
        card,
        {
            "bot_entry": entry.pk,
            "confidence": confidence,
            "picked": picked,
            **_why(decision),
            **({"bot_why": why} if why else {}),
        },
    )
    dispatch.dispatch(
        dispatch.DomainEvent(
            name=dispatch.Event.BOT_ANSWERED,
            at=answer.created_at,
            conversation_id=conversation.pk,
            data={
                "entry_id": entry.pk,
                "confidence": confidence,
                "language": entry.language,
                "message_id": answer.pk,
                "question_message_id": question.pk if question is not None else None,
                "picked": picked,
            },
        )
    )
    return answer


def bot_suggest(
    *, conversation: Conversation, decision: Decision, question: Message | None = None
) -> Message:
    """ "Did you mean…" with the decision's suggestions as buttons; the body names them, so a
    client that draws no buttons still shows the question."""
    titles = " / ".join(s.title for s in decision.suggestions)
    card = {
        "type": "bot_suggest",
        "prompt": str(_("Did you mean…")),
        "suggestions": [s.as_dict() for s in decision.suggestions],
        "language": decision.language,
        "actions": [{"id": "human", "label": str(_("None of these — talk to a person"))}],
        "picked": None,
    }
    body = _("Did you mean: %(titles)s?") % {"titles": titles}
    why = decision_why(decision=decision, question=question.body if question else "")
    return bot_say(
        conversation, body, card, {"bot_intent": "suggest", **_why(decision), "bot_why": why}
    )


def check_pick(message: Message, key: Any) -> tuple[dict[str, Any], str]:
    card = message.card if isinstance(message.card, dict) else {}
    if card.get("type") != "bot_suggest":
        raise NotFound("Message not found.")
    offered = [s.get("key") for s in card.get("suggestions", []) if isinstance(s, dict)]
    if not isinstance(key, str) or key not in offered:
        raise BadRequest(
            "This message does not offer that entry.", fields={"key": ["Not offered."]}
        )
    return card, key


def suggestion_pick(*, actor: Actor, message_id: Any, key: Any) -> Message:
    """The shopper pressed a "did you mean" button: answer with that entry (in the message's
    language) and record the pick for the learning loop. Pressing again returns the same
    answer. Only the conversation's shopper, only a key the message offered."""
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
        access_conversation(actor=actor, conversation_id=message.conversation_id, for_update=True)
        card, key = check_pick(message, key)
        done = SuggestionPick.objects.filter(message=message).first()
        if done is not None:
            answer = Message.objects.filter(pk=done.answer_message_id).first()
            if answer is not None:
                return answer
        language = str(card.get("language") or "en")
        entry = KnowledgeEntry.objects.filter(key=key, language=language, active=True).first()
        if entry is None:
            raise NotFound("That entry is no longer available.")
        conversation = Conversation.objects.select_related("visitor", "customer").get(
            pk=message.conversation_id
        )
        question = (
            Message.objects.filter(
                conversation=conversation,
                seq__lt=message.seq,
                sender_kind=Message.SenderKind.VISITOR,
                private=False,
            )
            .order_by("-seq")
            .first()
        )
        from .handover import state_for

        state = state_for(conversation)
        score = next(
            (float(s.get("score", 0)) for s in card["suggestions"] if s.get("key") == key), 0.0
        )
        with translation.override(language):
            answer = bot_answer_entry(
                conversation=conversation,
                state=state,
                entry=entry,
                question=question,
                confidence=score,
                picked=True,
                why=pick_why(
                    entry=entry,
                    score=score,
                    question=question.body if question is not None else "",
                    suggest_message_id=message.pk,
                ),
            )
        suggest_mark_picked(message, key)
        SuggestionPick.objects.create(
            message=message,
            conversation=conversation,
            entry=entry,
            key=key,
            question=(question.body if question is not None else "")[:2000],
            language=language,
            answer_message_id=answer.pk,
        )
        if question is not None:
            from .learning import proposal_from_pick

            # The shopper's words, proposed as a new phrasing of the entry (reviewed first).
            proposal_from_pick(
                entry=entry,
                question=question.body,
                question_message_id=question.pk,
                conversation_id=conversation.pk,
            )
        return answer
