"""After-commit tasks written down with their change (helpdesk/pending.py): one lost on the
way is run by the beat's sweep, once. In process: the test's transaction never commits, so
the after-commit queueing never happens, which is what a broker that was down leaves behind (a
written-down task and no effect); tests/faults/test_pending_recovery.py loses them to a real
Redis ``kill -9``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from chat.models import AutomationRule, AutomationRun, Conversation, Message
from chat.order_notices import order_notice_task
from helpdesk.models import PendingTask
from helpdesk.pending import (
    MAX_ATTEMPTS,
    pending_delay,
    pending_lost,
    pending_run_task,
    pending_sweep_task,
)
from orders import services as order_services
from tests.factories import (
    conversation_of,
    customer_with_orders,
    make_visitor,
    shopper_says,
    verified_visitor,
)
from tests.faults.pending_tasks import flaky_task

pytestmark = [pytest.mark.django_db]


def _age(seconds: float = 120) -> None:
    PendingTask.objects.update(queued_at=timezone.now() - dt.timedelta(seconds=seconds))


def test_a_lost_automation_run_is_swept_once() -> None:
    AutomationRule.objects.create(
        name="urgent",
        event=AutomationRule.Trigger.MESSAGE_CREATED,
        conditions=[{"type": "message_contains", "any": ["refund"]}],
        actions=[{"type": "priority", "priority": "urgent"}],
    )
    message = shopper_says(make_visitor(), "I want a refund")
    [pending] = PendingTask.objects.all()
    assert pending.task == "chat.automation.run" and pending.kwargs["message_id"] == message.pk
    assert not AutomationRun.objects.exists()  # its task never reached a worker
    # Within the grace its run may still be on the way: left alone.
    assert pending_sweep_task.delay(grace_seconds=60).get() == 0

    _age()
    assert pending_sweep_task.delay(grace_seconds=60).get() == 1  # eager in tests
    assert AutomationRun.objects.count() == 1
    conversation = Conversation.objects.get(pk=message.conversation_id)
    assert conversation.priority == Conversation.Priority.URGENT
    assert not PendingTask.objects.exists()
    # A late original (or a second worker) finds nothing to do; the next sweep nothing left.
    pending_run_task.delay(pending.pk)
    _age()
    assert pending_sweep_task.delay(grace_seconds=60).get() == 0
    assert AutomationRun.objects.count() == 1


def test_a_lost_order_notice_is_swept_once() -> None:
    customer = customer_with_orders(n=1)
    conversation = conversation_of(verified_visitor(customer), "Where is my order?")
    order_services.order_status_set(external_id="c-1-o0", status="cancelled")
    [pending] = PendingTask.objects.filter(task="chat.order_notice")
    assert pending.kwargs["kind"] == "order.cancelled"
    notices = Message.objects.filter(conversation=conversation, sender_kind="system")
    assert not notices.exists()
    _age()
    assert pending_sweep_task.delay(grace_seconds=60).get() >= 1
    assert notices.count() == 1 and "cancelled" in notices.get().body
    # Run again with the same arguments (a worker killed before the row's delete): one notice.
    pending_delay(order_notice_task, **pending.kwargs)
    _age()
    pending_sweep_task.delay(grace_seconds=60)
    assert notices.count() == 1


def test_a_failing_task_is_retried_by_the_sweep_and_given_up(settings: Any) -> None:
    pending_delay(flaky_task, key="a")
    [row] = PendingTask.objects.all()
    runs = 0
    for _ in range(MAX_ATTEMPTS + 2):
        _age()
        runs += pending_sweep_task.delay(grace_seconds=60).get()
    assert runs == MAX_ATTEMPTS  # each run failed; the last sweep's gave it up
    assert not PendingTask.objects.filter(pk=row.pk).exists()


def test_the_sweep_takes_each_row_once_per_grace() -> None:
    pending_delay(flaky_task, key="b")
    _age()
    assert len(pending_lost(grace_seconds=60)) == 1
    assert pending_lost(grace_seconds=60) == []  # taken: it waits a grace again
    assert PendingTask.objects.get().attempts == 1


def test_the_sweep_is_scheduled_every_minute() -> None:
    from django.conf import settings

    jobs = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "helpdesk.pending_sweep"
    ]
    assert len(jobs) == 1 and float(jobs[0]["schedule"]) == 60.0
