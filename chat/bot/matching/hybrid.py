"""Hybrid retrieval and the decision ladder: BM25 (``lexical.py``) and sentence embeddings
(``embedder.py``) fused into one calibrated confidence, then answer / suggest / hand over.

For each entry in the question's language:

- ``lexical``: the best normalised BM25 score over the entry's title and phrasings;
- ``semantic``: the best cosine between the question and those texts, rescaled from the
  model's working range (``COS_LOW``…``COS_HIGH``, where e5's cosines live) to 0–1;
- ``fused`` = ``W_LEX`` × lexical + (1 − ``W_LEX``) × semantic ranks the entries.

The best entry's confidence is a logistic function of (lexical, semantic, fused, the fused
margin over the runner-up), fitted on the dev half of the labelled set by
``bench/bot_eval.py --fit`` and stored in ``calibration.json`` with per-language thresholds:
confidence ≥ ``answer`` → answer; ≥ ``suggest`` → "did you mean" with up to three entries;
below → hand over. Without semantic evidence (embedder off, failed or late) a second,
lexical-only calibration and its own thresholds decide.

Out of scope: ``out_of_scope.toml`` holds questions a shop's knowledge base usually does not
answer (small talk, stock, opening hours, gift cards …). When a question's vector is nearer to
one of those (raw cosine) than to every text of the best entry, the bot does not answer with
that entry: it suggests or hands over. A nearest-neighbour rule with no threshold of its own,
so a shop's entry that does cover such a topic wins as soon as one of its phrasings is nearer.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .decision import MAX_SUGGESTIONS, Decision, DecisionKind, EntryRef, Suggestion
from .lexical import LexicalIndex
from .text import detect_language

logger = logging.getLogger(__name__)

CALIBRATION_PATH = Path(__file__).resolve().parent / "calibration.json"
OUT_OF_SCOPE_PATH = Path(__file__).resolve().parent / "out_of_scope.toml"
# A question about the product page the shopper is on counts this much more (fused) for
# entries tied to that product.
PRODUCT_BOOST = 0.05
# Every text's cosine is computed only for these candidates: the entries whose centroid is
# nearest to the question, and those with the best lexical scores. Reading every stored vector
# per question was 60 % of a question's CPU time at 5,000 entries (one 384-float row per text,
# memory-bound); the centroids are a quarter of that. A knowledge base this small or smaller is
# scored exhaustively. At 5,000 generated entries the bench's decisions are the same either way.
SEMANTIC_CANDIDATES = 48
LEXICAL_CANDIDATES = 16


@dataclass(frozen=True)
class KBEntry:
    """What the index needs of one knowledge-base entry."""

    id: int
    key: str
    title: str
    language: str
    texts: tuple[str, ...]  # the title first, then the phrasings
    product_ids: frozenset[int] = frozenset()


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
    # Logistic weights over (lexical, semantic, fused, margin, 1) and (lexical, margin, 1).
    hybrid: list[float] = field(default_factory=lambda: [2.0, 4.0, 2.0, 8.0, -5.0])
    lexical_only: list[float] = field(default_factory=lambda: [6.0, 8.0, -4.0])
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


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + float(np.exp(-x)))


@dataclass
class Evidence:
    """Per-entry evidence for one question in one language."""

    entries: list[KBEntry]
    lexical: np.ndarray
    semantic: np.ndarray | None
    fused: np.ndarray
    # Per entry, the raw cosine of its nearest text; and the nearest out-of-scope example's.
    nearest: np.ndarray | None = None
    out_of_scope: float | None = None

    def out_of_scope_wins(self, i: int) -> bool:
        """The question is nearer to an out-of-scope example than to any text of entry ``i``."""
        if self.out_of_scope is None or self.nearest is None:
            return False
        return self.out_of_scope > float(self.nearest[i])


class LanguageIndex:
    def __init__(
        self,
        entries: Sequence[KBEntry],
        vectors: dict[str, np.ndarray],
        dim: int,
        out_of_scope: Sequence[str] = (),
    ) -> None:
        self.entries = list(entries)
        known = [vectors[t] for t in out_of_scope if t in vectors]
        self.out_of_scope = np.stack(known).astype(np.float32) if known else None
        docs: list[str] = []
        starts: list[int] = []
        for entry in self.entries:
            starts.append(len(docs))
            docs.extend(entry.texts)
        self.starts = np.asarray(starts, dtype=np.intp)
        self.lengths = np.diff(np.append(self.starts, len(docs)))
        self.semantic_candidates = SEMANTIC_CANDIDATES  # the benchmark's baseline sets it huge
        self.lexical = LexicalIndex(docs)
        self.has_vectors = bool(docs) and all(t in vectors for t in docs)
        self.vectors: np.ndarray | None = None
        self.centroids: np.ndarray | None = None
        self.unembedded = np.zeros(len(self.entries), dtype=bool)
        if docs and any(t in vectors for t in docs):
            matrix = np.zeros((len(docs), dim), dtype=np.float32)
            for i, text in enumerate(docs):
                if text in vectors:
                    matrix[i] = vectors[text]
            self.vectors = matrix
            sums = np.add.reduceat(matrix, self.starts, axis=0)
            norms = np.linalg.norm(sums, axis=1, keepdims=True)
            # An entry saved moments ago has no vectors until the Celery task stores them:
            # meanwhile its words stand in for its meaning (semantic = lexical), so a new
            # entry answers its own phrasings at once instead of scoring zero.
            self.unembedded = norms[:, 0] == 0
            norms[norms == 0] = 1.0
            self.centroids = np.ascontiguousarray(sums / norms, dtype=np.float32)

    def evidence(self, text: str, query: np.ndarray | None, params: Params) -> Evidence:
        if not self.entries:
            empty = np.zeros(0, dtype=np.float32)
            return Evidence([], empty, None, empty)
        lexical = np.maximum.reduceat(self.lexical.scores(text), self.starts)
        semantic = None
        nearest = None
        out_of_scope = None
        if query is not None and self.vectors is not None and self.centroids is not None:
            centroid = self.centroids @ query
            best = self._nearest_texts(query, centroid, lexical)
            # An entry with no vectors yet cannot be judged against the examples: never stopped.
            nearest = np.where(self.unembedded, np.inf, best) if self.unembedded.any() else best
            if self.out_of_scope is not None:
                out_of_scope = float(np.max(self.out_of_scope @ query))
            semantic = params.w_centroid * best + (1 - params.w_centroid) * centroid
            semantic = np.clip(
                (semantic - params.cos_low) / (params.cos_high - params.cos_low), 0.0, 1.0
            )
            if self.unembedded.any():
                semantic = np.where(self.unembedded, lexical, semantic)
            fused = params.w_lex * lexical + (1.0 - params.w_lex) * semantic
        else:
            fused = lexical
        return Evidence(
            self.entries,
            lexical,
            semantic,
            np.asarray(fused, dtype=np.float32),
            nearest,
            out_of_scope,
        )

    def _nearest_texts(
        self, query: np.ndarray, centroid: np.ndarray, lexical: np.ndarray
    ) -> np.ndarray:
        """Per entry, the cosine of its nearest text; for entries outside the candidates
        (``SEMANTIC_CANDIDATES``, ``LEXICAL_CANDIDATES``) their centroid's cosine stands in."""
        assert self.vectors is not None
        n = len(self.entries)
        k = self.semantic_candidates
        if n <= k + LEXICAL_CANDIDATES:
            return np.maximum.reduceat(self.vectors @ query, self.starts)
        candidates = np.union1d(
            np.argpartition(-centroid, k)[:k],
            np.argpartition(-lexical, LEXICAL_CANDIDATES)[:LEXICAL_CANDIDATES],
        )
        lengths = self.lengths[candidates]
        offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        # The rows of the candidates' texts, entry after entry.
        rows = np.repeat(self.starts[candidates] - offsets, lengths) + np.arange(lengths.sum())
        best = centroid.copy()
        best[candidates] = np.maximum.reduceat(self.vectors[rows] @ query, offsets)
        return best

    def nbytes(self) -> int:
        if self.vectors is None or self.centroids is None:
            return 0
        return int(self.vectors.nbytes + self.centroids.nbytes)


