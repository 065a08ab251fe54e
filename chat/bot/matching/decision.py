"""What the bot decides about one shopper question: the shape shared by the bot's reply, the
preview API (``POST /api/v1/bot/preview``), the benchmark and the workspace's "which entry and
why" (docs/bot.md, docs/protocol.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

DecisionKind = Literal["answer", "suggest", "handover"]

# At most this many "did you mean" buttons.
MAX_SUGGESTIONS = 3


@dataclass(frozen=True)
class EntryRef:
    id: int
    key: str
    title: str
    language: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "key": self.key, "title": self.title, "language": self.language}


@dataclass(frozen=True)
class Suggestion:
    """One "did you mean" candidate; ``score`` is its calibrated confidence (0–1)."""

    key: str
    title: str
    score: float
    entry_id: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "score": round(self.score, 4)}


@dataclass(frozen=True)
class Decision:
    """``answer``: reply with ``entry``. ``suggest``: offer ``suggestions`` (≤ 3) as buttons.
    ``handover``: the bot does not know; a person (or leave-a-message) takes it.

    ``score`` is the calibrated confidence (0–1) of the best entry; ``lexical`` and
    ``semantic`` its two pieces of evidence, each normalised to 0–1; ``semantic`` is None
    when the embedder was off, failed or late and words alone decided.
    """

    decision: DecisionKind
    entry: EntryRef | None
    suggestions: list[Suggestion] = field(default_factory=list)
    score: float = 0.0
    lexical: float = 0.0
    semantic: float | None = None
    language: str = "en"

    def as_dict(self) -> dict[str, Any]:
        """The preview API's body (and the ``card.decision`` agents see)."""
        return {
            "decision": self.decision,
            "entry": self.entry.as_dict() if self.entry else None,
            "suggestions": [s.as_dict() for s in self.suggestions],
            "score": round(self.score, 4),
            "lexical": round(self.lexical, 4),
            "semantic": None if self.semantic is None else round(self.semantic, 4),
        }
