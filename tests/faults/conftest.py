"""The fault suite shares one world (tests/faults/stack.py) for the whole session: a cluster
and two servers cost some 30 s to start, and every scenario leaves them healthy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .stack import Stack, stack


@pytest.fixture(scope="session")
def world() -> Iterator[Stack]:
    with stack(worker=True) as started:
        yield started
