"""Sentence vectors of the hot-question topic keys, with the bot's embedder, so clusters use
the same embeddings as the bot (docs/metrics.md). The rollup's question import asks for them
after it commits; their own Celery task computes them, written down with the import
(``helpdesk.pending``) so that a task the broker lost is queued again by the pending sweep.
The task lives here, beside what it runs, so that the rollup (``analytics.services``) does
not import ``analytics.tasks``, which imports the services: dependencies run one way."""

from __future__ import annotations

import logging

import numpy as np
from celery import shared_task

from helpdesk.pending import pending_delay

from .models import TopicVector

EMBED_BATCH = 64
EMBED_KEYS = 500
logger = logging.getLogger(__name__)


def topic_vectors_after_commit(questions: dict[str, int]) -> None:
    """Embedding is slow next to the rollup's SQL: the vectors of new topic keys are computed
    by their own Celery task after the import commits (at most ``EMBED_KEYS`` per import).
    The task is written down in the import's transaction (``pending_delay``): a key seen once
    whose task the broker lost would otherwise never get its vector (the next import asks
    only for the keys it brings). ``questions``: topic key → the message id of one question
    fact of that key. The written-down task holds those ids, never the shopper's words: a
    row waiting for a worker outlives an erasure, which clears the facts' text and keys, and
    the task then finds nothing to embed for them."""
    if not questions:
        return
    known = set(
        TopicVector.objects.filter(topic_key__in=list(questions)).values_list(
            "topic_key", flat=True
        )
    )
    todo = [m for k, m in questions.items() if k not in known][:EMBED_KEYS]
    if not todo:
        return
    pending_delay(topic_vectors, message_ids=todo)


def topic_texts(message_ids: list[int]) -> dict[str, str]:
    """Topic key → question of the question facts of these messages, as they are now (an
    erased fact has neither)."""
    from .models import QuestionFact

    rows = QuestionFact.objects.filter(message_id__in=message_ids).exclude(topic_key="")
    return {key: text for key, text in rows.values_list("topic_key", "text") if text}


def topic_vectors_fill(texts: dict[str, str]) -> int:
    """Vectors for topic keys that have none yet, from one question of each (``texts``: key →
    question), with the bot's embedder, so hot-question clusters use the same embeddings as
    the bot. Runs in the rollup (Celery). An embedder that is off or fails leaves the keys
    without vectors (clusters then join them on words alone); the next import tries again.
    Returns how many vectors were stored."""
    from chat.bot.matching.embedder import EmbeddingUnavailable, current_embedder

    embedder = current_embedder()
    if embedder is None or not texts:
        return 0
    have = set(
        TopicVector.objects.filter(topic_key__in=list(texts), model=embedder.name).values_list(
            "topic_key", flat=True
        )
    )
    missing = [key for key in texts if key and key not in have]
    stored = 0
    for start in range(0, len(missing), EMBED_BATCH):
        keys = missing[start : start + EMBED_BATCH]
        try:
            rows = embedder.embed([texts[k] for k in keys])
        except EmbeddingUnavailable as exc:
            logger.warning("topic vectors not computed (clusters use words alone): %s", exc)
            return stored
        for key, row in zip(keys, rows, strict=True):
            TopicVector.objects.update_or_create(
                topic_key=key,
                defaults={
                    "model": embedder.name,
                    "vector": np.asarray(row, dtype="<f4").tobytes(),
                },
            )
            stored += 1
    return stored


@shared_task(name="analytics.topic_vectors")
def topic_vectors(message_ids: list[int] | None = None, texts: dict[str, str] | None = None) -> int:
    """Sentence vectors for new hot-question topic keys, from the question facts of
    ``message_ids`` (``texts``, key → question: a task written down before the ids)."""
    return topic_vectors_fill({**(texts or {}), **topic_texts(message_ids or [])})
