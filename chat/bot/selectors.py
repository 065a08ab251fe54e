"""Reads of the bot: what the agent sees of it, and the questions it could not answer."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from chat import events
from chat.models import BotFeedback, BotState, Conversation, MessageSentiment, UnmatchedQuestion

from .handover import reason_label
from .intents import wants_human

MAX_UNMATCHED = 5000


def unmatched_questions(
    *,
    since: dt.datetime,
    until: dt.datetime | None = None,
    language: str | None = None,
    limit: int = 1000,
) -> list[dict[str, Any]]:
    """Shopper questions the bot had no confident answer for, newest first, for the
    hot-questions report (analytics clusters them). Each row: ``id``, ``conversation``,
    ``message``, ``text``, ``language`` (``en`` / ``zh-hans``), ``best_entry`` (id or None),
    ``best_score`` (0–1) and ``created_at`` (aware datetime). ``since`` is inclusive,
    ``until`` exclusive; at most ``limit`` (≤ 5000) rows."""
    qs = UnmatchedQuestion.objects.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    if language:
        qs = qs.filter(language=language)
    rows = qs.order_by("-created_at", "-pk").values(
        "id",
        "conversation_id",
        "message_id",
        "text",
        "language",
        "best_entry_id",
        "best_score",
        "created_at",
    )[: max(0, min(limit, MAX_UNMATCHED))]
    return [
        {
            "id": r["id"],
            "conversation": r["conversation_id"],
            "message": r["message_id"],
            "text": r["text"],
            "language": r["language"],
            "best_entry": r["best_entry_id"],
            "best_score": r["best_score"],
            "created_at": r["created_at"],
        }
        for r in rows
    ]


def bot_overview(*, conversation: Conversation) -> dict[str, Any]:
    """The workspace's bot panel: state in this care cycle, sentiment per shopper message and
    the shopper's feedback on answers. Three queries."""
    state = BotState.objects.filter(conversation=conversation).first()
    sentiments = (
        MessageSentiment.objects.filter(conversation=conversation)
        .select_related("message")
        .only("message__seq", "score", "language")
        .order_by("message_id")
    )
    feedback = BotFeedback.objects.filter(conversation=conversation).order_by("message_id")
    handover = None
    if state is not None and state.handed_over_at is not None:
        handover = {
            "reason": state.handover_reason,
            "label": reason_label(state.handover_reason),
            "detail": state.handover_detail,
            "at": events.isoformat(state.handed_over_at),
        }
    return {
        "conversation": conversation.pk,
        "answers": state.answers if state else 0,
        "handover": handover,
        "sentiment": [
            {
                "message": s.message_id,
                "seq": s.message.seq,
                "score": s.score,
                "language": s.language,
            }
            for s in sentiments[:500]
        ],
        "feedback": [
            {"message": f.message_id, "entry": f.entry_id, "choice": f.choice}
            for f in feedback[:500]
        ],
    }


PREVIEW_MAX_CHARS = 2000


def bot_preview(*, text: str, language: str | None = None) -> dict[str, Any]:
    """What the bot would do with ``text`` (the preview API and the admin's "Test your bot"),
    without creating a conversation: the decision object of docs/bot.md. A request for a
    person, a way back or to close the account (``intents.wants_human``) is handed over before
    any lookup, as the bot does; the retrieval's evidence is still shown."""
    from .matching.hybrid import decide

    decision = decide(text, language=language)
    if wants_human(text):
        decision = dataclasses.replace(decision, decision="handover", entry=None)
    return decision.as_dict()
