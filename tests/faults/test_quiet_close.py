"""A socket whose client is gone before the server gets round to closing it is not a
traceback: the shopper's auth timer firing on such a socket (its disconnect still queued
behind a busy server) logged "Task exception was never retrieved" with a traceback, 3,518
times in one soak's server log (docs/performance.md, Faults and soak)."""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.utils import ClientDisconnected

from chat.consumers.visitor import VisitorConsumer


async def test_the_auth_timer_on_a_gone_client_is_quiet() -> None:
    consumer = VisitorConsumer()
    consumer.actor = None
    closes: list[int] = []

    async def gone(code: Any = None) -> None:
        closes.append(code)
        raise ClientDisconnected()

    consumer.close = gone  # type: ignore[method-assign]
    await consumer._auth_timeout()  # raised ClientDisconnected before
    assert closes == [4401]
