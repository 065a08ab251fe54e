"""The daily prune of knowledge-base vectors: in Celery beat's schedule and in the embedded
default's beat, and what it deletes (vectors of edited or deleted texts only)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from chat.bot.tasks import kb_vectors_prune_task
from chat.bot.vectors import text_digest
from chat.models import KnowledgeQuestion, KnowledgeVector
from helpdesk import embedded_beat

DAY = 24 * 3600.0


def test_the_prune_is_scheduled_in_beat_and_in_the_embedded_beat() -> None:
    jobs = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == kb_vectors_prune_task.name
    ]
    assert len(jobs) == 1 and float(jobs[0]["schedule"]) == DAY
    # The embedded default's beat runs this scheduler: the job is in it, its task known.
    entries = embedded_beat.scheduler().schedule
    names = {entry.task for entry in entries.values()}
    assert kb_vectors_prune_task.name in names
    entry = next(e for e in entries.values() if e.task == kb_vectors_prune_task.name)
    assert entry.schedule.run_every.total_seconds() == DAY


@pytest.mark.django_db
def test_the_task_deletes_only_vectors_no_active_text_uses(kb: None, settings: Any) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True
    question = KnowledgeQuestion.objects.filter(entry__key="returns", entry__language="en").first()
    assert question is not None
    old_text = question.text
    removed_text = KnowledgeQuestion.objects.filter(
        entry__key="invoice", entry__language="en"
    ).first()
    assert removed_text is not None
    gone = removed_text.text
    question.text = "Can I hand back something I bought last week?"
    question.save()
    removed_text.delete()
    before = KnowledgeVector.objects.count()
    stale = KnowledgeVector.objects.filter(digest__in=[text_digest(old_text), text_digest(gone)])
    assert stale.count() == 2

    assert kb_vectors_prune_task.delay().get() == 2

    assert KnowledgeVector.objects.count() == before - 2
    assert not stale.exists()
    # A second run finds nothing more to delete.
    assert kb_vectors_prune_task.delay().get() == 0


def test_the_sweep_is_scheduled_in_beat_and_in_the_embedded_beat() -> None:
    from chat.bot.tasks import kb_vectors_sweep_task

    jobs = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == kb_vectors_sweep_task.name
    ]
    assert len(jobs) == 1
    names = {entry.task for entry in embedded_beat.scheduler().schedule.values()}
    assert kb_vectors_sweep_task.name in names


@pytest.mark.django_db
def test_the_sweep_queues_again_an_entry_whose_vectors_task_was_lost(
    kb: None, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """An entry saved while the broker was down: its after-commit task never ran, so its
    texts have no vector. The beat's sweep finds the entry and queues its task (eager here),
    which stores them; the next sweep finds nothing."""
    from chat.bot.matching.embedder import current_embedder
    from chat.bot.tasks import kb_vectors_sweep_task
    from chat.models import KnowledgeEntry

    settings.CELERY_TASK_ALWAYS_EAGER = True
    embedder = current_embedder()
    assert embedder is not None
    assert kb_vectors_sweep_task.delay().get() == 0  # the demo knowledge base has its vectors
    # The save's task is lost: its on-commit callback is captured and never run.
    with django_capture_on_commit_callbacks(execute=False) as lost:
        entry = KnowledgeEntry.objects.create(
            key="gift_wrap", title="Gift wrapping", answer="Yes, for 2 EUR.", language="en"
        )
        KnowledgeQuestion.objects.create(entry=entry, text="Can you wrap it as a present?")
    assert lost  # the vectors task was to be queued after commit
    texts = [text_digest("Gift wrapping"), text_digest("Can you wrap it as a present?")]
    stored = KnowledgeVector.objects.filter(model=embedder.name, digest__in=texts)
    assert not stored.exists()

    assert kb_vectors_sweep_task.delay().get() == 1

    assert stored.count() == 2
    assert kb_vectors_sweep_task.delay().get() == 0
