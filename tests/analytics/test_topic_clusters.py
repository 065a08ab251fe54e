"""Hot-question clusters on the bot's embeddings and real Chinese word segmentation:
周末可以发货吗 and 周末发货吗 are one cluster; keywords are words, never
character pairs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from analytics import services as analytics_services
from analytics.models import QuestionFact, TopicVector
from analytics.questions import cluster_keys, tokens, topic_key
from analytics.selectors import ReportFilter, hot_questions
from analytics.selectors.questions import topic_vectors
from analytics.vectors import topic_vectors_fill
from tests.factories import T0, make_visitor, shopper_says

WEEK = ReportFilter(start=T0.date(), end=T0.date() + dt.timedelta(days=6), compare=False)

WEEKEND = ["周末可以发货吗", "周末发货吗", "星期六发货吗"]
INVOICE = ["能开票吗", "可以开发票吗"]
OTHER = ["怎么修改收货地址"]


def test_chinese_keywords_are_words_from_segmentation() -> None:
    assert tokens("周末可以发货吗") == ["周末", "发货"]
    assert tokens("请问你们周末发货吗？") == ["周末", "发货"]
    assert tokens("质保多长时间") == ["质保", "多长时间"]
    # No character-pair fragments of the old bigram keys.
    for fragment in ("末可", "以发", "货吗", "长时"):
        assert fragment not in tokens("周末可以发货吗质保多长时间")
    assert topic_key("周末可以发货吗") == topic_key("周末发货吗") == "发货 周末"


@pytest.mark.django_db
def test_clusters_join_questions_whose_bot_vectors_are_close() -> None:
    texts = {topic_key(q): q for q in [*WEEKEND, *INVOICE, *OTHER]}
    assert len(texts) == 5  # 周末可以发货吗 and 周末发货吗 share a key already
    assert topic_vectors_fill(texts) == 5
    assert topic_vectors_fill(texts) == 0  # stored once
    assert TopicVector.objects.count() == 5
    vectors = topic_vectors(list(texts))
    counts = {key: 10 - i for i, key in enumerate(texts)}
    by_words = cluster_keys(counts)
    assert len(by_words) == 5  # no shared words: words alone join nothing
    clusters = [sorted(members) for _seed, members in cluster_keys(counts, vectors)]
    weekend = sorted({topic_key(q) for q in WEEKEND})
    invoice = sorted({topic_key(q) for q in INVOICE})
    assert weekend in clusters and invoice in clusters
    assert [topic_key(OTHER[0])] in clusters


@pytest.mark.django_db
def test_the_hot_questions_report_uses_them() -> None:
    rows = [
        QuestionFact(at=T0 + dt.timedelta(minutes=i), text=q, topic_key=topic_key(q))
        for i, q in enumerate([*WEEKEND, *WEEKEND, *OTHER])
    ]
    QuestionFact.objects.bulk_create(rows)
    topic_vectors_fill({r.topic_key: r.text for r in rows})
    analytics_services.rollup_rebuild()
    clusters = hot_questions(WEEK)["clusters"]
    counts = sorted(c["count"] for c in clusters)
    assert counts == [1, 6]
    (weekend,) = [c for c in clusters if c["count"] == 6]
    assert set(weekend["examples"]) <= set(WEEKEND)


@pytest.mark.django_db
def test_the_rollup_asks_for_the_vectors_of_new_topic_keys(
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The question import hands new topic keys to the ``analytics.topic_vectors`` task after
    it commits; the keys already known are not embedded again."""
    from chat.models import UnmatchedQuestion

    for text in WEEKEND:
        message = shopper_says(make_visitor(), text)
        UnmatchedQuestion.objects.create(
            conversation_id=message.conversation_id,
            message=message,
            text=text,
            language="zh",
            created_at=message.created_at,
        )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        analytics_services.rollup_tick(lag=dt.timedelta(0))
    assert len(callbacks) >= 1
    keys = {topic_key(q) for q in WEEKEND}
    assert set(TopicVector.objects.values_list("topic_key", flat=True)) == keys


@pytest.mark.django_db
def test_a_topic_vectors_task_the_broker_lost_is_queued_again_by_the_pending_sweep(
    django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    """The import writes the task down (``helpdesk.pending``): its after-commit queueing is
    lost here (never run), the key seen once is not asked for again by later imports, and the
    pending sweep queues it; its run stores the vectors and deletes the row."""
    from chat.models import UnmatchedQuestion
    from helpdesk.models import PendingTask
    from helpdesk.pending import pending_sweep_task

    settings.CELERY_TASK_ALWAYS_EAGER = True
    message = shopper_says(make_visitor(), INVOICE[0])
    UnmatchedQuestion.objects.create(
        conversation_id=message.conversation_id,
        message=message,
        text=INVOICE[0],
        language="zh",
        created_at=message.created_at,
    )
    with django_capture_on_commit_callbacks(execute=False):
        analytics_services.rollup_tick(lag=dt.timedelta(0))
    assert not TopicVector.objects.exists()
    pending = PendingTask.objects.get(task="analytics.topic_vectors")
    assert pending.kwargs == {"message_ids": [message.pk]}

    with django_capture_on_commit_callbacks(execute=True):
        assert pending_sweep_task(grace_seconds=0) == 1

    assert list(TopicVector.objects.values_list("topic_key", flat=True)) == [topic_key(INVOICE[0])]
    assert not PendingTask.objects.exists()


@pytest.mark.django_db
def test_a_written_down_topic_vectors_task_holds_no_shopper_text_through_erasure(
    django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    """A topic-vectors task waiting for a worker (its row in ``helpdesk_pendingtask``) kept
    the shopper's question in its arguments, beyond the customer's erasure. It holds message
    ids now; after the erasure nothing of the question is left in the row and its run embeds
    nothing."""
    from chat.models import UnmatchedQuestion
    from helpdesk.models import PendingTask
    from helpdesk.pending import pending_sweep_task
    from orders.models import Customer
    from orders.privacy import customer_erase

    settings.CELERY_TASK_ALWAYS_EAGER = True
    customer = Customer.objects.create(external_id="erase-me", name="Ema")
    message = shopper_says(make_visitor(customer=customer), INVOICE[1])
    UnmatchedQuestion.objects.create(
        conversation_id=message.conversation_id,
        message=message,
        text=INVOICE[1],
        language="zh",
        created_at=message.created_at,
    )
    with django_capture_on_commit_callbacks(execute=False):
        analytics_services.rollup_tick(lag=dt.timedelta(0))
    customer_erase(customer=Customer.objects.get(pk=customer.pk))

    (row,) = PendingTask.objects.filter(task="analytics.topic_vectors").values_list(
        "kwargs", flat=True
    )
    words = [INVOICE[1], topic_key(INVOICE[1]), *tokens(INVOICE[1])]
    assert not [w for w in words if w in str(row)], row
    with django_capture_on_commit_callbacks(execute=True):
        assert pending_sweep_task(grace_seconds=0) == 1
    assert not TopicVector.objects.exists()
    assert not PendingTask.objects.exists()
