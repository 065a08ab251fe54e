"""Fixtures of the browser tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def pages(browser: Any) -> Iterator[list[Any]]:
    """Browser contexts opened by a test (each one a separate person); closed afterwards."""
    contexts: list[Any] = []
    yield contexts
    for context in contexts:
        context.close()
