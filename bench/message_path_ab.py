"""Two ways of one step of the message path, A/B in one process, rounds alternating.

On a shared, loaded box the CPU per message of two runs minutes apart differs by more than a
statement's cost (docs/performance.md: ±20 % between runs of one tree). Here both ways run in
the same process, on the same connection, round after round in turn (A B B A …), so drift hits
both alike; each round's figure is process CPU (and wall) per item, and the medians and their
ratio are printed.

``--step write``: ``message_send`` as the sockets call it (20 shoppers write and an agent
replies, round after round) with the message's ``INSERT`` and the conversation's ``UPDATE`` as
the two statements they were (A) or as ``message_store``'s one (B).

``--step receipts``: the receipt writer's transaction (``delivered_mark_sides``) for each
round's receipts — the agents' for the shoppers' messages, the shoppers' for the replies — in
batches of ``--batch`` conversations (both sides): one conditional ``UPDATE`` per conversation
and side as before (A) or the one batch statement (B). Only that call is timed.

``--step publish``: ``message_send`` as in ``write``, its frames handed to the server loop's
publisher (``chat/events/publishing.py``) running on a loop thread of this process and sent to
Redis (``REDIS_URL``) as a server sends them: each ``publish`` of a transaction its own
on-commit callback and hand-off to the loop (A, as before) or the transaction's publishes
handed over together (B). A round ends when the publisher has sent every event; the loop
thread's CPU counts (process CPU).

Frames are packed as the publisher packs them, not handed to the channel layer (except in
``publish``).

    . scripts/testenv.sh; DATABASE_URL=postgresql://…/helpdesk_bench \\
        python bench/message_path_ab.py --step write --rounds 20
    … python bench/message_path_ab.py --step receipts --batch 5 --rounds 20
    … python bench/message_path_ab.py --step publish --rounds 20

It writes rows (its own visitors and agent) into that database: run it on a bench database.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _two_statements(message: Any, conversation: Any, fields: Any) -> None:
    """A: the message path's write before ``message_store``."""
    from chat.statements import conversation_update, message_insert

    message_insert(message)
    conversation_update(conversation, fields)


