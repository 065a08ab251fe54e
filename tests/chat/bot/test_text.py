"""Sentiment scores and intent detection in English and Chinese."""

from __future__ import annotations

import pytest

from chat.bot.intents import asks_about_order, asks_to_close_account, order_numbers, wants_human
from chat.bot.matching import detect_language, features
from chat.bot.sentiment import sentiment_score


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("This is the worst service ever, I am furious", -1.0, -0.6),
        ("I'm not happy with this at all", -0.8, -0.2),
        ("not bad, thanks", 0.2, 1.0),
        ("Thank you so much, great help!", 0.6, 1.0),
        ("How long does shipping take?", 0.0, 0.0),
        ("太差了，我要投诉！", -1.0, -0.7),
        ("非常失望", -1.0, -0.6),
        ("不满意", -1.0, -0.3),
        ("不错，谢谢", 0.5, 1.0),
        ("我不生气", 0.0, 0.8),
        ("多久发货？", 0.0, 0.0),
        ("THIS IS TERRIBLE", -1.0, -0.75),
    ],
)
def test_sentiment(text: str, low: float, high: float) -> None:
    assert low <= sentiment_score(text) <= high


def test_negation_flips_and_intensity_sharpens() -> None:
    assert sentiment_score("good") > 0 > sentiment_score("not good")
    assert sentiment_score("very disappointed") < sentiment_score("disappointed") < 0
    assert sentiment_score("很满意") > 0 > sentiment_score("不满意")


@pytest.mark.parametrize(
    "text",
    [
        "转人工",
        "人工",
        "我要找真人",
        "联系客服",
        "human",
        "Agent please",
        "talk to a person",
        "can I speak with someone",
        "are you a bot?",
        "I want a real person",
    ],
)
def test_wants_human(text: str) -> None:
    assert wants_human(text)


@pytest.mark.parametrize(
    "text",
    ["how long does shipping take", "退货政策", "what is your return policy", "I like humanity"],
)
def test_does_not_want_human(text: str) -> None:
    assert not wants_human(text)


@pytest.mark.parametrize(
    "text",
    [
        "delete my account",
        "Please close my account permanently",
        "erase all my personal data",
        "I'd like my account deleted",
        "right to be forgotten (GDPR)",
        "注销账号",
        "不想用了，账号怎么注销",
        "请删除我的个人信息",
    ],
)
def test_closing_an_account_goes_to_a_person(text: str) -> None:
    # Not the password entry (which shares "account"): a person verifies and erases.
    assert asks_to_close_account(text) and wants_human(text)


@pytest.mark.parametrize(
    "text",
    [
        "I have forgotten my password",
        "my account is locked",
        "how do I change the email on my account",
        "remove the card from my account",
        "cancel my order",
        "忘记密码了",
        "账号登录不了",
    ],
)
def test_account_questions_are_not_closing_requests(text: str) -> None:
    assert not asks_to_close_account(text)


@pytest.mark.parametrize(
    "text",
    [
        "where is my order",
        "Where's my package?",
        "track my parcel",
        "order status please",
        "我的订单到哪了",
        "快递到哪了",
        "查一下物流",
        "my order hasn't arrived",
    ],
)
def test_order_questions(text: str) -> None:
    assert asks_about_order(text)


@pytest.mark.parametrize("text", ["how long does shipping take", "how do I cancel", "多久发货"])
def test_not_order_questions(text: str) -> None:
    assert not asks_about_order(text)


def test_order_numbers() -> None:
    assert order_numbers("where is order #10042?") == ["10042"]
    assert order_numbers("订单号SO-1001到哪了") == ["SO-1001"]
    assert order_numbers("order ＃１２３４５") == ["12345"]  # full-width
    assert order_numbers("I ordered 3 pairs") == []


def test_language_and_features() -> None:
    assert detect_language("我的订单到哪了") == "zh-hans"
    assert detect_language("iPhone 退货") == "zh-hans"
    assert detect_language("where is my order") == "en"
    bag = features("退货政策")
    assert "z退货" in bag and "z退货政" in bag and "kreturn" in bag
    # A typo still shares most of the word's grams.
    typo, right = features("refnud"), features("refund")
    assert len(set(typo) & set(right)) >= 3


def test_chat_abbreviations_reach_the_spelled_out_words() -> None:
    """Shoppers write "pw", "ur", "bk", "amex"; the knowledge base spells the words out."""
    from chat.bot.matching.lexical import tokens

    assert "w:password" in tokens("forgot my pw")
    assert "w:back" in tokens("how do i send it bk")
    assert "w:address" in tokens("wrong addy on the order")
    assert "k:pay" in tokens("is amex ok")
    assert "k:pay" in tokens("do u take visa")
