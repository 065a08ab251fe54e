"""Hybrid retrieval and the decision ladder: BM25 (``lexical.py``) and sentence embeddings
(``embedder.py``) fused into one calibrated confidence, then answer / suggest / hand over.
The parts: ``params.py`` (weights, thresholds, out-of-scope examples), ``retrieval.py`` (each
entry's evidence), ``ladder.py`` (confidence and decision); here the knowledge base of one
process (``HybridIndex``, rebuilt when it changes) and ``decide``.

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

import logging
import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from .decision import MAX_SUGGESTIONS, Decision
from .ladder import PRODUCT_BOOST, _top, confidence, decide_from, features
from .params import (
    CALIBRATION_PATH,
    OUT_OF_SCOPE_PATH,
    Params,
    out_of_scope_examples,
    out_of_scope_texts,
)
from .retrieval import (
    LEXICAL_CANDIDATES,
    SEMANTIC_CANDIDATES,
    Evidence,
    KBEntry,
    LanguageIndex,
)
from .text import detect_language

logger = logging.getLogger(__name__)

# The parts live in params.py, retrieval.py and ladder.py; callers keep importing them here.
__all__ = [
    "CALIBRATION_PATH",
    "LEXICAL_CANDIDATES",
    "MAX_SUGGESTIONS",
    "OUT_OF_SCOPE_PATH",
    "PRODUCT_BOOST",
    "SEMANTIC_CANDIDATES",
    "Evidence",
    "HybridIndex",
    "KBEntry",
    "LanguageIndex",
    "Params",
    "_top",
    "build_index",
    "confidence",
    "current_index",
    "current_params",
    "decide",
    "decide_from",
    "features",
    "load_entries",
    "out_of_scope_examples",
    "out_of_scope_texts",
]


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
