"""Language detection (chat/translation/detect.py) on the labelled set the bench uses."""

from __future__ import annotations

import pytest

from bench.translation_detect import HELD_OUT, labelled, score
from chat.translation.detect import detect_language


def test_the_labelled_set_is_detected_without_a_wrong_guess() -> None:
    result = score(detect_language, labelled())
    # Measured 70/70 (bench/translation_detect.py); a declined guess costs little (the
    # conversation's known language is used), a wrong one translates into the wrong language.
    assert result["wrong"] == 0, result["mistakes"]
    assert result["accuracy"] >= 0.95, result["mistakes"]
    assert result["short_declined"] == result["short"], "a too-short text was guessed"


def test_the_held_out_set_too() -> None:
    # Measured 35/35 and 6/6: texts written after the thresholds were set.
    result = score(detect_language, labelled(HELD_OUT))
    assert result["wrong"] == 0, result["mistakes"]
    assert result["accuracy"] >= 0.95, result["mistakes"]
    assert result["short_declined"] == result["short"], "a too-short text was guessed"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("我的iPhone 15 什么时候到", "zh"),
        ("Nike Air Max 有没有42码", "zh"),
        ("I want to order 饺子 please, do you have them?", "en"),
        ("iPhoneケースの在庫はありますか", "ja"),
        ("ok", None),
        ("👍", None),
        ("https://shop.example/p/123", None),
        ("Wo ist meine Bestellung? https://shop.example/o/1", "de"),
    ],
)
def test_mixed_and_short_texts(text: str, language: str | None) -> None:
    assert detect_language(text) == language
