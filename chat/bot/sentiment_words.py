"""The sentiment score's word lists and rules (``sentiment.py`` applies them): English and
Chinese lexicons with weights, negators, intensifiers, the polite phrases that mean nothing
negative, the grievances that turn opening praise into sarcasm, and the scoring constants.
Measured and chosen on ``bench/sentiment_lines.py`` (docs/performance.md, "Bot sentiment")."""

from __future__ import annotations

import re

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
EN_TOKEN = re.compile(r"[a-z']+")
CLAUSE = re.compile(r"[,.;:!?，。；：！？]|\bbut\b")
# Larger alpha: a single strong word lands near ±0.8.
ALPHA = 4.0
# A word this negative (or a complaint phrase) makes a question a complaint all the same.
STRONG_WORD = -2.5
# Typos are looked for only in words this long: one edit turns short real words into strong
# ones ("socks" → "sucks", "hate" → "have").
TYPO_MIN = 7
# What is left of a question's negative weight when it has no strong word.
QUESTION_KEEPS = 1 / 3
