"""helpdesk.task_batch: ids handed over after commit go out as one task per batch."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace
from typing import Any

from helpdesk.task_batch import TaskBatch


class Recorder:
    """Stands in for a Celery task: records each ``delay`` call (the broker is Celery's)."""

    name = "test.recorder"

    def __init__(self, *, eager: bool, fail: bool = False) -> None:
        self.app = SimpleNamespace(conf=SimpleNamespace(task_always_eager=eager))
        self.calls: list[list[Any]] = []
        self.fail = fail
        self.event = threading.Event()

    def delay(self, items: list[Any]) -> None:
        if self.fail:
            raise ConnectionError("broker down")
        self.calls.append(list(items))
        self.event.set()


def test_eager_runs_each_id_at_once() -> None:
    task = Recorder(eager=True)
    batch = TaskBatch(task, window=10)
    batch.add(1)
    batch.add(2)
    assert task.calls == [[1], [2]]


def test_ids_within_a_window_go_as_one_task_in_order() -> None:
    task = Recorder(eager=False)
    batch = TaskBatch(task, window=0.2)
    for n in range(5):
        batch.add(n)
    assert task.event.wait(5)
    time.sleep(0.05)
    assert task.calls == [[0, 1, 2, 3, 4]]


def test_ids_added_one_by_one_within_the_window_still_go_as_one_task() -> None:
    # Each add wakes the sender thread; the batch still waits out its window (steady traffic
    # once sent nearly every id as a task of its own).
    task = Recorder(eager=False)
    batch = TaskBatch(task, window=1.0)
    for n in range(5):
        batch.add(n)
        time.sleep(0.05)
    assert task.event.wait(5)
    time.sleep(0.05)
    assert task.calls == [[0, 1, 2, 3, 4]]


def test_a_full_batch_goes_without_waiting_and_is_split() -> None:
    task = Recorder(eager=False)
    batch = TaskBatch(task, window=30, max_items=3)
    # All seven arrive before the sender thread looks (it waits for the lock): a batch past
    # max_items goes at once, split. (Added one by one, the thread could wake between two
    # adds, send what was full and rightly wait the 30 s window for a partial remainder.)
    with batch.cond:
        for n in range(7):
            batch.add(n)
    deadline = time.monotonic() + 5
    while sum(len(c) for c in task.calls) < 7 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [n for call in task.calls for n in call] == list(range(7))
    assert all(len(call) <= 3 for call in task.calls)


def test_a_broker_failure_is_logged_and_the_next_batch_still_goes(caplog: Any) -> None:
    task = Recorder(eager=False, fail=True)
    batch = TaskBatch(task, window=0.01)
    batch.add(1)
    batch.flush()
    assert "could not queue" in caplog.text
    task.fail = False
    batch.add(2)
    assert task.event.wait(5)
    assert task.calls[-1] == [2]
