"""Lexical evidence: BM25 (``bm25s``) over words, with real Chinese word segmentation
(``rjieba``, the Rust port of jieba), English stemming (``PyStemmer``, Snowball), typo repair
against the index's vocabulary (``rapidfuzz``) and the shop's synonyms (``text.CONCEPTS``).

Why these: bm25s is a maintained, numpy-only BM25 that scores a query against every document
in one sparse pass; jieba's dictionary knows 开票, 质保, 包邮 as words, where character pairs
made 退货运费 look like 运费; Snowball folds ship/shipping/shipped; rapidfuzz's Levenshtein
ratio is what kept the old matcher good on "refnud" and "warrenty".

Scores are normalised to 0–1 so they can be fused with cosine similarities: a document's BM25
score is divided by the sum of the query terms' IDF (terms the index never saw count at the
highest IDF), i.e. "how much of what the question says, weighted by rarity, this phrasing
covers". One shared word in a long question no longer decides.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from .text import _EN_CONCEPT, _EN_FOLD, CONCEPTS, EN_STOPWORDS, ZH_STOPCHARS, normalize

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# Chinese function words the segmenter returns as words of their own.
_ZH_FUNCTION_WORDS = (
    "什么 怎么 怎么样 怎样 如何 为什么 可以 能 能不能 可不可以 是不是 有没有 一下 请问"
    " 你好 您好 你们 我们 我的 你们的 这个 那个 就 还 都 也 又 在 下 要 想 会 给 把 被"
    " 吗 呢 吧 啊 呀 哈 亲 在吗 谢谢"
)
ZH_STOPWORDS = frozenset({*ZH_STOPCHARS, *_ZH_FUNCTION_WORDS.split()})
# Typo repair: only words this long, and only to a vocabulary word this similar (0–100).
TYPO_MIN_LEN = 4
TYPO_SCORE = 80.0
BM25_K1 = 1.2
BM25_B = 0.75

_segmenter_lock = threading.Lock()
# bm25s logs "Building index from tokens" at every build; the index is rebuilt per KB change.
logging.getLogger("bm25s").setLevel(logging.WARNING)


@lru_cache(maxsize=1)
def _segmenter() -> Any:
    import rjieba

    jieba = rjieba.Jieba()
    # The shop's own words stay whole (退货, 包邮, 开票 …) whatever the general dictionary says.
    for _words, zh in CONCEPTS.values():
        for form in zh:
            jieba.add_word(form, 2000, None)
    for word in SHOP_WORDS:
        jieba.add_word(word, 2000, None)
    return jieba


# Words of a shop's questions jieba's general dictionary splits badly (measured on the dev
# split: 退货运费 → 退 / 货运费).
SHOP_WORDS = (
    "退货",
    "换货",
    "开票",
    "发票",
    "包邮",
    "质保",
    "保修",
    "到货",
    "收货",
    "尺码",
    "码数",
)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def _zh_words(run: str) -> list[str]:
    with _segmenter_lock:
        words = _segmenter().cut_for_search(run)
    return [w for w in words if w.strip() and w not in ZH_STOPWORDS]


def _en_words(text: str) -> list[str]:
    words = [_EN_FOLD.get(w, w) for w in _LATIN_WORD.findall(text)]
    return [w for w in words if w not in EN_STOPWORDS]


def tokens(text: str, *, repair: Any = None) -> list[str]:
    """The BM25 terms of ``text``: ``w:`` stemmed English words, ``z:`` Chinese words and
    ``k:`` shop concepts (a synonym in either language adds its concept once).
    ``repair`` maps an unknown English word to a known one (typos), or returns it as is."""
    text = normalize(text)
    out: list[str] = []
    concepts: set[str] = set()
    for concept, (_words, zh) in CONCEPTS.items():
        if any(form in text for form in zh):
            concepts.add(concept)
    for run in _CJK_RUN.findall(text):
        out.extend("z:" + w for w in _zh_words(run))
    latin = _CJK_RUN.sub(" ", text)
    stem = _stemmer().stemWord
    for word in _en_words(latin):
        if repair is not None:
            word = repair(word)
        if word in _EN_CONCEPT:
            concepts.add(_EN_CONCEPT[word])
        out.append("w:" + stem(word))
    out.extend("k:" + c for c in sorted(concepts))
    return out


class LexicalIndex:
    """BM25 over one language's documents (an entry's title and phrasings are documents)."""

    def __init__(self, docs: Sequence[str]) -> None:
        import bm25s

        self.n = len(docs)
        self.words = sorted(
            {w for d in docs for w in _en_words(_CJK_RUN.sub(" ", normalize(d))) if w.isalpha()}
        )
        self._known = set(self.words)
        corpus = [tokens(d) for d in docs]
        df: dict[str, int] = {}
        for terms in corpus:
            for term in set(terms):
                df[term] = df.get(term, 0) + 1
        self.idf = {t: math.log(1 + (self.n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self.max_idf = math.log(1 + (self.n + 0.5) / 0.5)
        self.bm25 = bm25s.BM25(k1=BM25_K1, b=BM25_B, method="lucene")
        if self.n:
            self.bm25.index(corpus, show_progress=False)

    def repair(self, word: str) -> str:
        """The vocabulary word closest to an unknown ``word`` (a typo), or ``word``."""
        if word in self._known or len(word) < TYPO_MIN_LEN or not word.isalpha():
            return word
        from rapidfuzz import fuzz, process

        best = process.extractOne(word, self.words, scorer=fuzz.ratio, score_cutoff=TYPO_SCORE)
        return str(best[0]) if best else word

    def scores(self, text: str) -> np.ndarray:
        """Each document's normalised BM25 score for ``text`` (0–1)."""
        if not self.n:
            return np.zeros(0, dtype=np.float32)
        terms = tokens(text, repair=self.repair)
        if not terms:
            return np.zeros(self.n, dtype=np.float32)
        mass = sum(self.idf.get(t, self.max_idf) for t in terms)
        known = [t for t in terms if t in self.idf]
        if not known:
            return np.zeros(self.n, dtype=np.float32)
        raw = self.bm25.get_scores(known)
        return np.minimum(np.asarray(raw, dtype=np.float32) / float(mass), 1.0)
