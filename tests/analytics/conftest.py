"""Fixtures for the analytics tests: the demo knowledge base with the bot on, and a shopper
asking at a known time."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import at, shopper_says


@pytest.fixture
def kb(db: Any, settings: Any) -> None:
    from chat.bot.knowledge_import import demo_items

    KB = demo_items()

    settings.HELPDESK_BOT = {"ENABLED": True}  # tests/conftest.py turns the bot off
    from chat.bot.knowledge_import import knowledge_base_load
    from chat.bot.matching.index import kb_changed

    knowledge_base_load(items=KB)
    kb_changed()


@pytest.fixture
def ask(django_capture_on_commit_callbacks: Any) -> Any:
    """A shopper message at a known time, then whatever the bot does after commit."""

    def _ask(visitor: Any, text: str, seconds: float) -> Any:
        with at(seconds), django_capture_on_commit_callbacks(execute=True):
            return shopper_says(visitor, text).conversation

    return _ask


@pytest.fixture(autouse=True)
def _english_after_each_test() -> Any:
    """A request in Chinese leaves the language active on the thread (LocaleMiddleware
    activates it and nothing deactivates it): the next test would read Chinese labels."""
    yield
    from django.utils import translation

    translation.deactivate()