class HybridIndex:
    """The knowledge base of one process, split by language."""

    def __init__(
        self,
        entries: Iterable[KBEntry],
        vectors: dict[str, np.ndarray],
        *,
        model: str | None,
        out_of_scope: dict[str, Sequence[str]] | None = None,
    ) -> None:
        self.model = model
        dim = next((len(v) for v in vectors.values()), 384)
        by_language: dict[str, list[KBEntry]] = {}
        for entry in entries:
            by_language.setdefault(entry.language, []).append(entry)
        scope = out_of_scope_examples() if out_of_scope is None else out_of_scope
        self.languages = {
            language: LanguageIndex(items, vectors, dim, scope.get(language, ()))
            for language, items in by_language.items()
        }

    def evidence(self, text: str, language: str, query: np.ndarray | None) -> Evidence:
        index = self.languages.get(language)
        if index is None:
            empty = np.zeros(0, dtype=np.float32)
            return Evidence([], empty, None, empty)
        return index.evidence(text, query, current_params())

    def decide(
        self,
        text: str,
        *,
        language: str | None = None,
        query: np.ndarray | None = None,
        product_ids: frozenset[int] = frozenset(),
        params: Params | None = None,
    ) -> Decision:
        """The decision for ``text`` given the question's vector (None: words alone)."""
        params = params or current_params()
        language = language or detect_language(text)
        index = self.languages.get(language)
        if index is None or not index.entries:
            return Decision("handover", None, language=language)
        ev = index.evidence(text, query, params)
        return decide_from(ev, language=language, params=params, product_ids=product_ids)


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


