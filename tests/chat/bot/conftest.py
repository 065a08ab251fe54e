"""Bot test helpers: the demo knowledge base in the database, shoppers that talk to the bot."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from chat.bot.knowledge_import import demo_items, knowledge_base_load
from chat.models import Message
from tests.factories import make_visitor, shopper_says

KB = demo_items()


@pytest.fixture
def kb(db: Any) -> None:
    knowledge_base_load(items=KB)


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
    settings.HELPDESK_BOT = {"ENABLED": True}
