"""Per-language retrieval: each entry's lexical (BM25) and semantic (cosine) evidence for one
question, and how near the question is to the out-of-scope examples (``hybrid.py`` says how
they combine; ``ladder.py`` decides)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .lexical import LexicalIndex
from .params import Params

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
class Evidence:
    """Per-entry evidence for one question in one language."""

    entries: list[KBEntry]
    lexical: np.ndarray
    semantic: np.ndarray | None
    fused: np.ndarray
    # Per entry, the raw cosine of its nearest text; and the nearest out-of-scope example's.
    nearest: np.ndarray | None = None
    out_of_scope: float | None = None
    # Words alone: the question's best normalised BM25 score over the out-of-scope examples.
    out_of_scope_lexical: float | None = None

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
        # Without vectors the examples still speak through their words ("tell me a joke",
        # "are you hiring"): how much more of the question an example covers than the entry.
        self.out_of_scope_words = LexicalIndex(list(out_of_scope)) if out_of_scope else None
        self.has_vectors = bool(docs) and all(t in vectors for t in docs)
        self.vectors: np.ndarray | None = None
        self.centroids: np.ndarray | None = None
        self.unembedded = np.zeros(len(self.entries), dtype=bool)
        self.unembedded_texts: dict[str, int] = {}
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
            # ... and a question that is one of its texts (its own title, typically: a
            # proposal accepted moments ago) is as near as it gets: semantic 1. Its words alone
            # cover only part of a BM25 score (0.42 for a title of four rare words), which a
            # wider cosine range let other entries' meaning outrank.
            self.unembedded_texts = {
                _plain(text): int(i)
                for i in np.flatnonzero(self.unembedded)
                for text in self.entries[int(i)].texts
            }
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
                standin = lexical.copy()
                own = self.unembedded_texts.get(_plain(text))
                if own is not None:
                    standin[own] = 1.0
                semantic = np.where(self.unembedded, standin, semantic)
            fused = params.w_lex * lexical + (1.0 - params.w_lex) * semantic
        else:
            fused = lexical
        out_of_scope_lexical = None
        if semantic is None and self.out_of_scope_words is not None:
            out_of_scope_lexical = float(np.max(self.out_of_scope_words.scores(text)))
        return Evidence(
            self.entries,
            lexical,
            semantic,
            np.asarray(fused, dtype=np.float32),
            nearest,
            out_of_scope,
            out_of_scope_lexical,
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


def _plain(text: str) -> str:
    """``text`` lower-cased without punctuation or spaces (an exact match, give or take
    "?" and case)."""
    return "".join(c for c in text.casefold() if c.isalnum())
