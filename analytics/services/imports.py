"""Facts the rollup collects from other areas' tables: unmatched questions, new orders."""

from __future__ import annotations

import datetime as dt
import logging

import numpy as np
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..conversions import conversion_record
from ..models import QuestionFact, TopicVector
from ..questions import language_of, product_index, products_in, topic_key, unmatched_rows_after
from .marks import Marks

IMPORT_BATCH = 5000
EMBED_BATCH = 64
EMBED_KEYS = 500
logger = logging.getLogger(__name__)


def _topic_vectors_after_commit(texts: dict[str, str]) -> None:
    """Embedding is slow next to the rollup's SQL: the vectors of new topic keys are computed
    by their own Celery task after the import commits (at most ``EMBED_KEYS`` per import)."""
    if not texts:
        return
    known = set(
        TopicVector.objects.filter(topic_key__in=list(texts)).values_list("topic_key", flat=True)
    )
    todo = {k: v for k, v in texts.items() if k not in known}
    if not todo:
        return
    todo = dict(list(todo.items())[:EMBED_KEYS])
    from ..tasks import topic_vectors

    transaction.on_commit(lambda: topic_vectors.delay(todo), robust=True)


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


def questions_import(*, marks: Marks, lag: dt.timedelta) -> int:
    """Copy the bot's new unmatched questions into question facts (topic key, products they
    name). Rows younger than ``lag`` are read again next time (unique on the message, so a
    second copy is ignored). Returns the number of rows read."""
    rows = unmatched_rows_after(marks.get("unmatched"), IMPORT_BATCH)
    if not rows:
        return 0
    from chat.models import Conversation

    conversations = Conversation.objects.filter(pk__in={r["conversation_id"] for r in rows})
    teams = dict(conversations.values_list("pk", "team_id"))
    # A question of an already erased customer comes in anonymous (``analytics.privacy``).
    erased = set(
        conversations.filter(
            Q(customer__erased_at__isnull=False) | Q(visitor__customer__erased_at__isnull=False)
        ).values_list("pk", flat=True)
    )
    index = product_index()
    QuestionFact.objects.bulk_create(
        [
            QuestionFact(
                at=r["created_at"],
                conversation_id=r["conversation_id"],
                message_id=r["message_id"],
                team_id=teams.get(r["conversation_id"]),
                text=r["text"][:300],
                language=language_of(r["text"]),
                topic_key=topic_key(r["text"]),
                products=products_in(r["text"], index),
            )
            if r["conversation_id"] not in erased
            else QuestionFact(
                at=r["created_at"],
                conversation_id=r["conversation_id"],
                message_id=r["message_id"],
                team_id=teams.get(r["conversation_id"]),
                language=language_of(r["text"]),
            )
            for r in rows
        ],
        ignore_conflicts=True,
    )
    _topic_vectors_after_commit(
        {
            topic_key(r["text"]): r["text"][:300]
            for r in rows
            if r["conversation_id"] not in erased and topic_key(r["text"])
        }
    )
    cutoff = timezone.now() - lag
    settled = [r["pk"] for r in rows if r["created_at"] <= cutoff]
    if len(rows) == IMPORT_BATCH:
        settled.append(rows[-1]["pk"])
    if settled:
        marks.set("unmatched", max(settled))
    return len(rows)


def conversions_scan(*, marks: Marks) -> int:
    """Record the conversions of orders imported since the last run.

    Orders arrive through the shop's integration API in bulk, without a domain event, so the
    rollup reads new order rows by id. Each id is read by two runs (an order committed late
    behind a higher id is not missed); ``conversion_record`` is idempotent."""
    from orders.models import Order

    rows = list(
        Order.objects.filter(pk__gt=marks.get("orders"))
        .exclude(status=Order.Status.CANCELLED)
        .order_by("pk")
        .values("pk", "customer_id", "placed_at", "total")[:IMPORT_BATCH]
    )
    for row in rows:
        conversion_record(
            order_id=row["pk"],
            customer_id=row["customer_id"],
            placed_at=row["placed_at"],
            total=row["total"],
        )
    seen = marks.get("orders_seen")
    newest = rows[-1]["pk"] if rows else seen
    marks.set("orders", max(marks.get("orders"), min(seen, newest)))
    marks.set("orders_seen", newest)
    return len(rows)
