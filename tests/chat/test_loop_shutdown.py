"""The process's layer loops (the health watch, the agents' list hub) end when their task is
cancelled, even when the channel layer turns the cancellation into another error: otherwise
they retry forever and the event loop never finishes closing (a test run hung there)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from chat import layer_health
from chat.consumers.list_hub import ListHub


class ConvertingLayer:
    """A layer whose waits turn a cancellation into ConnectionError, as a client library may
    when its connection is torn down under it."""

    def __init__(self) -> None:
        self.calls = 0

    async def _wait(self) -> Any:
        self.calls += 1
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            raise ConnectionError("connection closed") from None

    async def new_channel(self, prefix: str = "") -> str:
        return prefix + "x"

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        await self._wait()

    async def receive(self, channel: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._wait()
        return result


async def ends_when_cancelled(task: asyncio.Task[None], layer: ConvertingLayer) -> None:
    for _ in range(100):
        if layer.calls:
            break
        await asyncio.sleep(0.02)
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=3)
    assert done, "the loop kept running after it was cancelled"
    assert task.cancelled()


async def test_the_health_watch_ends_when_cancelled(monkeypatch: pytest.MonkeyPatch) -> None:
    layer = ConvertingLayer()
    monkeypatch.setattr(layer_health, "get_channel_layer", lambda: layer)
    monkeypatch.setattr(layer_health, "PROBE_SECONDS", 0.01)
    task = asyncio.ensure_future(layer_health._Health()._watch())
    await ends_when_cancelled(task, layer)


async def test_the_list_hubs_reader_ends_when_cancelled() -> None:
    layer = ConvertingLayer()
    task = asyncio.ensure_future(ListHub()._read(layer, "agents-hub.x"))
    await ends_when_cancelled(task, layer)
