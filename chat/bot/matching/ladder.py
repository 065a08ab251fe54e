"""The decision ladder: one calibrated confidence from the best entry's evidence, then answer /
"did you mean" / hand over by the per-language thresholds (``hybrid.py`` describes the rule)."""

from __future__ import annotations

import dataclasses

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


# The out-of-scope gap (see ``features``) is clipped to this: beyond it the sign says it all.
GAP_CLIP = 0.15


def features(ev: Evidence, i: int, order: np.ndarray) -> list[float]:
    """The calibration features of entry ``i``: (lexical, semantic, fused, margin, gap) or,
    without semantic evidence, (lexical, margin, lexical gap).

    ``gap``: the raw cosine of the entry's nearest text minus the nearest out-of-scope
    example's, clipped to ±``GAP_CLIP``. The out-of-scope rule only looks at its sign; how far
    a question sits from both is evidence too (on the tuning sets a right answer's gap has a
    median of +0.07, a negative's −0.01). 0 when the examples have no vectors yet; an entry
    saved moments ago (no vectors) takes the top.

    ``lexical gap``: the entry's lexical score minus the best out-of-scope example's (words
    alone have no cosine to compare; on the tuning sets this lifted words-alone recall at the
    same precision from ~0.45 to ~0.6 in both languages, ``bench/bot_eval.py``)."""
    best_other = max((float(ev.fused[j]) for j in order[:4] if j != i), default=0.0)
    margin = float(ev.fused[i]) - best_other
    if ev.semantic is None:
        words_gap = float(ev.lexical[i]) - (ev.out_of_scope_lexical or 0.0)
        return [float(ev.lexical[i]), margin, words_gap]
    gap = 0.0
    if ev.nearest is not None and ev.out_of_scope is not None:
        gap = min(max(float(ev.nearest[i]) - ev.out_of_scope, -GAP_CLIP), GAP_CLIP)
    return [float(ev.lexical[i]), float(ev.semantic[i]), float(ev.fused[i]), margin, gap]


def confidence(feats: list[float], params: Params, language: str | None = None) -> float:
    weights = params.weights_for(language, "lexical" if len(feats) <= 3 else "hybrid")
    # A calibration fitted before a feature existed has no weight for it: those features are
    # left out (the weights' order is the features' order).
    used = feats[: len(weights) - 1]
    return _sigmoid(sum(w * f for w, f in zip(weights[:-1], used, strict=True)) + weights[-1])


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
        ev = dataclasses.replace(ev, fused=fused)
    if not len(fused):
        return Decision("handover", None, language=language)
    order = _top(fused, MAX_SUGGESTIONS + 1)
    best = int(order[0])
    mode = "lexical" if ev.semantic is None else "hybrid"
    score = confidence(features(ev, best, order), params, language)
    lexical = float(ev.lexical[best])
    semantic = None if ev.semantic is None else float(ev.semantic[best])
    entry = ev.entries[best]
    ref = EntryRef(entry.id, entry.key, entry.title, entry.language)
    suggestions = [
        Suggestion(
            key=ev.entries[int(i)].key,
            title=ev.entries[int(i)].title,
            score=confidence(features(ev, int(i), order), params, language),
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
