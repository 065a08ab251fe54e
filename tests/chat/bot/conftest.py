"""Bot test helpers: the demo knowledge base in the database, shoppers that talk to the bot."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from chat.bot.knowledge_import import demo_items, knowledge_base_load
from chat.bot.matching import hybrid
from chat.models import Message
from tests.factories import make_visitor, shopper_says

KB = demo_items()


# Vectors of the demo knowledge base's texts, computed once per test process: each test's
# rows roll back, and embedding ~300 texts per test would cost minutes on a loaded box.
_VECTOR_ROWS: dict[str, tuple[str, int, bytes]] = {}


def kb_with_vectors() -> None:
    """The demo knowledge base with its vectors stored, as the Celery task leaves it."""
    from chat.bot.vectors import kb_vectors_compute
    from chat.models import KnowledgeVector

    if _VECTOR_ROWS:
        KnowledgeVector.objects.bulk_create(
            [
                KnowledgeVector(model=m, digest=d, dim=n, vector=v)
                for d, (m, n, v) in _VECTOR_ROWS.items()
            ],
            ignore_conflicts=True,
        )
    knowledge_base_load(items=KB)
    kb_vectors_compute()
    for row in KnowledgeVector.objects.values_list("digest", "model", "dim", "vector"):
        _VECTOR_ROWS[row[0]] = (row[1], row[2], bytes(row[3]))


@pytest.fixture
def kb(db: Any) -> None:
    kb_with_vectors()


@pytest.fixture
def say(django_capture_on_commit_callbacks: Any) -> Callable[..., list[Message]]:
    """A shopper message, then everything the bot did after commit: returns the messages
    added to the conversation after the shopper's one (bot answers, notes)."""

    def _say(visitor: Any, text: str) -> list[Message]:
        with django_capture_on_commit_callbacks(execute=True):
            message = shopper_says(visitor, text)
        return list(
            Message.objects.filter(
                conversation_id=message.conversation_id, seq__gt=message.seq
            ).order_by("seq")
        )

    return _say


@pytest.fixture
def visitor(db: Any) -> Any:
    return make_visitor()


@pytest.fixture(autouse=True)
def _fresh_index(db: Any) -> None:
    # Each test's knowledge base rolls back; make the process index rebuild from this test's.
    from chat.bot.matching.index import kb_changed

    kb_changed()


@pytest.fixture(autouse=True)
def _bot_on(settings: Any) -> None:
    # tests/conftest.py switches the bot off for the rest of the suite.
    # A generous embedding deadline: on a loaded test box the in-process model can miss the
    # 300 ms one, and the bot would decide on words alone (test_retrieval.py tests that).
    settings.HELPDESK_BOT = {"ENABLED": True, "EMBED_TIMEOUT": 10.0}


@pytest.fixture
def always_suggest() -> Iterator[None]:
    """Thresholds that make every question a "did you mean" (the calibrated ones move when
    the set is refitted; this test is about the buttons)."""
    params = hybrid.Params(
        **{
            **hybrid.current_params().__dict__,
            "thresholds": {
                lang: {mode: {"answer": 1.01, "suggest": 0.0} for mode in ("hybrid", "lexical")}
                for lang in ("en", "zh-hans")
            },
        }
    )
    saved = hybrid._state["params"]
    hybrid._state["params"] = params
    try:
        yield
    finally:
        hybrid._state["params"] = saved
