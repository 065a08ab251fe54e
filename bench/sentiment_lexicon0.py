"""Sentiment of a shopper message, -1 (angry) … +1 (pleased), English and Chinese.

Lexicon-based with negation and intensity: "not happy" is negative, "not bad" mildly positive,
"非常失望" stronger than "失望", and "!!!" or ALL CAPS sharpens what is there. Good enough to
notice a conversation turning sour; it is shown to agents as a hint, never to shoppers.
"""

from __future__ import annotations

import math
import re

from chat.bot.matching.text import normalize

EN_LEXICON: dict[str, float] = {
    # negative
    "angry": -2.5,
    "furious": -3,
    "annoyed": -2,
    "upset": -2,
    "disappointed": -2.2,
    "disappointing": -2.2,
    "terrible": -3,
    "horrible": -3,
    "awful": -3,
    "worst": -3,
    "bad": -1.5,
    "poor": -1.5,
    "useless": -2.5,
    "ridiculous": -2.5,
    "unacceptable": -3,
    "scam": -3,
    "fraud": -3,
    "cheated": -3,
    "rude": -2.5,
    "hate": -2.5,
    "stupid": -2.5,
    "slow": -1,
    "late": -1,
    "broken": -1.2,
    "never": -0.5,
    "waste": -2,
    "wasted": -2,
    "complaint": -2,
    "complain": -2,
    "sucks": -2.5,
    "disgusting": -3,
    "frustrated": -2.5,
    "frustrating": -2.5,
    "lied": -2.5,
    "liar": -3,
    "nonsense": -2,
    "incompetent": -3,
    "wtf": -3,
    "damn": -2,
    "sue": -2.5,
    "lawyer": -2,
    "unhappy": -2,
    "pathetic": -3,
    # positive
    "good": 1.5,
    "great": 2.5,
    "thanks": 1.5,
    "thank": 1.5,
    "love": 2.5,
    "perfect": 2.5,
    "excellent": 3,
    "awesome": 2.5,
    "helpful": 2,
    "happy": 2,
    "nice": 1.5,
    "amazing": 2.5,
    "wonderful": 2.5,
    "fast": 1,
    "appreciate": 2,
    "glad": 2,
    "satisfied": 2,
    "ok": 0.5,
    "fine": 0.5,
    "cool": 1,
}
EN_PHRASES: dict[str, float] = {
    "rip off": -3,
    "ripped off": -3,
    "fed up": -2.5,
    "sick of": -2.5,
    "no one helps": -2.5,
    "nobody helps": -2.5,
    "still waiting": -1.5,
    "not received": -1,
    "money back": -1,
    "thank you": 1.5,
    "well done": 2,
}
EN_NEGATORS = frozenset(
    [
        "not",
        "no",
        "never",
        "nothing",
        "nobody",
        "neither",
        "nor",
        "cannot",
        "cant",
        "dont",
        "doesnt",
        "didnt",
        "isnt",
        "wasnt",
        "arent",
        "won't",
        "wont",
        "don't",
        "doesn't",
        "didn't",
        "isn't",
        "wasn't",
        "aren't",
        "can't",
        "hardly",
    ]
)
EN_INTENSIFIERS = {
    "very": 1.5,
    "really": 1.4,
    "so": 1.4,
    "extremely": 1.8,
    "totally": 1.5,
    "absolutely": 1.6,
    "completely": 1.5,
    "too": 1.3,
    "super": 1.5,
}

ZH_LEXICON: dict[str, float] = {
    # negative
    "生气": -2.5,
    "愤怒": -3,
    "气死": -3,
    "失望": -2.2,
    "太差": -3,
    "很差": -2.5,
    "差劲": -2.5,
    "垃圾": -3,
    "骗子": -3,
    "欺骗": -3,
    "骗人": -3,
    "坑人": -3,
    "投诉": -2.5,
    "恶心": -3,
    "糟糕": -2.5,
    "烂": -2,
    "慢死": -2.5,
    "太慢": -2,
    "不满": -2.2,
    "退钱": -1.5,
    "无语": -2,
    "崩溃": -2.5,
    "受不了": -2.5,
    "忍无可忍": -3,
    "差评": -2.5,
    "敷衍": -2.5,
    "离谱": -2.5,
    "过分": -2.2,
    "烦": -1.5,
    "坑": -2,
    "讨厌": -2.2,
    "后悔": -2,
    "欺诈": -3,
    "曝光": -2,
    "赔偿": -1.5,
    "报警": -2.5,
    "难用": -2,
    "差": -1.5,
    "慢": -1,
    "不好": -1.5,
    "不行": -1.5,
    # positive
    "谢谢": 1.5,
    "感谢": 2,
    "满意": 2,
    "好评": 2.5,
    "喜欢": 2,
    "不错": 1.5,
    "很好": 2,
    "太好了": 2.5,
    "棒": 2,
    "赞": 2,
    "完美": 2.5,
    "开心": 2,
    "高兴": 2,
    "给力": 2,
    "好的": 0.5,
    "辛苦": 1,
    "方便": 1,
    "快": 0.8,
}
ZH_NEGATORS = ("不", "没", "没有", "别", "未", "无", "并不", "不是")
ZH_INTENSIFIERS = {
    "非常": 1.6,
    "太": 1.5,
    "很": 1.3,
    "真": 1.3,
    "特别": 1.6,
    "超级": 1.6,
    "极": 1.8,
}

_EN_TOKEN = re.compile(r"[a-z']+")
_CLAUSE = re.compile(r"[,.;:!?，。；：！？]|\bbut\b")
# Larger alpha: a single strong word lands near ±0.8.
ALPHA = 4.0


def _squash(total: float) -> float:
    return total / math.sqrt(total * total + ALPHA) if total else 0.0


def _english(text: str) -> float:
    lowered = normalize(text)
    total = 0.0
    for phrase, value in EN_PHRASES.items():
        if phrase in lowered:
            total += value
            lowered = lowered.replace(phrase, " ")
    # Negation and intensity reach three words back, never across a clause ("not bad, thanks").
    for clause in _CLAUSE.split(lowered):
        tokens = _EN_TOKEN.findall(clause)
        for i, token in enumerate(tokens):
            if token not in EN_LEXICON:
                continue
            value = EN_LEXICON[token]
            window = tokens[max(0, i - 3) : i]
            for prev in window:
                if prev in EN_INTENSIFIERS:
                    value *= EN_INTENSIFIERS[prev]
            if any(prev in EN_NEGATORS for prev in window):
                # "not good" is negative; "not bad" is only mildly positive.
                value = -value * (0.5 if value < 0 else 0.8)
            total += value
    return total


def _chinese(text: str) -> float:
    text = normalize(text)
    total = 0.0
    # Longest words first, so 太差 is not also counted as 差.
    consumed = [False] * len(text)
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
                total += value
            start = text.find(word, end)
    return total


def sentiment_score(text: str) -> float:
    """The message's sentiment in [-1, 1], rounded to 3 places; 0 when nothing is said."""
    total = _english(text) + _chinese(text)
    bangs = min(text.count("!") + text.count("！"), 3)
    letters = [c for c in text if c.isalpha() and c.isascii()]
    shouting = len(letters) >= 8 and sum(c.isupper() for c in letters) / len(letters) > 0.7
    if total and (bangs or shouting):
        total *= 1 + 0.15 * bangs + (0.3 if shouting else 0)
    return round(_squash(total), 3)
