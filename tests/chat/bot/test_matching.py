"""Matching quality on a fixed labelled set, and the index following knowledge-base edits."""

from __future__ import annotations

from typing import Any

import pytest

from chat.bot.conf import bot_setting
from chat.bot.knowledge_import import demo_items
from chat.bot.matching import detect_language, match_question
from chat.models import KnowledgeEntry, KnowledgeQuestion

from .labelled import LABELLED

KB = demo_items()

pytestmark = pytest.mark.django_db


def _confident(match: Any) -> bool:
    return (
        match.entry_id is not None
        and match.score >= bot_setting("THRESHOLD")
        and match.score - match.runner_up >= bot_setting("MARGIN")
    )


def test_labelled_set_is_big_enough_and_mixed() -> None:
    assert len(LABELLED) >= 60
    languages = {lang for _q, _k, lang in LABELLED}
    assert languages == {"en", "zh-hans"}
    assert sum(1 for _q, key, _l in LABELLED if key is None) >= 10
    # None of the test questions is a phrasing the knowledge base already has.
    phrasings = {p.lower() for item in KB for p in item[5]}
    assert not {q.lower() for q, _k, _l in LABELLED} & phrasings


def test_matching_precision_on_labelled_set(kb: None, capsys: Any) -> None:
    key_of = {
        e.pk: next(k for k, lang, title, *_ in KB if title == e.title and lang == e.language)
        for e in KnowledgeEntry.objects.all()
    }
    answered = correct = positives = true_pos = false_pos_negatives = 0
    misses = []
    for question, expected, language in LABELLED:
        assert detect_language(question) == language, question
        match = match_question(question)
        got = key_of.get(match.entry_id) if match.entry_id else None
        positives += expected is not None
        if _confident(match):
            answered += 1
            if got == expected:
                correct += 1
                true_pos += 1
            else:
                misses.append((question, expected, got, match.score))
                false_pos_negatives += expected is None
    precision = correct / answered
    recall = true_pos / positives
    coverage = answered / len(LABELLED)
    with capsys.disabled():
        print(
            f"\nbot matching on {len(LABELLED)} labelled questions "
            f"(threshold {bot_setting('THRESHOLD')}, margin {bot_setting('MARGIN')}): "
            f"precision {precision:.3f} ({correct}/{answered}), "
            f"recall {recall:.3f} ({true_pos}/{positives}), coverage {coverage:.3f}, "
            f"negatives answered {false_pos_negatives}"
        )
        for miss in misses:
            print(f"  wrong confident answer: {miss}")
    assert precision >= 0.9
    assert recall >= 0.75


def test_index_follows_knowledge_base_changes(kb: None) -> None:
    question = "do you gift wrap presents"
    assert not _confident(match_question(question))
    entry = KnowledgeEntry.objects.create(
        title="Gift wrapping", answer="Yes, for $3 at checkout.", language="en"
    )
    KnowledgeQuestion.objects.create(entry=entry, text="Can you gift wrap my present?")
    match = match_question(question)
    assert match.entry_id == entry.pk and _confident(match)
    entry.active = False
    entry.save()
    assert match_question(question).entry_id != entry.pk


def test_language_is_respected(kb: None) -> None:
    match = match_question("退货政策")
    entry = KnowledgeEntry.objects.get(pk=match.entry_id)
    assert entry.language == "zh-hans" and entry.title == "退货政策"
    match = match_question("return policy")
    assert KnowledgeEntry.objects.get(pk=match.entry_id).language == "en"
