"""Facts the rollup collects from other areas' tables: unmatched questions, new orders."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from ..conversions import conversion_record
from ..models import QuestionFact
from ..questions import language_of, product_index, products_in, topic_key, unmatched_rows_after
from ..vectors import topic_vectors_after_commit
from .marks import Marks

IMPORT_BATCH = 5000


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
    topic_vectors_after_commit(
        {
            topic_key(r["text"]): r["message_id"]
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
