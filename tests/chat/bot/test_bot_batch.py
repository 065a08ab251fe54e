"""The bot's batch (``chat.bot.reply_many``): where the bot is silent anyway (switched off,
assigned, handed over, resolved), a batch of shopper messages costs a few statements in all,
not ~8 per message; the soak's one worker fell behind on exactly that (docs/performance.md,
"The soak's worker and the servers' memory")."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chat.bot import batch, services
from chat.bot.sentiment import sentiment_score
from chat.bot.tasks import bot_reply_many_task
from chat.models import BotState, Message, MessageSentiment
from tests.factories import make_visitor, shopper_says

pytestmark = pytest.mark.django_db

TEXTS = [
    "where is my parcel",
    "This is ridiculous, worst service ever, I am furious!!",
    "thank you so much, that is wonderful",
    "can I change the size",
]


def _messages(django_capture_on_commit_callbacks: Any, shoppers: int) -> list[Message]:
    """Shopper messages committed without their bot task running: each shopper's first, and
    a second one in the first shopper's conversation."""
    with django_capture_on_commit_callbacks(execute=False):
        visitors = [make_visitor() for _ in range(shoppers)]
        sent = [shopper_says(v, TEXTS[i % len(TEXTS)]) for i, v in enumerate(visitors)]
        sent.append(shopper_says(visitors[0], TEXTS[1]))
    return sent


def test_a_silent_batch_costs_statements_per_batch_not_per_message(
    settings: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    settings.HELPDESK_BOT = {"ENABLED": False}
    sent = _messages(django_capture_on_commit_callbacks, 12)
    published: list[int] = []
    monkeypatch.setattr(
        services.events, "publish_conversation", lambda c, **kw: published.append(c.pk)
    )
    with CaptureQueriesContext(connection) as queries:
        bot_reply_many_task([m.pk for m in sent])
    # The messages, their sentiments, the conversations locked with their states, the new
    # states, the changed ones (and the transaction's savepoint): one by one it was 142 for
    # these 13 messages.
    assert len(queries) <= 8, [q["sql"][:60] for q in queries]
    # A badge that changed is still told (one frame each; neutral ones are not).
    moved = {m.conversation_id for m in sent if m.body != TEXTS[0] and m.body != TEXTS[3]}
    assert sorted(published) == sorted(moved)
    scores = dict(MessageSentiment.objects.values_list("message_id", "score"))
    assert scores == {m.pk: pytest.approx(sentiment_score(m.body)) for m in sent}
    states = {s.conversation_id: s for s in BotState.objects.all()}
    assert len(states) == 12
    for m in sent:
        newest = max(x.pk for x in sent if x.conversation_id == m.conversation_id)
        state = states[m.conversation_id]
        assert state.last_message_id == newest
        assert state.last_sentiment == pytest.approx(scores[newest])
        assert state.handed_over_at is None


def test_the_batch_leaves_what_one_by_one_would_leave(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.HELPDESK_BOT = {"ENABLED": False}
    sent = _messages(django_capture_on_commit_callbacks, 4)
    for m in sent:
        services.bot_reply(message_id=m.pk)
    one_by_one = list(BotState.objects.order_by("conversation_id").values_list(
        "last_message_id", "last_sentiment", "cycle_started_at"))  # fmt: skip
    sentiments = list(MessageSentiment.objects.order_by("pk").values_list("pk", "score"))
    BotState.objects.all().delete()
    MessageSentiment.objects.all().delete()
    assert batch.bot_reply_batch([m.pk for m in sent]) == []
    assert one_by_one == list(BotState.objects.order_by("conversation_id").values_list(
        "last_message_id", "last_sentiment", "cycle_started_at"))  # fmt: skip
    assert sentiments == list(MessageSentiment.objects.order_by("pk").values_list("pk", "score"))


def test_a_retried_batch_changes_nothing_and_publishes_a_mood_once(
    settings: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    settings.HELPDESK_BOT = {"ENABLED": False}
    with django_capture_on_commit_callbacks(execute=False):
        calm, angry = make_visitor(), make_visitor()
        # Angry then calm again within one batch: the badge is where it started, no frame.
        a = shopper_says(calm, "This is ridiculous, worst service ever, I am furious!!")
        b = shopper_says(calm, "where is my parcel")
        c = shopper_says(angry, "This is ridiculous, worst service ever, I am furious!!")
    published: list[int] = []
    monkeypatch.setattr(
        services.events, "publish_conversation", lambda c, **kw: published.append(c.pk)
    )
    batch.bot_reply_batch([a.pk, b.pk, c.pk])
    assert published == [c.conversation_id]
    before = list(BotState.objects.order_by("pk").values())
    batch.bot_reply_batch([a.pk, b.pk, c.pk])
    assert published == [c.conversation_id]
    assert list(BotState.objects.order_by("pk").values()) == before


def test_where_the_bot_may_speak_the_message_is_left_to_it(
    kb: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        message = shopper_says(make_visitor(), "what is your return policy")
    assert batch.bot_reply_batch([message.pk]) == [message.pk]
    # Scored already; its state is the bot's to write (bot_reply, which answers).
    assert MessageSentiment.objects.filter(pk=message.pk).exists()
    assert not BotState.objects.filter(last_message_id=message.pk).exists()
    bot_reply_many_task([message.pk])
    assert Message.objects.filter(
        conversation_id=message.conversation_id, sender_kind=Message.SenderKind.BOT
    ).exists()


def test_the_servers_send_the_bots_batches_a_few_times_a_second(monkeypatch: Any) -> None:
    """A server sends the bot's batch every 200 ms: at the soak's rate (25 shopper messages a
    second per server) ~5 tasks a second, not ~20 (every 50 ms), so batches are big enough
    for one worker (docs/performance.md)."""
    import time

    from chat.bot.tasks import bot_batch
    from helpdesk.task_batch import TaskBatch

    sent: list[list[int]] = []
    batch = TaskBatch(bot_batch.task, window=bot_batch.window)
    monkeypatch.setattr(batch.task, "delay", lambda ids: sent.append(list(ids)))
    conf = batch.task.app.conf
    eager = conf.task_always_eager
    conf.task_always_eager = False
    try:
        for n in range(50):  # two seconds at 25 a second
            batch.add(n)
            time.sleep(0.04)
        time.sleep(bot_batch.window + 0.1)
    finally:
        conf.task_always_eager = eager
    assert sorted(i for ids in sent for i in ids) == list(range(50))
    assert len(sent) <= 12, [len(ids) for ids in sent]
