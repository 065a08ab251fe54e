"""Fixtures shared by the chat areas: a local LibreTranslate server (translation, and the bot
matching a question through it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.providers import LibreTranslateApi, provider_server


@pytest.fixture
def libretranslate(settings: Any) -> Iterator[LibreTranslateApi]:
    """A LibreTranslate server on a free loopback port, and the desk pointed at it."""
    api = LibreTranslateApi(api_key="lt-key")
    with provider_server(api) as url:
        settings.HELPDESK_TRANSLATION = {
            **settings.HELPDESK_TRANSLATION,
            "PROVIDER": "libretranslate",
            "URL": url,
            "API_KEY": "lt-key",
            "TIMEOUT": 2.0,
            "RETRIES": 2,
            "BACKOFF_SECONDS": 0.1,
            "DESK_LANGUAGE": "en",
        }
        yield api
