"""The knowledge base's data file, stable keys and stored vectors (a real Celery worker embeds
an entry's texts after it is saved)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.db import connection

from chat.bot.knowledge_import import (
    KnowledgeFileError,
    demo_items,
    knowledge_base_load,
    knowledge_file_read,
)
from chat.bot.matching.embedder import current_embedder
from chat.bot.vectors import kb_vectors_compute, text_digest, vectors_for
from chat.models import KnowledgeEntry, KnowledgeQuestion, KnowledgeVector
from tests.procs import celery_worker, server_env

TODAY_KEYS = {
    "shipping_time",
    "shipping_cost",
    "shipping_international",
    "returns",
    "refunds",
    "exchange",
    "sizes",
    "payment_methods",
    "payment_failed",
    "warranty",
    "cancel",
    "address",
    "invoice",
    "coupon",
    "password",
    "damaged",
}


def test_demo_file_keeps_todays_topic_keys_in_both_languages() -> None:
    items = demo_items()
    for language in ("en", "zh-hans"):
        assert {i.key for i in items if i.language == language} == TODAY_KEYS
    assert all(i.phrasings and i.answer and i.title for i in items)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("[[entry]]\nkey = 'a'\nlanguage = 'en'\ntitle = 'A'\n", "lacks 'answer'"),
        ("[[entry]]\nkey='a'\nlanguage='fr'\ntitle='A'\nanswer='x'\n", "language fr"),
        ("[[entry]]\nkey = 'a\n", "a.toml"),
        (
            "[[entry]]\nkey='a'\nlanguage='en'\ntitle='A'\nanswer='x'\n" * 2,
            "a twice in en",
        ),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_error(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "a.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(KnowledgeFileError, match=error):
        knowledge_file_read(path)


@pytest.mark.django_db
def test_keys_survive_edits_and_reloads() -> None:
    knowledge_base_load(items=demo_items())
    entry = KnowledgeEntry.objects.get(key="returns", language="en")
    entry.title = "Returns, the policy"
    entry.save()
    assert knowledge_base_load(items=demo_items()) == 0
    entry.refresh_from_db()
    assert entry.key == "returns"
    assert KnowledgeEntry.objects.filter(language="en").count() == len(TODAY_KEYS)
    # A new entry gets a key from its title, or a random one for a Chinese title.
    assert KnowledgeEntry.objects.create(title="Gift wrap!", answer="Yes").key == "gift-wrap"
    chinese = KnowledgeEntry.objects.create(title="礼品包装", answer="可以", language="zh-hans")
    assert chinese.key.startswith("entry-")


@pytest.mark.django_db
def test_vectors_are_stored_once_per_text_and_follow_edits() -> None:
    embedder = current_embedder()
    assert embedder is not None
    entry = KnowledgeEntry.objects.create(title="Gift wrapping", answer="Yes, $3.")
    KnowledgeQuestion.objects.create(entry=entry, text="Can you gift wrap my present?")
    assert kb_vectors_compute(entry_ids=[entry.pk]) == 2
    assert kb_vectors_compute(entry_ids=[entry.pk]) == 0
    stored = vectors_for(["Can you gift wrap my present?"], model=embedder.name)
    vector = stored["Can you gift wrap my present?"]
    assert vector.shape == (384,)
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-3
    # An edited phrasing is embedded; the untouched title is not embedded again.
    KnowledgeQuestion.objects.filter(entry=entry).update(text="Do you wrap gifts?")
    assert kb_vectors_compute(entry_ids=[entry.pk]) == 1
    # Paraphrases land closer than unrelated text.
    question = embedder.embed(["could you wrap it as a present"])[0]
    other = embedder.embed(["how do I reset my password"])[0]
    assert float(question @ vector) > float(other @ vector)


@pytest.fixture
def worker() -> Iterator[Any]:
    env = server_env(connection.settings_dict["NAME"])
    with celery_worker(env, "kb-vectors-test") as proc:
        yield proc


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_embeds_an_entry_after_it_is_saved(worker: Any, settings: Any) -> None:
    from helpdesk.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    try:
        entry = KnowledgeEntry.objects.create(title="Gift wrapping", answer="Yes, $3.")
        KnowledgeQuestion.objects.create(entry=entry, text="Can you gift wrap my present?")
        digests = {text_digest("Gift wrapping"), text_digest("Can you gift wrap my present?")}
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if KnowledgeVector.objects.filter(digest__in=digests).count() == 2:
                break
            time.sleep(0.3)
        else:
            pytest.fail("the worker stored no vectors for the saved entry")
        embedder = current_embedder()
        assert embedder is not None
        assert set(
            KnowledgeVector.objects.filter(digest__in=digests).values_list("model", flat=True)
        ) == {embedder.name}
    finally:
        app.conf.task_always_eager = True
