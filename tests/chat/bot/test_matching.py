"""The bot's decisions on a fixed labelled set (fails CI on regression), and the index
following knowledge-base edits."""

from __future__ import annotations

from typing import Any

import pytest

from chat.bot.knowledge_import import demo_items
from chat.bot.matching import detect_language, match_question
from chat.bot.matching.hybrid import decide
from chat.bot.vectors import kb_vectors_compute
from chat.models import KnowledgeEntry, KnowledgeQuestion

from .labelled import LABELLED

KB = demo_items()

pytestmark = pytest.mark.django_db


# The fixed set's floor: CI fails when the bot's retrieval regresses below it. Measured with
# the calibration of chat/bot/matching/calibration.json (docs/bot.md has the figures):
# precision 1.000 (56/56), recall 1.000 (56/56), answered or suggested 1.000, no negative
# answered (before the per-language calibration and the richer demo phrasings: 0.982 / 0.964 /
# 0.982 / 0). Each floor leaves room for one question to change sides.
MIN_PRECISION = 0.98
MIN_RECALL = 0.98
MIN_COVERED = 0.98
MAX_NEGATIVES_ANSWERED = 1
# Words alone (embedder down): measured recall en 0.912 (31/34), zh 0.682 (15/22), one Chinese
# negative answered, precision en 0.969, zh 0.938. Before: en 0.882, zh 0.409.
WORDS_ALONE_MIN_RECALL = {"en": 0.85, "zh-hans": 0.6}


def test_labelled_set_is_big_enough_and_mixed() -> None:
    assert len(LABELLED) >= 60
    languages = {lang for _q, _k, lang in LABELLED}
    assert languages == {"en", "zh-hans"}
    assert sum(1 for _q, key, _l in LABELLED if key is None) >= 10
    # None of the test questions is a phrasing the knowledge base already has.
    phrasings = {p.lower() for item in KB for p in item[5]}
    assert not {q.lower() for q, _k, _l in LABELLED} & phrasings


def test_decisions_on_the_fixed_labelled_set(kb: None, capsys: Any) -> None:
    """The bot's own decision (hybrid retrieval, calibrated thresholds) on 68 questions that
    are not phrasings of the knowledge base."""
    answered = right = positives = covered = negatives_answered = 0
    misses = []
    for question, expected, language in LABELLED:
        assert detect_language(question) == language, question
        decision = decide(question)
        assert decision.semantic is not None, question  # the in-process model answered
        positives += expected is not None
        got = decision.entry.key if decision.entry else None
        offered = [s.key for s in decision.suggestions] if decision.decision == "suggest" else []
        if expected is not None and (got == expected or expected in offered):
            covered += 1
        if decision.decision == "answer":
            answered += 1
            if got == expected:
                right += 1
            else:
                misses.append((question, expected, got, round(decision.score, 3)))
                negatives_answered += expected is None
    precision = right / answered
    recall = right / positives
    with capsys.disabled():
        print(
            f"\nbot decisions on {len(LABELLED)} labelled questions: precision {precision:.3f} "
            f"({right}/{answered}), recall {recall:.3f} ({right}/{positives}), right entry "
            f"answered or suggested {covered / positives:.3f}, negatives answered "
            f"{negatives_answered}"
        )
        for miss in misses:
            print(f"  wrong answer: {miss}")
    assert precision >= MIN_PRECISION
    assert recall >= MIN_RECALL
    assert covered / positives >= MIN_COVERED
    assert negatives_answered <= MAX_NEGATIVES_ANSWERED


def test_words_alone_on_the_fixed_labelled_set(
    kb: None, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fallback when the embedder is down or late: words alone, with their own calibration
    per language. Its Chinese recall had fallen to a quarter of the answerable questions
    (one calibration for both languages, thin phrasings)."""
    monkeypatch.setenv("HELPDESK_EMBEDDER", "off")
    figures = {}
    for language in ("en", "zh-hans"):
        questions = [(q, k) for q, k, lang in LABELLED if lang == language]
        decisions = [(k, decide(q, language=language)) for q, k in questions]
        assert all(d.semantic is None for _k, d in decisions)
        answered = [(k, d.entry.key) for k, d in decisions if d.decision == "answer" and d.entry]
        positives = sum(1 for k, _d in decisions if k is not None)
        right = sum(1 for k, got in answered if k == got)
        figures[language] = (
            right / positives,
            sum(1 for k, _got in answered if k is None),
            right / len(answered) if answered else 1.0,
        )
    with capsys.disabled():
        print(f"\nwords alone (recall, negatives answered, precision): {figures}")
    for language, (recall, negatives, precision) in figures.items():
        assert recall >= WORDS_ALONE_MIN_RECALL[language], language
        assert negatives <= 1 and precision >= 0.9, language


def test_old_matcher_still_runs_for_the_benchmark(kb: None) -> None:
    match = match_question("what's the policy for returns")
    assert KnowledgeEntry.objects.get(pk=match.entry_id).key == "returns"


def test_index_follows_knowledge_base_changes(kb: None) -> None:
    question = "do you gift wrap presents"
    assert decide(question).decision != "answer"
    entry = KnowledgeEntry.objects.create(
        title="Gift wrapping", answer="Yes, for $3 at checkout.", language="en"
    )
    KnowledgeQuestion.objects.create(entry=entry, text="Can you gift wrap my present?")
    kb_vectors_compute(entry_ids=[entry.pk])  # what the Celery task does after commit
    decision = decide(question)
    assert decision.decision == "answer"
    assert decision.entry is not None and decision.entry.key == "gift-wrapping"
    entry.active = False
    entry.save()
    assert all(s.key != "gift-wrapping" for s in decide(question).suggestions)


def test_language_is_respected(kb: None) -> None:
    decision = decide("退货政策")
    assert decision.entry is not None
    assert (decision.entry.language, decision.entry.key) == ("zh-hans", "returns")
    decision = decide("return policy")
    assert decision.entry is not None and decision.entry.language == "en"


@pytest.mark.parametrize(
    "question",
    [
        "能帮我把账号注销掉吗",
        "can I come and pick the parcel up myself",
        "可以到店自提吗",
    ],
)
def test_asks_near_an_entry_but_outside_the_knowledge_base_are_not_answered(
    kb: None, question: str
) -> None:
    """Account deletion is not a password reset, collecting in person is not an address change:
    out-of-scope examples of those kinds keep the bot from answering them with the entry whose
    words they share (each was answered so on an earlier held-out set)."""
    decision = decide(question)
    assert decision.semantic is not None
    assert decision.decision != "answer", (decision.entry, decision.score)
