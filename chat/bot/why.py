"""Which knowledge-base entry answered and why, for agents (docs/bot.md, "Why the bot said
it").

Each bot answer and "did you mean" records, with the message, the decision (``answer`` or
``suggest``, and whether the shopper picked the entry from "did you mean"), the entry or
entries with their calibrated scores, the lexical and semantic evidence, and the shopper's
words the entry's title and phrasings share (``matched_terms``). It is a staff-only part of the
message object (``bot_why``): agents' sockets and REST get it; shoppers never do.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from django.urls import reverse

from chat.models import BotWhy, Message

from .matching.decision import Decision, Suggestion
from .matching.lexical import tokens
from .matching.text import normalize

# Bot messages that can carry a why.
WHY_CARDS = frozenset({"bot_answer", "bot_suggest"})
_LATIN_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def matched_terms(text: str, entry_texts: Iterable[str], repair: Callable[[str], str]) -> list[str]:
    """The shopper's words that an entry's title or phrasings share, as the lexical index
    sees them: Chinese words, English words (``refnud→refund`` when repaired from a typo;
    compared by stem) and shop concepts reached through a synonym (``≈invoice``)."""
    entry_terms: set[str] = set()
    for entry_text in entry_texts:
        entry_terms.update(tokens(entry_text))
    shown: list[str] = []

    def add(word: str) -> None:
        if word not in shown:
            shown.append(word)

    for term in tokens(text, repair=repair):
        if term not in entry_terms:
            continue
        kind, word = term.split(":", 1)
        if kind == "z":
            add(word)
        elif kind == "k":
            add("≈" + word)
    for word in _LATIN_WORD.findall(normalize(text)):
        fixed = repair(word)
        if any(t.startswith("w:") and t in entry_terms for t in tokens(fixed)):
            add(word if fixed == word else f"{word}→{fixed}")
    return shown


def _terms_for(text: str, language: str) -> Callable[[int], list[str]]:
    """``entry id → matched terms`` against the process's current index."""
    from .matching.hybrid import current_index

    index = current_index().languages.get(language)
    if index is None or not text.strip():
        return lambda _entry_id: []
    texts = {entry.id: entry.texts for entry in index.entries}
    repair = index.lexical.repair
    return lambda entry_id: matched_terms(text, texts.get(entry_id, ()), repair)


def _suggestion(s: Suggestion, terms: Callable[[int], list[str]]) -> dict[str, Any]:
    return {
        "id": s.entry_id,
        "key": s.key,
        "title": s.title,
        "score": round(s.score, 4),
        "terms": terms(s.entry_id),
    }


def decision_why(*, decision: Decision, question: str) -> dict[str, Any]:
    """The why of a bot answer or "did you mean" decided on ``question``."""
    terms = _terms_for(question, decision.language)
    entry = decision.entry
    return {
        "decision": decision.decision,
        "picked": False,
        "score": round(decision.score, 4),
        "lexical": round(decision.lexical, 4),
        "semantic": None if decision.semantic is None else round(decision.semantic, 4),
        "entry": None if entry is None else {**entry.as_dict(), "terms": terms(entry.id)},
        "suggestions": [_suggestion(s, terms) for s in decision.suggestions],
    }


def pick_why(*, entry: Any, score: float, question: str, suggest_message_id: int) -> dict[str, Any]:
    """The why of the answer to a shopper's "did you mean" pick: the entry the shopper chose,
    its score when it was suggested, and the "did you mean" message it came from."""
    terms = _terms_for(question, entry.language)
    return {
        "decision": "suggest",
        "picked": True,
        "suggest_message": suggest_message_id,
        "score": round(score, 4),
        "lexical": None,
        "semantic": None,
        "entry": {
            "id": entry.pk,
            "key": entry.key,
            "title": entry.title,
            "language": entry.language,
            "terms": terms(entry.pk),
        },
        "suggestions": [],
    }


def bot_why_record(*, message_id: int, data: dict[str, Any]) -> None:
    """Store the why of a bot message (from the ``message.created`` listener, inside the bot's
    transaction, before the message is published)."""
    BotWhy.objects.create(message_id=message_id, data=data)


def _admin_url(entry_id: Any) -> str | None:
    if not isinstance(entry_id, int) or entry_id <= 0:
        return None
    return reverse("admin:chat_knowledgeentry_change", args=[entry_id])


def bot_why_payload(message: Message) -> dict[str, Any]:
    """``chat.events.message_payload_register(staff_only=True)``: ``bot_why`` on the bot's
    answers and "did you mean" messages, with each entry's admin link. History and resume
    select it with the message; a message just created reads its row (bot messages only)."""
    if message.sender_kind != Message.SenderKind.BOT:
        return {}
    card = message.card if isinstance(message.card, dict) else {}
    if card.get("type") not in WHY_CARDS:
        return {}
    cache = message._state.fields_cache
    why = cache["bot_why"] if "bot_why" in cache else BotWhy.objects.filter(pk=message.pk).first()
    if why is None:
        return {}
    data = dict(why.data)
    if data.get("entry"):
        data["entry"] = {**data["entry"], "url": _admin_url(data["entry"].get("id"))}
    data["suggestions"] = [
        {**s, "url": _admin_url(s.get("id"))} for s in data.get("suggestions") or []
    ]
    return {"bot_why": data}
