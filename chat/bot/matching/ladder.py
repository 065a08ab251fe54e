"""The decision ladder: one calibrated confidence from the best entry's evidence, then answer /
"did you mean" / hand over by the per-language thresholds (``hybrid.py`` describes the rule)."""

from __future__ import annotations

import numpy as np

from .decision import MAX_SUGGESTIONS, Decision, DecisionKind, EntryRef, Suggestion
from .params import Params
from .retrieval import Evidence

# A question about the product page the shopper is on counts this much more (fused) for
# entries tied to that product.
PRODUCT_BOOST = 0.05


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + float(np.exp(-x)))


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """The indices of the ``k`` best scores, best first, ties to the lower index (the same as a
    stable sort of every score, without sorting thousands of entries per question)."""
    if len(scores) <= 4 * k:
        return np.argsort(-scores, kind="stable")[:k]
    # Everything tied with the k-th best comes along, so the tie-break stays exact.
    kth = np.partition(scores, len(scores) - k)[len(scores) - k]
    picked = np.flatnonzero(scores >= kth)
    return picked[np.argsort(-scores[picked], kind="stable")][:k]


def features(ev: Evidence, i: int, order: np.ndarray) -> list[float]:
    """The calibration features of entry ``i``: (lexical, semantic, fused, margin) or, without
    semantic evidence, (lexical, margin)."""
    best_other = max((float(ev.fused[j]) for j in order[:4] if j != i), default=0.0)
    margin = float(ev.fused[i]) - best_other
    if ev.semantic is None:
        return [float(ev.lexical[i]), margin]
    return [float(ev.lexical[i]), float(ev.semantic[i]), float(ev.fused[i]), margin]


def confidence(feats: list[float], params: Params) -> float:
    weights = params.hybrid if len(feats) == 4 else params.lexical_only
    return _sigmoid(sum(w * f for w, f in zip(weights[:-1], feats, strict=True)) + weights[-1])


def decide_from(
    ev: Evidence,
    *,
    language: str,
    params: Params,
    product_ids: frozenset[int] = frozenset(),
) -> Decision:
    fused = ev.fused
    if product_ids:
        fused = fused + np.asarray(
            [PRODUCT_BOOST if e.product_ids & product_ids else 0.0 for e in ev.entries],
            dtype=np.float32,
        )
        ev = Evidence(ev.entries, ev.lexical, ev.semantic, fused, ev.nearest, ev.out_of_scope)
    if not len(fused):
        return Decision("handover", None, language=language)
    order = _top(fused, MAX_SUGGESTIONS + 1)
    best = int(order[0])
    mode = "lexical" if ev.semantic is None else "hybrid"
    score = confidence(features(ev, best, order), params)
    lexical = float(ev.lexical[best])
    semantic = None if ev.semantic is None else float(ev.semantic[best])
    entry = ev.entries[best]
    ref = EntryRef(entry.id, entry.key, entry.title, entry.language)
    suggestions = [
        Suggestion(
            key=ev.entries[int(i)].key,
            title=ev.entries[int(i)].title,
            score=confidence(features(ev, int(i), order), params),
            entry_id=ev.entries[int(i)].id,
        )
        for i in order[:MAX_SUGGESTIONS]
        if float(fused[int(i)]) >= float(fused[best]) - params.suggest_window
    ]
    kind: DecisionKind
    if ev.semantic is None and lexical <= 0.0:
        # Words alone and not one shared with any entry: no evidence at all. The lexical
        # calibration's confidence at zero overlap is a constant that a fitted suggest
        # threshold can reach (问一下, 卡 were suggestions), so it never decides this.
        return Decision("handover", None, suggestions, score, lexical, semantic, language=language)
    if score >= params.threshold(language, mode, "answer") and not ev.out_of_scope_wins(best):
        kind = "answer"
    elif score >= params.threshold(language, mode, "suggest"):
        kind = "suggest"
    else:
        return Decision("handover", None, suggestions, score, lexical, semantic, language=language)
    return Decision(
        kind,
        ref if kind == "answer" else None,
        suggestions,
        score,
        lexical,
        semantic,
        language=language,
    )
