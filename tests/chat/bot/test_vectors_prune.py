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
