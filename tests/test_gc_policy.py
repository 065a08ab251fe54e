"""The server's garbage-collection policy (helpdesk/gc_policy.py) and what it relies on: a closed
visitor socket is freed by reference counting, so freezing live sockets leaks nothing when
they close; frozen survivors keep full collections small; frozen cyclic garbage is reclaimed
once the frozen set has grown enough."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from chat import services
from chat.access import Actor
from helpdesk.asgi import application
from helpdesk.gc_policy import GcPolicy
from tests.factories import make_visitor, visitor_token

ORIGIN = (b"origin", b"http://127.0.0.1:8000")

SOCKET_TYPES = ("chat.consumers", "chat.outbox", "channels.")


@pytest.fixture
def collector() -> Iterator[None]:
    """The collector as the test process has it (everything loaded frozen), again after."""
    yield
    gc.set_debug(0)
    gc.garbage.clear()
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _tokens(count: int, *, with_conversation: int = 0) -> list[str]:
    tokens = []
    for n in range(count):
        visitor = make_visitor()
        if n < with_conversation:
            services.message_send(actor=Actor(visitor=visitor), client_id=f"c-{n}", body="hi")
        tokens.append(visitor_token(visitor))
    return tokens


async def _open(token: str) -> WebsocketCommunicator:
    comm = WebsocketCommunicator(application, "/ws/visitor/", headers=[ORIGIN])
    connected, _ = await comm.connect()
    assert connected
    await comm.send_json_to({"type": "auth", "token": token})
    assert (await comm.receive_json_from(timeout=20))["type"] == "ready"
    return comm


async def _churn(tokens: list[str], *, frozen_while_open: bool = False) -> None:
    """Open a socket per token as the widget does (a few of them chatting: a ping, its pong
    and heartbeat go through the send queue), then close them all."""
    sockets = [await _open(token) for token in tokens]
    for comm in sockets[:5]:
        await comm.send_json_to({"type": "ping"})
        assert (await comm.receive_json_from(timeout=10))["type"] == "pong"
    if frozen_while_open:
        # What the policy does after a full collection: the open sockets move out of the
        # collector's sight.
        gc.collect()
        gc.freeze()
    for comm in sockets:
        await comm.disconnect()
    del sockets
    await asyncio.sleep(0.2)


def _names(objects: list[Any]) -> list[str]:
    return [f"{type(o).__module__}.{type(o).__qualname__}" for o in objects]


@pytest.mark.django_db(transaction=True)
async def test_a_closed_visitor_socket_leaves_no_cyclic_garbage(collector: None) -> None:
    tokens = await sync_to_async(_tokens)(24, with_conversation=6)
    await _churn(tokens[:4])  # warm: imports, caches, the layer's connection
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what the collector would free is kept in gc.garbage
    await _churn(tokens[4:])
    gc.collect()
    gc.set_debug(0)
    left = [name for name in _names(gc.garbage) if name.startswith(SOCKET_TYPES)]
    gc.garbage.clear()
    # Reference counting freed every consumer, send queue and Channels' state of the 20
    # sockets; before, each left its consumer, queue, writer task and all they held (~100
    # objects, among them uvicorn's and websockets' per connection) for a full collection.
    assert left == []


@pytest.mark.django_db(transaction=True)
async def test_sockets_frozen_while_open_are_freed_when_they_close(collector: None) -> None:
    tokens = await sync_to_async(_tokens)(44, with_conversation=8)
    await _churn(tokens[:4])
    gc.collect()
    gc.freeze()
    baseline = gc.get_freeze_count()

    sockets = [await _open(token) for token in tokens[4:]]
    gc.collect()
    gc.freeze()
    held = gc.get_freeze_count() - baseline
    assert held > 40 * 30  # each open socket holds tens of tracked objects, now frozen
    for comm in sockets:
        await comm.disconnect()
    del sockets
    await asyncio.sleep(0.2)
    gc.collect()
    # Back to where it was (a few objects of slack: a cache entry, a pooled connection):
    # nothing of the 40 closed sockets stays frozen. Before, each left its consumer's cycle
    # and everything reachable from it frozen for good.
    assert gc.get_freeze_count() - baseline < 200, (held, gc.get_freeze_count() - baseline)


class _Node:
    def __init__(self) -> None:
        self.other: Any = None


def _cycles(count: int) -> list[_Node]:
    nodes = []
    for _ in range(count):
        a, b = _Node(), _Node()
        a.other, b.other = b, a
        nodes.append(a)
    return nodes


def test_full_collections_freeze_their_survivors(collector: None) -> None:
    policy = GcPolicy(freeze_above=1_000, growth=1000)
    policy.install()
    try:
        # A full collection after three of the middle generation (CPython: ten).
        assert gc.get_threshold()[2] == 3
        frozen = gc.get_freeze_count()
        kept = [[n] for n in range(20_000)]  # long-lived: they survive collections
        gc.collect()
        assert policy.stats.freezes == 1
        assert gc.get_freeze_count() >= frozen + 20_000
        # The next full collection walks only what is new since.
        assert len(gc.get_objects(generation=2)) < 1_000
        few = [[n] for n in range(500)]
        gc.collect()
        assert policy.stats.freezes == 1  # 500 survivors: below the bound, left in place
        assert len(gc.get_objects(generation=2)) >= 500
        del kept, few
    finally:
        policy.uninstall()


def test_frozen_cyclic_garbage_is_freed_once_the_frozen_set_has_grown(collector: None) -> None:
    policy = GcPolicy(freeze_above=1_000, growth=2)
    policy.install()
    try:
        live = policy.live_after_whole_scan
        # Cycles alive at a freeze, then dropped: refcounting cannot free them, and no
        # collection sees them while they are frozen.
        cycles = _cycles(5_000)
        canary = weakref.ref(cycles[0])
        gc.collect()
        assert policy.stats.freezes == 1
        del cycles
        gc.collect()
        assert canary() is not None and policy.stats.whole_scans == 0
        # The frozen set grows past twice the live heap of the last whole-heap collection:
        # the policy unfreezes, and the next full collection walks everything.
        grown = [[n] for n in range(int(live * 1.2) + 10_000)]
        gc.collect()
        gc.collect()
        assert policy.stats.whole_scans == 1
        assert canary() is None
        assert policy.live_after_whole_scan > len(grown)
        # (what the log line and the test run made meanwhile is frozen with it: in a whole
        # suite's process of ~1.3 M objects that was 75 k more, so the bound is relative)
        slack = max(20_000, policy.live_after_whole_scan // 10)
        assert abs(gc.get_freeze_count() - policy.live_after_whole_scan) < slack
        del grown
    finally:
        policy.uninstall()
