"""Text features for matching: Chinese without spaces and English with typos.

Chinese runs become character 1–3 grams (no word segmenter needed: the grams of 退货 and
退款 overlap on 退, the bigram carries the meaning). Latin words become character 3–5 grams
of the word padded with spaces (" refund " → " re", "ref", …), so a typo ("refnud") still
shares most grams with the right word, and the word itself is a feature too.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{CJK}]+")
_LATIN_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_CJK_CHAR = re.compile(f"[{CJK}]")
_LATIN_CHAR = re.compile(r"[a-zA-Z]")

# Words that say nothing about what is asked (question words included: "what is the meaning
# of life" must not look like "what size should I order").
EN_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "is",
        "are",
        "am",
        "was",
        "were",
        "be",
        "been",
        "i",
        "me",
        "my",
        "we",
        "our",
        "you",
        "your",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "what",
        "which",
        "who",
        "whom",
        "why",
        "how",
        "when",
        "there's",
        "something",
        "anything",
        "thing",
        "things",
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "with",
        "and",
        "or",
        "but",
        "so",
        "do",
        "does",
        "did",
        "please",
        "pls",
        "hi",
        "hello",
        "hey",
        "there",
        "can",
        "could",
        "would",
        "will",
        "should",
        "just",
        "any",
        "some",
        "about",
        "get",
        "got",
        "have",
        "has",
        "had",
        "im",
        "i'm",
    ]
)
# Particles and pronouns that appear in almost every Chinese question.
ZH_STOPCHARS = frozenset("的了吗呢啊吧呀嘛么哦噢我你您他她它们是请问一下这那个")

# A few spelling variants and contractions folded before n-grams.
_EN_FOLD = {
    "what's": "what",
    "where's": "where",
    "how's": "how",
    "don't": "not",
    "doesn't": "not",
    "didn't": "not",
    "can't": "cannot",
    "won't": "not",
    "isn't": "not",
    "colour": "color",
    "cancelled": "canceled",
    "cancelling": "canceling",
    # How shoppers abbreviate in chat (general chat usage, not taken from any question set):
    # the knowledge base's phrasings spell the words out.
    "u": "you",
    "ur": "your",
    "r": "are",
    "pls": "please",
    "plz": "please",
    "bk": "back",
    "pw": "password",
    "pwd": "password",
    "passwd": "password",
    "acct": "account",
    "acc": "account",
    "addy": "address",
    "addr": "address",
    "pkg": "package",
    "pkge": "package",
    "wat": "what",
    "wats": "what",
    "whats": "what",
    "hw": "how",
    "wen": "when",
    "thx": "thanks",
    "tmrw": "tomorrow",
    "info": "information",
    "recieve": "receive",
    "recieved": "received",
    "adress": "address",
    "shiping": "shipping",
}


# Shop concepts: different words, one meaning. A concept adds one strong shared feature to the
# question and to every phrasing that names it, in either language, so paraphrases meet even
# when they share no characters ("receipt" / "invoice", "Germany" / "abroad").
CONCEPTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "abroad": (
        (
            "abroad",
            "overseas",
            "international",
            "internationally",
            "countries",
            "country",
            "foreign",
            "germany",
            "canada",
            "usa",
            "america",
            "uk",
            "britain",
            "france",
            "japan",
            "australia",
            "customs",
            "duties",
            "duty",
        ),
        ("国外", "海外", "国际", "境外", "美国", "加拿大", "德国", "英国", "法国", "日本", "关税"),
    ),
    "invoice": (("invoice", "invoices", "receipt", "receipts", "vat"), ("发票", "收据")),
    "refund": (("refund", "refunds", "refunded", "reimburse"), ("退款", "退钱", "钱退")),
    "ship": (
        ("ship", "ships", "shipping", "shipped", "delivery", "deliver", "delivered", "arrive"),
        ("发货", "配送", "到货", "收到货", "寄"),
    ),
    "cost": (
        ("cost", "costs", "fee", "fees", "charge", "charges", "price", "free"),
        ("运费", "邮费", "包邮", "多少钱", "免运费"),
    ),
    "pay": (
        (
            "pay",
            "paying",
            "payment",
            "payments",
            "paid",
            "checkout",
            "card",
            "cards",
            "paypal",
            "alipay",
            "visa",
            "mastercard",
            "amex",
            "wechat",
        ),
        ("支付", "付款", "付钱", "刷卡", "信用卡"),
    ),
    "size": (("size", "sizes", "sizing", "fit", "fits", "bigger", "smaller"), ("尺码", "大一码")),
    "warranty": (("warranty", "guarantee", "guaranty", "defect"), ("保修", "质保", "保修期")),
    "password": (("password", "login", "log", "signin"), ("密码", "登录", "登陆")),
    "coupon": (
        ("coupon", "coupons", "voucher", "vouchers", "promo", "discount"),
        ("优惠券", "优惠码", "折扣码", "优惠"),
    ),
    "cancel": (("cancel", "canceled", "canceling", "cancellation"), ("取消",)),
    "exchange": (("exchange", "exchanges", "swap"), ("换货", "换一", "换大", "换小", "能换")),
    "return": (("return", "returns", "returning", "returned"), ("退货", "退掉", "可以退", "能退")),
}
CONCEPT_WEIGHT = 3
_EN_CONCEPT = {word: concept for concept, (words, _zh) in CONCEPTS.items() for word in words}


def normalize(text: str) -> str:
    """NFKC (full-width → half-width), lower case, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).lower()
    return " ".join(text.split())