# --- the per-process index and parameters ---------------------------------------------------

_lock = threading.Lock()
_state: dict[str, Any] = {"index": None, "version": None, "built": 0.0, "params": None}


def current_params() -> Params:
    with _lock:
        params = _state["params"]
    if params is None:
        params = Params.load()
        with _lock:
            _state["params"] = params
    return params  # type: ignore[no-any-return]


def load_entries() -> list[KBEntry]:
    """The active entries with their texts, from the database."""
    from chat.models import KnowledgeEntry, KnowledgeQuestion

    texts: dict[int, list[str]] = {}
    for entry_id, text in KnowledgeQuestion.objects.filter(entry__active=True).values_list(
        "entry_id", "text"
    ):
        texts.setdefault(entry_id, []).append(text)
    products: dict[int, set[int]] = {}
    through = KnowledgeEntry.products.through
    for entry_id, product_id in through.objects.filter(knowledgeentry__active=True).values_list(
        "knowledgeentry_id", "product_id"
    ):
        products.setdefault(entry_id, set()).add(product_id)
    return [
        KBEntry(
            id=pk,
            key=key,
            title=title,
            language=language,
            texts=tuple(dict.fromkeys([title, *texts.get(pk, [])])),
            product_ids=frozenset(products.get(pk, ())),
        )
        for pk, key, title, language in KnowledgeEntry.objects.filter(active=True)
        .order_by("pk")
        .values_list("pk", "key", "title", "language")
    ]


def build_index() -> HybridIndex:
    from ..vectors import vectors_for
    from .embedder import current_embedder

    entries = load_entries()
    embedder = current_embedder()
    vectors: dict[str, np.ndarray] = {}
    if embedder is not None:
        texts = [*(t for e in entries for t in e.texts), *out_of_scope_texts()]
        vectors = vectors_for(texts, model=embedder.name)
        missing = sum(1 for e in entries for t in e.texts if t not in vectors)
        if missing:
            # Saved moments ago (the Celery task has not run yet) or the model changed:
            # those texts count on words alone until their vectors are stored.
            logger.info("%d knowledge-base texts have no %s vector yet", missing, embedder.name)
    return HybridIndex(entries, vectors, model=embedder.name if embedder else None)


def current_index() -> HybridIndex:
    """The process's index, rebuilt when the knowledge base (or the embedder) changed."""
    from .embedder import current_embedder
    from .index import FALLBACK_TTL, _shared_version

    version = _shared_version()
    embedder = current_embedder()
    model = embedder.name if embedder else None
    with _lock:
        index = _state["index"]
        fresh = (
            index is not None
            and index.model == model
            and (
                (version is not None and _state["version"] == version)
                or (version is None and time.monotonic() - float(_state["built"]) < FALLBACK_TTL)
            )
        )
        if fresh:
            return index  # type: ignore[no-any-return]
    built = build_index()
    with _lock:
        _state.update(index=built, version=version, built=time.monotonic())
    return built


def decide(text: str, *, language: str | None = None, product_ids: Iterable[int] = ()) -> Decision:
    """What the bot does with ``text``: embed it (300 ms deadline; on failure words alone
    decide, logged and counted), retrieve, calibrate, decide."""
    from .embedder import EmbeddingUnavailable, current_embedder, embed_question

    language = language or detect_language(text)
    index = current_index()
    query = None
    if current_embedder() is not None:
        try:
            query = embed_question(text)
        except EmbeddingUnavailable:
            query = None
    return index.decide(text, language=language, query=query, product_ids=frozenset(product_ids))
