"""The publisher's Redis writes in one process: ``group_send`` per group vs one pipeline.

A message's frames go to four groups (its conversation's staff and shopper groups, the agents'
list, the shopper's conversation update; ``chat.events``). This publishes that batch ``--messages``
times through the pub/sub layer each way, alternating, and prints the process CPU per message.
Nothing subscribes, so only the publishing side is measured.

    . scripts/testenv.sh; REDIS_URL=redis://127.0.0.1:6379/5 python bench/publish_bench.py
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


async def measure(messages: int, rounds: int) -> None:
    from channels.layers import get_channel_layer

    from chat import events

    layer = get_channel_layer()
    if events._pubsub_loop_layer(layer) is None:
        raise SystemExit("needs the Redis pub/sub channel layer (set REDIS_URL)")
    text = "x" * 900  # about a conversation.updated frame

    def batch(k: int) -> dict[str, list[dict[str, Any]]]:
        created = {"type": events.LAYER_EVENT, "frame": {"n": k}, "text": text, "origin": None}
        updated = {"type": events.LAYER_EVENT, "frame": {"n": k}, "text": text, "origin": None}
        c = k % 200
        return {
            events.group_conversation(c): [created],
            events.group_conversation_shopper(c): [created, updated],
            events.group_agents(): [updated],
        }

    async def one_by_one(per_group: dict[str, list[dict[str, Any]]]) -> None:
        await asyncio.gather(
            *(events._send_in_order(layer, g, items) for g, items in per_group.items())
        )

    async def pipelined(per_group: dict[str, list[dict[str, Any]]]) -> None:
        await events._publish_pipelined(layer, per_group)

    for _ in range(rounds):
        for name, send in (("group_send", one_by_one), ("pipeline", pipelined)):
            start = time.process_time()
            for k in range(messages):
                await send(batch(k))
            cpu = (time.process_time() - start) * 1000 / messages
            print(f"{name:10s} {cpu:.3f} ms CPU per message (4 publishes)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    os.environ.setdefault("CHANNEL_PREFIX", f"bench-publish-{os.getpid()}")
    import django

    django.setup()
    asyncio.run(measure(args.messages, args.rounds))


if __name__ == "__main__":
    main()
