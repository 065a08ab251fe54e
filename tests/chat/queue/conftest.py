from __future__ import annotations

from collections.abc import Iterator

import pytest

from chat.routing import services


@pytest.fixture(autouse=True)
def _routing_isolation(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Routing tests drive the queue directly: no bot takes the first turn. (Cached schedules
    # and targets are reset for every test by tests/conftest.py.)
    monkeypatch.setattr(services, "bot_gates", [])
    yield
