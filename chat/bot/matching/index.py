"""A TF-IDF index over the knowledge base's question phrasings, cached per process.

Every process keeps the index in memory and compares its build stamp with a version stamp in
the shared cache (one cache GET per match); a change to the knowledge base bumps the stamp
(``kb_changed``), so every process rebuilds on its next match. Cosine similarity of sublinear
TF-IDF vectors; an entry's score is its best phrasing's score.
"""

from __future__ import annotations

import logging
import math
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction

from .text import detect_language, features, sublinear

logger = logging.getLogger(__name__)

VERSION_KEY = "bot:kb:version"
# Without a reachable cache, rebuild at most this often (seconds).
FALLBACK_TTL = 30.0
# A question about a product page the shopper is on counts this much more for entries tied to
# that product.
PRODUCT_BOOST = 0.08


@dataclass(frozen=True)
class Doc:
    entry_id: int
    language: str
    text: str
    product_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Match:
    """The best entry for a question. ``entry_id`` is None when nothing overlaps at all."""

    entry_id: int | None
    score: float
    runner_up: float
    language: str
    question: str = ""


@dataclass
class Index:
    docs: list[Doc] = field(default_factory=list)
    vectors: list[dict[str, float]] = field(default_factory=list)
    idf: dict[str, float] = field(default_factory=dict)
    postings: dict[str, list[tuple[int, float]]] = field(default_factory=dict)

    @classmethod
    def build(cls, docs: Iterable[Doc]) -> Index:
        index = cls(docs=list(docs))
        bags = [features(d.text) for d in index.docs]
        df: dict[str, int] = defaultdict(int)
        for bag in bags:
            for gram in bag:
                df[gram] += 1
        n = len(bags)
        index.idf = {g: math.log((1 + n) / (1 + c)) + 1.0 for g, c in df.items()}
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, bag in enumerate(bags):
            vec = _weigh(bag, index.idf)
            index.vectors.append(vec)
            for gram, weight in vec.items():
                postings[gram].append((i, weight))
        index.postings = dict(postings)
        return index

    def search(
        self, text: str, *, language: str | None = None, product_ids: frozenset[int] = frozenset()
    ) -> Match:
        language = language or detect_language(text)
        query = _weigh(features(text), self.idf)
        scores: dict[int, float] = defaultdict(float)
        for gram, weight in query.items():
            for doc_index, doc_weight in self.postings.get(gram, ()):
                scores[doc_index] += weight * doc_weight
        best: dict[int, tuple[float, str]] = {}
        for doc_index, score in scores.items():
            doc = self.docs[doc_index]
            if doc.language != language:
                continue
            if product_ids and doc.product_ids & product_ids:
                score += PRODUCT_BOOST
            if score > best.get(doc.entry_id, (0.0, ""))[0]:
                best[doc.entry_id] = (score, doc.text)
        if not best:
            return Match(entry_id=None, score=0.0, runner_up=0.0, language=language)
        ranked = sorted(best.items(), key=lambda item: item[1][0], reverse=True)
        entry_id, (score, question) = ranked[0]
        runner_up = ranked[1][1][0] if len(ranked) > 1 else 0.0
        return Match(
            entry_id=entry_id,
            score=round(min(score, 1.0), 4),
            runner_up=round(min(runner_up, 1.0), 4),
            language=language,
            question=question,
        )


def _weigh(bag: dict[str, int], idf: dict[str, float]) -> dict[str, float]:
    """L2-normalised sublinear TF × IDF; grams the index never saw are dropped (no weight)."""
    vec = {g: tf * idf[g] for g, tf in sublinear(bag).items() if g in idf}  # type: ignore[arg-type]
    norm = math.sqrt(sum(v * v for v in vec.values()))
    if not norm:
        return {}
    return {g: v / norm for g, v in vec.items()}


# --- the per-process cache ------------------------------------------------------------------

_lock = threading.Lock()
_state: dict[str, object] = {"index": None, "version": None, "built": 0.0}


def _shared_version() -> str | None:
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            version = uuid.uuid4().hex
            # add(): the first process to get here sets the stamp; the rest read it.
            if not cache.add(VERSION_KEY, version, timeout=None):
                version = cache.get(VERSION_KEY) or version
        return str(version)
    except Exception:
        logger.warning("knowledge-base version stamp unavailable", exc_info=True)
        return None


def kb_changed() -> None:
    """Call when an entry or phrasing changes: every process rebuilds its index.

    The stamp moves now (this process sees its own uncommitted change) and again after commit
    (a process that rebuilt in between saw the old rows).
    """

    def bump() -> None:
        try:
            cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        except Exception:
            logger.warning("could not bump the knowledge-base version", exc_info=True)
        with _lock:
            _state["version"] = None

    bump()
    transaction.on_commit(bump)


def load_docs() -> list[Doc]:
    from chat.models import KnowledgeEntry, KnowledgeQuestion

    products: dict[int, set[int]] = defaultdict(set)
    through = KnowledgeEntry.products.through
    for entry_id, product_id in through.objects.filter(knowledgeentry__active=True).values_list(
        "knowledgeentry_id", "product_id"
    ):
        products[entry_id].add(product_id)
    docs = []
    # The title is one more phrasing of the question.
    rows = list(
        KnowledgeQuestion.objects.filter(entry__active=True).values_list(
            "entry_id", "entry__language", "text"
        )
    ) + list(KnowledgeEntry.objects.filter(active=True).values_list("pk", "language", "title"))
    for entry_id, language, text in rows:
        docs.append(Doc(entry_id, language, text, frozenset(products.get(entry_id, ()))))
    return docs


def current_index() -> Index:
    """The process's index, rebuilt if the knowledge base changed since it was built."""
    version = _shared_version()
    with _lock:
        index = _state["index"]
        fresh = index is not None and (
            (version is not None and _state["version"] == version)
            or (version is None and time.monotonic() - float(_state["built"]) < FALLBACK_TTL)  # type: ignore[arg-type]
        )
        if fresh:
            return index  # type: ignore[return-value]
    built = Index.build(load_docs())
    with _lock:
        _state.update(index=built, version=version, built=time.monotonic())
    return built


def match_question(
    text: str, *, language: str | None = None, product_ids: Iterable[int] = ()
) -> Match:
    """The best knowledge-base entry for ``text`` in its language (detected if not given)."""
    return current_index().search(text, language=language, product_ids=frozenset(product_ids))
