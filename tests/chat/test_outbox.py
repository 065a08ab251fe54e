"""A socket's bounded send queue (chat/outbox.py), on its own: order, the bound, the drop."""

from __future__ import annotations

import asyncio

from chat.outbox import SendQueue


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def test_frames_go_out_in_order_and_the_queue_empties() -> None:
    async def scenario() -> None:
        sent: list[str] = []

        async def send(text: str) -> None:
            await asyncio.sleep(0)
            sent.append(text)

        async def overflow() -> None:
            raise AssertionError("no overflow expected")

        queue = SendQueue(send, overflow, limit=10, max_bytes=1000)
        for n in range(8):
            assert queue.put(f"f{n}")
        assert await queue.put_wait("last", timeout=1)
        await queue.drain()
        await asyncio.sleep(0.01)
        assert sent == [f"f{n}" for n in range(8)] + ["last"]
        assert len(queue) == 0
        queue.stop()

    run(scenario())


def test_a_reader_that_stops_overflows_the_queue_once_and_frees_it() -> None:
    async def scenario() -> None:
        blocked = asyncio.Event()  # never set: the socket's reader stopped
        overflows: list[int] = []

        async def send(text: str) -> None:
            await blocked.wait()

        async def overflow() -> None:
            overflows.append(1)

        queue = SendQueue(send, overflow, limit=50, max_bytes=10_000)
        accepted = [queue.put(f"frame {n}") for n in range(200)]
        await asyncio.sleep(0.01)
        # 50 frames wait (the writer has not run yet); the 51st overflows the socket.
        assert accepted[:50] == [True] * 50 and not any(accepted[50:])
        assert queue.overflowed and len(queue) == 0
        assert queue.high_water == 50
        assert overflows == [1]

    run(scenario())


def test_the_byte_bound_holds_too() -> None:
    async def scenario() -> None:
        async def send(text: str) -> None:
            await asyncio.Event().wait()

        dropped: list[int] = []

        async def overflow() -> None:
            dropped.append(1)

        queue = SendQueue(send, overflow, limit=1000, max_bytes=3000)
        results = [queue.put("x" * 1000) for _ in range(6)]
        await asyncio.sleep(0.01)
        assert results.count(True) < 6 and queue.overflowed and dropped == [1]

    run(scenario())


def test_a_handler_waits_for_room_then_overflows_when_nothing_is_read() -> None:
    async def scenario() -> None:
        gate = asyncio.Event()
        sent: list[str] = []

        async def send(text: str) -> None:
            await gate.wait()
            sent.append(text)

        async def overflow() -> None:
            pass

        queue = SendQueue(send, overflow, limit=10, max_bytes=10_000)
        for n in range(8):
            queue.put(str(n))
        waiting = asyncio.ensure_future(queue.put_wait("reply", timeout=5))
        await asyncio.sleep(0.05)
        assert not waiting.done()  # more than half full: the handler waits for the reader
        gate.set()
        assert await waiting
        await queue.drain()
        await asyncio.sleep(0.01)
        assert sent[-1] == "reply"

        stuck = SendQueue(lambda t: asyncio.Event().wait(), overflow, limit=10, max_bytes=10_000)
        for n in range(8):
            stuck.put(str(n))
        assert not await stuck.put_wait("reply", timeout=0.05)
        assert stuck.overflowed

    run(scenario())


def test_a_send_to_a_closed_socket_ends_the_writer_quietly() -> None:
    """The connection closes under the writer (uvicorn raises ClientDisconnected): the frames
    waiting are dropped and the writer ends without an exception nobody retrieves (logged with
    a traceback per closed socket by asyncio, 241 in one soak server's log)."""

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        unretrieved: list[dict[str, object]] = []
        loop.set_exception_handler(lambda _loop, context: unretrieved.append(context))
        sent: list[str] = []

        async def send(text: str) -> None:
            if sent:
                raise ConnectionResetError("the client went away")
            sent.append(text)

        async def overflow() -> None:
            raise AssertionError("no overflow expected")

        queue = SendQueue(send, overflow, limit=10, max_bytes=1000)
        for n in range(3):
            assert queue.put(f"f{n}")
        await asyncio.sleep(0.05)
        assert sent == ["f0"] and len(queue) == 0
        import gc

        gc.collect()  # a finished task with an unretrieved exception reports it when freed
        await asyncio.sleep(0)
        assert unretrieved == []
        queue.stop()

    run(scenario())
