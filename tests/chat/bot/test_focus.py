"""What of a long message the in-process model reads (chat/bot/matching/focus.py): short
questions whole; a long one's question sentence with what fits around it, within the budget."""

from __future__ import annotations

import pytest

from chat.bot.matching.embedder import LocalE5Embedder
from chat.bot.matching.focus import QUESTION_TOKENS, question_focus

_model = LocalE5Embedder()
count = _model.token_count


def test_a_short_question_is_read_whole() -> None:
    for text in ["where is my refund", "能开发票吗", "hi"]:
        assert question_focus(text, count) == text


def test_a_long_message_is_cut_to_its_question() -> None:
    text = (
        "hi there, so long story short my cousin recommended your shop and I bought the "
        "trail runners last tuesday, really excited to try them on the weekend. "
        "will they get to me before saturday?"
    )
    assert count(text) > QUESTION_TOKENS
    focus = question_focus(text, count)
    assert count(focus) <= QUESTION_TOKENS
    assert focus.endswith("will they get to me before saturday?")
    assert "hi there" not in focus
    zh = "你好，我上个月在你们店买了一件外套和两双袜子，外套的拉链用了两个星期就坏了，请问这个能保修吗？谢谢"
    assert count(zh) > QUESTION_TOKENS
    focus = question_focus(zh, count)
    assert count(focus) <= QUESTION_TOKENS and "能保修吗" in focus and "谢谢" not in focus


def test_a_question_sentence_too_long_alone_keeps_its_end() -> None:
    text = "can you tell me " + "whether the very nice and comfortable " * 6 + "boots ship fast"
    focus = question_focus(text, count)
    assert count(focus) <= QUESTION_TOKENS and focus.endswith("boots ship fast")


def test_the_bot_embeds_the_focus(monkeypatch: pytest.MonkeyPatch) -> None:
    from chat.bot.matching import embedder

    seen: list[str] = []
    real = embedder._embed_in_time

    def spy(model: object, text: str) -> object:
        seen.append(text)
        return real(model, text)  # type: ignore[arg-type]

    monkeypatch.setattr(embedder, "_embed_in_time", spy)
    text = "hello, I ordered a blue jacket yesterday for my trip next week and my friend says your shipping is slow. how long does delivery take?"
    embedder.embed_question(text)
    assert seen and seen[-1] != text and seen[-1].endswith("how long does delivery take?")