def _receipts_each(*, cursors: dict[str, dict[int, int]]) -> int:
    """A: ``delivered_mark_sides`` before the batch statement, as it was (ea82125)."""
    from django.db import connection, transaction

    from chat.services.receipts import _publish_receipt

    rows = sorted(
        (conversation_id, reader, seq)
        for reader, side in cursors.items()
        for conversation_id, seq in side.items()
    )
    moved_count = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
        for conversation_id, reader, seq in rows:
            field = f"{reader}_delivered_seq"
            cursor.execute(
                f"UPDATE chat_conversation SET {field} = %s WHERE id = %s AND {field} < %s "
                f"AND last_seq >= %s RETURNING {field}, {reader}_read_seq",
                [seq, conversation_id, seq, seq],
            )
            row = cursor.fetchone()
            if row is None:
                continue
            moved_count += 1
            _publish_receipt(
                conversation_id=conversation_id, reader=reader, delivered_seq=row[0],
                read_seq=row[1],
            )  # fmt: skip
    return moved_count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--step", choices=["write", "receipts", "publish"], required=True)
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--batch", type=int, default=5, help="receipts: conversations a batch")
    parser.add_argument("--rounds", type=int, default=20, help="measured rounds of each way")
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    import django

    django.setup()
    from channels.layers import get_channel_layer
    from django.db import connection

    from chat.access import Actor
    from chat.events import publishing as events_publish
    from chat.models import Visitor
    from chat.services import messages as messages_module
    from chat.services import receipts as receipts_module
    from chat.services.agents import agent_create
    from chat.services.message_send import message_send
    from chat.statements import message_store

    layer = get_channel_layer()

    def encode_only(items: list[Any]) -> None:
        for _groups, frame, origin in items:
            layer.serialize(events_publish.layer_event(frame, origin))

    batched_after_commit = events_publish._after_commit
    publisher = events_publish.publisher
    offered = 0
    if args.step == "publish":
        import asyncio
        import threading

        from django.db import transaction

        loop = asyncio.new_event_loop()
        threading.Thread(target=loop.run_forever, daemon=True).start()

        async def start() -> None:
            publisher.start()

        asyncio.run_coroutine_threadsafe(start(), loop).result()
        offer_many = publisher.offer_many

        def counting_offer(items: list[Any]) -> bool:
            nonlocal offered
            offered += len(items)
            return offer_many(items)

        publisher.offer_many = counting_offer  # type: ignore[method-assign]

        def each_after_commit(items: list[Any]) -> None:
            """A: as before, every publish its own on-commit callback and hand-off."""
            transaction.on_commit(lambda: events_publish._send_items(items))

    else:
        events_publish._send_items = encode_only  # type: ignore[assignment]

    run = uuid.uuid4().hex[:8]
    agent = Actor(user=agent_create(username=f"ab-{run}", password=uuid.uuid4().hex))
    shoppers = [
        Actor(visitor=Visitor.objects.create(name=f"ab-{run}-{i}"))
        for i in range(args.conversations)
    ]
    conversations = [
        message_send(actor=s, client_id=f"{run}-open-{i}", body="hello")[0].conversation_id
        for i, s in enumerate(shoppers)
    ]
    sent = 0
    batches = {"A": 0, "B": 0}
    batch_receipts = receipts_module.delivered_mark_sides

    def round_(way: str) -> tuple[float, float, int]:
        """One round the ``way`` (A or B): (CPU s, wall s, items) of the measured part."""
        nonlocal sent
        messages_module.message_store = (  # type: ignore[attr-defined]
            _two_statements if args.step == "write" and way == "A" else message_store
        )
        if args.step == "publish":
            events_publish._after_commit = (  # type: ignore[assignment]
                each_after_commit if way == "A" else batched_after_commit
            )
        seqs: dict[str, dict[int, int]] = {"agent": {}, "visitor": {}}
        batches_before = publisher.pipelines
        cpu = wall = 0.0
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        for shopper, conversation_id in zip(shoppers, conversations, strict=True):
            for actor, side in ((shopper, "agent"), (agent, "visitor")):
                sent += 1
                message, _ = message_send(
                    actor=actor, client_id=f"{run}-{sent}", body="where is my order?",
                    conversation_id=conversation_id,
                )  # fmt: skip
                seqs[side][conversation_id] = message.seq
        if args.step == "publish":
            while publisher.events < offered:
                time.sleep(0.0005)
            batches[way] += publisher.pipelines - batches_before
        if args.step in ("write", "publish"):
            return (
                time.process_time() - start_cpu,
                time.perf_counter() - start_wall,
                2 * len(conversations),
            )
        mark: Callable[..., int] = _receipts_each if way == "A" else batch_receipts
        moved = 0
        for start in range(0, len(conversations), args.batch):
            ids = conversations[start : start + args.batch]
            cursors = {side: {pk: seqs[side][pk] for pk in ids} for side in seqs}
            start_cpu, start_wall = time.process_time(), time.perf_counter()
            moved += mark(cursors=cursors)
            cpu += time.process_time() - start_cpu
            wall += time.perf_counter() - start_wall
        return cpu, wall, moved

    for n in range(args.warmup):
        round_("A" if n % 2 else "B")
    per: dict[str, list[tuple[float, float]]] = {"A": [], "B": []}
    for n in range(args.rounds):
        for way in "AB" if n % 2 == 0 else "BA":
            cpu, wall, items = round_(way)
            per[way].append((cpu * 1000 / items, wall * 1000 / items))
    messages_module.message_store = message_store  # type: ignore[attr-defined]
    connection.close()
    item = "receipt" if args.step == "receipts" else "message"
    names = {
        "write": {"A": "INSERT + UPDATE", "B": "message_store"},
        "receipts": {"A": "UPDATE per receipt", "B": "one batch UPDATE"},
        "publish": {"A": "a hand-off per publish", "B": "a hand-off per transaction"},
    }[args.step]
    medians = {}
    for way in "AB":
        cpu = statistics.median(c for c, _ in per[way])
        wall = statistics.median(w for _, w in per[way])
        medians[way] = cpu
        print(f"{way} ({names[way]}): median {cpu:.3f} ms CPU, {wall:.3f} ms wall per {item}")
    ratios = [b[0] / a[0] for a, b in zip(per["A"], per["B"], strict=True)]
    if args.step == "publish":
        per_way = 2 * len(conversations) * (args.rounds + args.warmup // 2)
        print(
            "publisher batches per message (warm-up rounds included): "
            + ", ".join(f"{way} {batches[way] / per_way:.2f}" for way in "AB")
        )
    print(
        f"B/A: medians {medians['B'] / medians['A']:.3f}; per round pair: median "
        f"{statistics.median(ratios):.3f} (min {min(ratios):.3f}, max {max(ratios):.3f}); "
        f"{args.rounds} rounds each, run {run}, load {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
