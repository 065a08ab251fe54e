"""Sentiment of a shopper message, -1 (angry) … +1 (pleased), English and Chinese.

Lexicon-based with negation and intensity: "not happy" is negative, "not bad" mildly positive,
"非常失望" stronger than "失望", and "!!!" or ALL CAPS sharpens what is there. On top of the
word lists, rules for how shoppers write in a shop's chat: complaint phrases ("nobody answers",
"没人回", "再也不买"), misspelt English words one edit away from a strong one ("rediculous"),
sarcasm (praise at the start of a message that reports a delay or a loss: "Great, another week
of waiting"; 呵呵), and questions: a question with only mild negative words ("Is it bad to tumble
dry it?", 差几块钱能包邮吗, 颜色不喜欢，可以换吗) is a question, not a complaint, and keeps a third
of its negative weight.

Chosen by measurement on ``bench/sentiment_lines.py`` against VADER + SnowNLP
(``bench/sentiment_eval.py``, figures in docs/performance.md). The bot hands over on it, and
agents see it as a hint; shoppers never see it. The word lists and constants are in
``sentiment_words.py``; here, how they are applied.
"""

from __future__ import annotations

import math
import unicodedata

from .sentiment_words import (
    ALPHA,
    CLAUSE,
    EN_GRIEVANCE,
    EN_INTENSIFIERS,
    EN_LEXICON,
    EN_NEGATORS,
    EN_PHRASES,
    EN_QUESTION_START,
    EN_TOKEN,
    QUESTION_KEEPS,
    STRONG_WORD,
    TYPO_MIN,
    ZH_GRIEVANCE,
    ZH_INTENSIFIERS,
    ZH_LEXICON,
    ZH_NEGATORS,
    ZH_NEUTRAL,
    ZH_SARCASM,
)


def _squash(total: float) -> float:
    return total / math.sqrt(total * total + ALPHA) if total else 0.0


def normalize(text: str) -> str:
    """NFKC (full-width → half-width), lower case, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


_STRONG_EN = sorted(w for w, v in EN_LEXICON.items() if v <= -2 and len(w) >= TYPO_MIN)


def _one_edit(a: str, b: str) -> bool:
    """a and b differ by one insertion, deletion, substitution or swap of neighbours."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        i, j = diff[0], diff[-1]
        return len(diff) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1 :]


def _en_word(token: str) -> tuple[float, bool] | None:
    """The token's weight and whether it is a strong negative word; a misspelt strong word
    ("rediculous", "terible") counts, a bit less."""
    if token in EN_LEXICON:
        value = EN_LEXICON[token]
        return value, value <= STRONG_WORD
    if len(token) >= TYPO_MIN:
        for word in _STRONG_EN:
            if _one_edit(token, word):
                return EN_LEXICON[word] * 0.9, EN_LEXICON[word] <= STRONG_WORD
    return None


class _Sum:
    """Negative and positive weight of a message, whether a strong negative word or complaint
    phrase is in it, and whether praise opens it (sarcasm's shape)."""

    def __init__(self) -> None:
        self.negative = 0.0
        self.positive = 0.0
        self.strong = False
        self.praise_first = False
        self.sarcasm = False

    def add(self, value: float, *, phrase: bool = False) -> None:
        if value < 0:
            self.negative += value
            self.strong = self.strong or phrase or value <= STRONG_WORD
        else:
            self.positive += value


def _english(text: str, out: _Sum) -> None:
    lowered = text
    for phrase, value in EN_PHRASES.items():
        if phrase in lowered:
            out.add(value, phrase=value < 0)
            lowered = lowered.replace(phrase, " ")
    first = EN_TOKEN.findall(lowered)[:3]
    # Negation and intensity reach three words back, never across a clause ("not bad, thanks").
    for clause in CLAUSE.split(lowered):
        tokens = EN_TOKEN.findall(clause)
        for i, token in enumerate(tokens):
            found = _en_word(token)
            if found is None:
                continue
            value, strong = found
            window = tokens[max(0, i - 3) : i]
            for prev in window:
                if prev in EN_INTENSIFIERS:
                    value *= EN_INTENSIFIERS[prev]
            if any(prev in EN_NEGATORS for prev in window):
                # "not good" is negative; "not bad" is only mildly positive.
                value = -value * (0.5 if value < 0 else 0.8)
            elif value > 0 and token in first:
                out.praise_first = True
            out.add(value, phrase=strong and value < 0)


def _chinese(text: str, out: _Sum) -> None:
    # Longest words first, so 太差 is not also counted as 差; polite phrases are skipped.
    consumed = [False] * len(text)
    for phrase in ZH_NEUTRAL:
        start = text.find(phrase)
        while start != -1:
            for k in range(start, start + len(phrase)):
                consumed[k] = True
            start = text.find(phrase, start + len(phrase))
    for word in sorted(ZH_LEXICON, key=len, reverse=True):
        start = text.find(word)
        while start != -1:
            end = start + len(word)
            if not any(consumed[start:end]):
                for k in range(start, end):
                    consumed[k] = True
                value = ZH_LEXICON[word]
                before = text[max(0, start - 3) : start]
                for intensifier, factor in ZH_INTENSIFIERS.items():
                    if before.endswith(intensifier):
                        value *= factor
                        before = before[: -len(intensifier)]
                        break
                if before.endswith(ZH_NEGATORS):
                    value = -value * (0.5 if value < 0 else 0.8)
                elif value > 0 and start <= 2:
                    out.praise_first = True
                out.add(value, phrase=len(word) >= 3 and value < 0)
            start = text.find(word, end)
    for mark in ZH_SARCASM:
        if mark in text:
            out.add(-2.5, phrase=True)
            out.sarcasm = True


def _is_question(text: str) -> bool:
    stripped = text.rstrip(" .!~～")
    if stripped.endswith(("?", "吗", "呢", "么")):
        return True
    return bool(EN_QUESTION_START.match(text)) and "?" in text


def sentiment_score(text: str) -> float:
    """The message's sentiment in [-1, 1], rounded to 3 places; 0 when nothing is said."""
    lowered = normalize(text)
    found = _Sum()
    _english(lowered, found)
    _chinese(lowered, found)
    negative, positive = found.negative, found.positive
    grievance = EN_GRIEVANCE.search(lowered) or ZH_GRIEVANCE.search(lowered)
    if found.sarcasm or (found.praise_first and grievance):
        # "Great, another week of waiting. Thanks a lot." — the praise is the complaint.
        negative -= positive * 1.2
        positive = 0.0
        found.strong = True
    if negative and not found.strong and _is_question(lowered):
        negative *= QUESTION_KEEPS
    total = negative + positive
    bangs = min(text.count("!") + text.count("！"), 3)
    letters = [c for c in text if c.isalpha() and c.isascii()]
    shouting = len(letters) >= 8 and sum(c.isupper() for c in letters) / len(letters) > 0.7
    if total and (bangs or shouting):
        total *= 1 + 0.15 * bangs + (0.3 if shouting else 0)
    return round(_squash(total), 3)
