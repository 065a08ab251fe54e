"""The hybrid retrieval's parameters: fusion weights, calibrations and per-language thresholds
(``calibration.json``, written by ``bench/bot_eval.py --fit`` from the dev half and the
second dev set only), and the
out-of-scope examples (``out_of_scope.toml``)."""

from __future__ import annotations

import json
import logging
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

logger = logging.getLogger(__name__)

CALIBRATION_PATH = Path(__file__).resolve().parent / "calibration.json"
OUT_OF_SCOPE_PATH = Path(__file__).resolve().parent / "out_of_scope.toml"


@dataclass
class Params:
    """The fusion weights, calibrations and thresholds (``calibration.json``)."""

    w_lex: float = 0.35
    # The semantic evidence mixes the best phrasing's cosine with the cosine to the entry's
    # centroid (the mean of its phrasings: what the ways of asking share): measured on dev,
    # the centroid alone ranked short Chinese paraphrases far better than the best phrasing.
    w_centroid: float = 0.5
    cos_low: float = 0.75
    cos_high: float = 0.95
    # Logistic weights over (lexical, semantic, fused, margin, gap, 1) and (lexical, margin, 1)
    # (``ladder.features``), pooled over both languages: the fallback for a language without
    # weights of its own (``weights``).
    hybrid: list[float] = field(default_factory=lambda: [2.0, 4.0, 2.0, 8.0, -5.0])
    lexical_only: list[float] = field(default_factory=lambda: [6.0, 8.0, -4.0])
    # Per language, per mode ("hybrid", "lexical"): weights fitted on that language's questions
    # alone (the two languages' evidence is not on one scale: a right Chinese match shares
    # fewer segmented words than an English one). A language without its own uses the above.
    weights: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    # Per language: {"answer": t, "suggest": t} for each mode.
    thresholds: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    # Suggestions: entries whose fused score is within this of the best one.
    suggest_window: float = 0.15

    @classmethod
    def load(cls, path: Path = CALIBRATION_PATH) -> Params:
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            logger.warning("no bot calibration at %s: defaults", path)
            return cls()
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def weights_for(self, language: str | None, mode: str) -> list[float]:
        own = self.weights.get(language or "", {}).get(mode)
        if own:
            return own
        return self.hybrid if mode == "hybrid" else self.lexical_only

    def threshold(self, language: str, mode: str, level: str) -> float:
        default = {"answer": 0.6, "suggest": 0.3}[level]
        return float(self.thresholds.get(language, {}).get(mode, {}).get(level, default))


@lru_cache(maxsize=1)
def out_of_scope_examples() -> dict[str, tuple[str, ...]]:
    """Per language, the questions the bot treats as out of scope (``out_of_scope.toml``)."""
    data = tomllib.loads(OUT_OF_SCOPE_PATH.read_text("utf-8"))
    return {language: tuple(texts) for language, texts in data.items()}


def out_of_scope_texts() -> list[str]:
    """Every out-of-scope example, all languages (their vectors are stored like an entry's)."""
    return [t for texts in out_of_scope_examples().values() for t in texts]
