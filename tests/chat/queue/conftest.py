from __future__ import annotations

from collections.abc import Iterator

import pytest

from chat.routing import business_hours, selectors, services


@pytest.fixture(autouse=True)
def _routing_isolation(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Routing tests drive the queue directly: no bot takes the first turn, and no cached
    # schedule or target from an earlier test leaks in.
    monkeypatch.setattr(services, "bot_gates", [])
    business_hours.cache_clear()
    selectors._target_cache.clear()
    selectors._handle_cache.clear()
    yield
    business_hours.cache_clear()