def detect_language(text: str) -> str:
    """``zh-hans`` if the text has Chinese characters in it, ``en`` otherwise."""
    cjk = len(_CJK_CHAR.findall(text))
    latin = len(_LATIN_CHAR.findall(text))
    if cjk and cjk * 3 >= latin:
        return "zh-hans"
    if cjk and not latin:
        return "zh-hans"
    return "en"


def en_words(text: str) -> list[str]:
    words = [_EN_FOLD.get(w, w) for w in _LATIN_WORD.findall(normalize(text))]
    return [w for w in words if w not in EN_STOPWORDS]


def features(text: str) -> Counter[str]:
    """The bag of n-gram features of ``text`` (counts, before weighting)."""
    text = normalize(text)
    bag: Counter[str] = Counter()
    for concept, (_words, zh) in CONCEPTS.items():
        if any(form in text for form in zh):
            bag["k" + concept] = CONCEPT_WEIGHT
    for run in _CJK_RUN.findall(text):
        # Bigrams across a dropped particle still say something ("我的订单" → 我订单).
        chars = "".join(c for c in run if c not in ZH_STOPCHARS) or run
        for n in (1, 2, 3):
            for i in range(len(chars) - n + 1):
                bag["z" + chars[i : i + n]] += 1
    latin_text = _CJK_RUN.sub(" ", text)
    for word in en_words(latin_text):
        bag["w" + word] += 1
        if word in _EN_CONCEPT:
            bag["k" + _EN_CONCEPT[word]] = CONCEPT_WEIGHT
        padded = f" {word} "
        for n in (3, 4, 5):
            for i in range(len(padded) - n + 1):
                gram = padded[i : i + n]
                if gram.strip():
                    bag["c" + gram] += 1
    return bag


# A single Chinese character is a weak clue (鞋 is in half the questions of a shoe shop);
# bigrams and trigrams carry the meaning.
CJK_UNIGRAM_WEIGHT = 0.4


def sublinear(counts: Counter[str]) -> dict[str, float]:
    """1 + log(tf), with single Chinese characters weighted down."""
    out = {}
    for gram, count in counts.items():
        if count > 0:
            weight = 1.0 + math.log(count)
            if gram[0] == "z" and len(gram) == 2:
                weight *= CJK_UNIGRAM_WEIGHT
            out[gram] = weight
    return out
