"""Chinese word segmentation for the search index and for queries (jieba, via ``rjieba``).

Only the runs of Chinese characters are cut; the rest of a text is left for PostgreSQL's
own parser, so an e-mail address or ``order#123`` is split the same way in a message and in
a query. The index side cuts "for search" (a long word also yields its shorter words:
``退货政策`` gives ``退货``, ``政策`` and ``退货政策``), the query side cuts plainly.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

# CJK Unified Ideographs and Extension A, compatibility ideographs.
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
WORD = re.compile(r"\w+")


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import rjieba

    return rjieba


def clean_query(query: str) -> str:
    """A query PostgreSQL can take: no NUL (text cannot hold one), trimmed, at most 100."""
    return query.replace("\x00", " ").strip()[:100]


def has_cjk(text: str) -> bool:
    return bool(CJK_RUN.search(text or ""))


def _cut(text: str, *, for_search: bool) -> str:
    jieba = _jieba()
    cut = jieba.cut_for_search if for_search else jieba.cut

    def words(match: re.Match[str]) -> str:
        return " " + " ".join(cut(match.group(0))) + " "

    return CJK_RUN.sub(words, text)


def index_text(body: str) -> str | None:
    """What the index reads for ``body``: None (the body itself) unless it has Chinese."""
    if not has_cjk(body):
        return None
    return _cut(body, for_search=True)


def query_text(query: str) -> str:
    """The query as PostgreSQL's ``plainto_tsquery`` should read it (every word required)."""
    return _cut(query, for_search=False) if has_cjk(query) else query


def query_words(query: str) -> list[str]:
    """The query's words, lowercased, longest first: what to highlight (and, on SQLite, what
    every hit must contain)."""
    words = {w.lower() for w in WORD.findall(query_text(query))}
    return sorted(words, key=lambda w: (-len(w), w))
