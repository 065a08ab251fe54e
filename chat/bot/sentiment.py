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
agents see it as a hint; shoppers never see it.
"""

from __future__ import annotations

import math
import re
import unicodedata

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
    "scammers": -3,
    "scammer": -3,
    "garbage": -2.5,
    "rubbish": -2.5,
    "junk": -2,
    "crap": -2.5,
    "ruined": -2.5,
    "disgrace": -3,
    "shameful": -2.5,
    "idiots": -3,
    "pissed": -2.5,
    "fuming": -3,
    "livid": -3,
    "unbelievable": -1.5,
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
    "brilliant": 2.5,
    "fantastic": 2.5,
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
    "nobody answers": -2.5,
    "no one answers": -2.5,
    "nobody replies": -2.5,
    "no one replies": -2.5,
    "nobody cares": -2.5,
    "no one cares": -2.5,
    "i am done with": -2.5,
    "i'm done with": -2.5,
    "never want to buy": -2.5,
    "never buy from": -2.5,
    "never order from": -2.5,
    "never again": -2,
    "report you": -2.5,
    "copy paste": -2,
    "waste of": -2,
    "waist of": -2,
    "what a joke": -2.5,
    "sick and tired": -3,
    "still no refund": -2,
    "fell apart": -2,
    "falling apart": -2,
    "third time": -1.5,
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
    "质量差": -2.5,
    "差到": -2.5,
    "慢": -1,
    "不好": -1.5,
    "不行": -1.5,
    "没人回": -2.5,
    "没人理": -2.5,
    "没人管": -2.5,
    "受够": -3,
    "再也不": -2.5,
    "倒闭": -2.5,
    "骗": -2.5,
    "骗纸": -3,
    "破店": -3,
    "什么破": -3,
    "什么玩意": -3,
    "辣鸡": -3,
    "气si": -3,
    "毁了": -2.5,
    "浪费": -2,
    "没用": -2,
    "复制粘贴": -2,
    "服了": -2,
    "搞什么": -2.5,
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

# Polite or factual phrases that contain a lexicon word and mean nothing by it.
ZH_NEUTRAL = ("不好意思", "差几", "差多少", "还差", "差一点", "差不多", "不行的话", "慢慢")
# Praise at the start of a message that reports a delay or a loss is sarcasm.
EN_GRIEVANCE = re.compile(
    r"\b(another (day|week|month)|for (a|one|two|three) (week|month)s?|for weeks|for months"
    r"|still (no|not|waiting)|never (arrived|came|got|received)|vanished|disappeared"
    r"|took \d+ days|\d+ days|one shoe|nobody knows|on its way|wait(ing)?\b)"
)
ZH_GRIEVANCE = re.compile(
    r"又|还没|都没|没到|丢了|所谓|[一两三四五六七八九十\d]+(天|周|个月)|让我|每次都"
)
ZH_SARCASM = ("呵呵", "厉害了")
EN_QUESTION_START = re.compile(
    r"^(how|what|when|where|which|who|why|can|could|may|is|are|do|does|did|will|would|should"
    r"|if|i'?m (a few|not sure)|my |the |no rush|sorry)\b"
)
_EN_TOKEN = re.compile(r"[a-z']+")
_CLAUSE = re.compile(r"[,.;:!?，。；：！？]|\bbut\b")
# Larger alpha: a single strong word lands near ±0.8.
ALPHA = 4.0
# A word this negative (or a complaint phrase) makes a question a complaint all the same.
STRONG_WORD = -2.5
# Typos are looked for only in words this long: one edit turns short real words into strong
# ones ("socks" → "sucks", "hate" → "have").
TYPO_MIN = 7
# What is left of a question's negative weight when it has no strong word.
QUESTION_KEEPS = 1 / 3


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
    first = _EN_TOKEN.findall(lowered)[:3]
    # Negation and intensity reach three words back, never across a clause ("not bad, thanks").
    for clause in _CLAUSE.split(lowered):
        tokens = _EN_TOKEN.findall(clause)
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
