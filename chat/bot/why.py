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

from django.db.models import Q
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


def bot_why_entry_deleted(*, entry_id: int) -> int:
    """An entry was deleted: the whys that name it say so (``deleted``), so agents see "deleted"
    instead of an admin link to a page that no longer exists. From the entry's ``post_delete``
    signal, in the deleting transaction; a scan of the whys that contain the id (deleting an
    entry is rare; reading a why costs nothing more). Returns how many whys changed."""
    rows = list(
        BotWhy.objects.filter(
            Q(data__entry__id=entry_id) | Q(data__suggestions__contains=[{"id": entry_id}])
        )
    )
    for why in rows:
        data = dict(why.data)
        if isinstance(data.get("entry"), dict) and data["entry"].get("id") == entry_id:
            data["entry"] = {**data["entry"], "deleted": True}
        data["suggestions"] = [
            {**s, "deleted": True} if isinstance(s, dict) and s.get("id") == entry_id else s
            for s in data.get("suggestions") or []
        ]
        why.data = data
    BotWhy.objects.bulk_update(rows, ["data"], batch_size=500)
    return len(rows)


def _linked(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry of a why with its admin link, or ``deleted`` and no link once it was deleted."""
    entry_id = entry.get("id")
    if entry.get("deleted"):
        return {**entry, "url": None, "deleted": True}
    if not isinstance(entry_id, int) or entry_id <= 0:
        return {**entry, "url": None, "deleted": False}
    url = reverse("admin:chat_knowledgeentry_change", args=[entry_id])
    return {**entry, "url": url, "deleted": False}


def bot_why_payload(message: Message) -> dict[str, Any]:
    """``chat.events.message_payload_register(staff_only=True)``: ``bot_why`` on the bot's
    answers and "did you mean" messages, with each entry's admin link (``url``; null and
    ``deleted: true`` for an entry deleted since). History and resume
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
        data["entry"] = _linked(data["entry"])
    data["suggestions"] = [_linked(s) for s in data.get("suggestions") or []]
    return {"bot_why": data}
