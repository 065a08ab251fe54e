"""Hot questions: facts about what shoppers ask, topic keys and clusters (docs/metrics.md).

Matched questions come from the bot's ``bot.answered`` event; questions the bot could not
match are imported by the rollup from the bot's ``UnmatchedQuestion`` rows. Each unmatched
question gets a *topic key* (its sorted key words: English words without stop words, Chinese
words from jieba's segmentation — ``rjieba``, the Rust port of jieba, as the bot's matcher
uses — without particles and filler words). The report merges keys into clusters when their
word sets overlap or when their sentence vectors (the bot's embedder, ``TopicVector``) are
close, so 周末可以发货吗, 周末发货吗 and 星期六发货吗 are one cluster.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from typing import Any

import numpy as np

from chat.bot.matching import text as _bot_text
from helpdesk import dispatch

from .models import QuestionFact

# The bot's tokenizer vocabulary is the one source of stop words and CJK ranges; topic keys
# add a few words a question carries without naming its topic.
_CJK_RUN = _bot_text._CJK_RUN
_WORD = re.compile(r"[a-z0-9]+")
EN_STOP = _bot_text.EN_STOPWORDS | frozenset(
    ["its", "these", "those", "which", "where", "not", "no", "yes", "thanks", "thank"]
)
ZH_STOP = _bot_text.ZH_STOPCHARS | frozenset("在有")
# Words a Chinese question carries without naming its topic (after segmentation).
ZH_STOPWORDS = frozenset(
    [
        "可以",
        "能",
        "能不能",
        "可不可以",
        "会",
        "要",
        "想",
        "怎么",
        "怎么样",
        "怎样",
        "如何",
        "什么",
        "多少",
        "哪里",
        "哪儿",
        "为什么",
        "是不是",
        "有没有",
        "请问",
        "你好",
        "您好",
        "你们",
        "我们",
        "我的",
        "你们的",
        "一下",
        "现在",
        "已经",
        "还",
        "吗",
        "呢",
        "吧",
        "啊",
        "呀",
        "的",
        "了",
        "么",
        "嘛",
        "和",
        "就",
        "都",
        "也",
        "请",
        "帮",
        "帮忙",
        "谢谢",
        "麻烦",
    ]
)
MAX_TOKENS = 8
SIMILARITY = 0.4
# Cosine of two questions' vectors (the bot's in-process multilingual-e5-small) at or above
# which they are one topic. Measured on 18 shop questions: Chinese paraphrases 0.92–0.99
# (周末可以发货吗 / 周末发货吗 0.992, / 星期六发货吗 0.947, 能开票吗 / 可以开发票吗 0.921,
# 质保多长时间 / 保修期多久 0.932); different topics at most 0.885 (怎么修改收货地址 /
# 怎么退货). English paraphrases score lower (ship on weekends / deliver on saturday 0.888)
# and stay apart unless words join them.
SEMANTIC_SIMILARITY = 0.90

_jieba_lock = threading.Lock()
_jieba: Any = None


def segment(text: str) -> list[str]:
    """Chinese words of a run of Chinese text (jieba's dictionary, via ``rjieba``)."""
    global _jieba
    with _jieba_lock:
        if _jieba is None:
            import rjieba

            _jieba = rjieba
    return [w for w in _jieba.cut(text) if w.strip()]


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def tokens(text: str) -> list[str]:
    """Key words of a question: English stems and Chinese words (segmented, never character
    pairs), in order, no repeats."""
    text = unicodedata.normalize("NFKC", text).lower()
    out: list[str] = []
    for run in _CJK_RUN.findall(text):
        words = [
            w for w in segment(run) if w not in ZH_STOPWORDS and not (len(w) == 1 and w in ZH_STOP)
        ]
        out.extend(words or [run])
    for word in _WORD.findall(_CJK_RUN.sub(" ", text)):
        if word not in EN_STOP and (len(word) > 1 or word.isdigit()):
            out.append(_stem(word))
    seen: dict[str, None] = {}
    for t in out:
        seen.setdefault(t, None)
    return list(seen)


def topic_key(text: str) -> str:
    """The sorted key words (at most 8), space separated; empty for a question without any."""
    key = " ".join(sorted(tokens(text)[:MAX_TOKENS]))
    return key[:120]


def language_of(text: str) -> str:
    return "zh-hans" if _CJK_RUN.search(text) else "en"


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def cluster_keys(
    counts: dict[str, int], vectors: dict[str, np.ndarray] | None = None
) -> list[tuple[str, list[str]]]:
    """Greedy clustering: keys by count, each joins the first (largest) cluster whose seed it
    resembles — Jaccard of word sets ≥ 0.4, or cosine of their sentence vectors ≥
    ``SEMANTIC_SIMILARITY`` when both have one — else seeds a new one. Returns (seed, members).

    Only seeds sharing a word can reach the word threshold, so an inverted index of seed words
    picks those candidates; the vectors of all seeds are one matrix product per key."""
    vectors = vectors or {}
    clusters: list[tuple[str, set[str], list[str]]] = []
    seeds_with: dict[str, list[int]] = {}
    seed_rows: list[np.ndarray] = []
    seed_index: list[int] = []  # cluster of each row of seed_rows
    for key in sorted(counts, key=lambda k: (-counts[k], k)):
        words = set(key.split())
        candidates = sorted({i for w in words for i in seeds_with.get(w, ())})
        joined = next((i for i in candidates if jaccard(words, clusters[i][1]) >= SIMILARITY), None)
        vector = vectors.get(key)
        if joined is None and vector is not None and seed_rows:
            scores = np.stack(seed_rows) @ vector
            close = np.flatnonzero(scores >= SEMANTIC_SIMILARITY)
            if close.size:
                joined = min(seed_index[int(r)] for r in close)
        if joined is not None:
            clusters[joined][2].append(key)
            continue
        for w in words:
            seeds_with.setdefault(w, []).append(len(clusters))
        if vector is not None:
            seed_rows.append(vector)
            seed_index.append(len(clusters))
        clusters.append((key, words, [key]))
    return [(seed, members) for seed, _words, members in clusters]


def question_record_matched(*, event: dispatch.DomainEvent) -> QuestionFact | None:
    """A question the bot answered from a knowledge-base entry (``bot.answered``)."""
    data = event.data
    entry_id = data.get("entry_id", data.get("kb_entry_id"))
    if not isinstance(entry_id, int):
        return None
    from chat.models import Conversation, Message

    message_id = data.get("question_message_id")
    text = str(data.get("question") or "")
    if not text and isinstance(message_id, int):
        text = Message.objects.filter(pk=message_id).values_list("body", flat=True).first() or ""
    text = text[:300]
    if message_id is not None and QuestionFact.objects.filter(message_id=message_id).exists():
        return None

    team_id = (
        Conversation.objects.filter(pk=event.conversation_id or 0)
        .values_list("team_id", flat=True)
        .first()
    )
    return QuestionFact.objects.create(
        at=event.at,
        conversation_id=event.conversation_id,
        message_id=message_id if isinstance(message_id, int) else None,
        team_id=team_id,
        kb_entry_id=entry_id,
        text=text,
        language=language_of(text),
    )


def product_index() -> list[tuple[str, int]]:
    """(lower-case product name, id) of active products, longest names first."""
    try:
        from orders.models import Product
    except ImportError:  # pragma: no cover - orders always ships Product
        return []
    rows = Product.objects.filter(active=True).values_list("name", "pk")
    return sorted(((n.lower(), pk) for n, pk in rows if len(n) >= 2), key=lambda r: -len(r[0]))


def products_in(text: str, index: list[tuple[str, int]]) -> str:
    lowered = unicodedata.normalize("NFKC", text).lower()
    found = [str(pk) for name, pk in index if name in lowered]
    return ",".join(found[:10])[:300]


def unmatched_rows_after(last_id: int, limit: int) -> list[dict[str, Any]]:
    """The bot's unmatched questions with id > ``last_id`` (none if the bot is absent)."""
    try:
        from chat.models import UnmatchedQuestion
    except ImportError:
        return []
    rows = (
        UnmatchedQuestion.objects.filter(pk__gt=last_id)
        .order_by("pk")
        .values("pk", "conversation_id", "message_id", "text", "created_at")[:limit]
    )
    return [dict(row) for row in rows]
