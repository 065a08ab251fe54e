"""The message path's CPU inside one process, without the transport.

``message_send`` as the sockets call it (``chat.consumers._send_with_payload``): 20 shoppers
each open a conversation, then, round after round, every shopper writes to theirs and an agent
replies (the visitor and staff access rules, the row lock, the joined load, the INSERT, the
UPDATE, the listeners, the payloads). Frames are built and packed as the publisher packs them,
but not handed to the channel layer. Prints the process CPU and the wall time per message.

    . scripts/testenv.sh; DATABASE_URL=postgresql://…/helpdesk_bench python bench/send_loop.py

It writes rows (its own visitors and agent, tagged with the run id) into that database; run it
on a bench database, not a desk's.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="measured rounds (40 messages)")
    parser.add_argument("--warmup", type=int, default=3, help="rounds not measured")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    import django

    django.setup()
    from channels.layers import get_channel_layer
    from django.db import connection

    from chat import consumers
    from chat.access import Actor
    from chat.events import publishing as events_publish
    from chat.models import Visitor
    from chat.services.agents import agent_create

    layer = get_channel_layer()

    def encode_only(groups: Any, frame: dict[str, Any], origin: str | None) -> None:
        # The event as the publisher builds it, packed once as the layer would.
        layer.serialize(events_publish.layer_event(frame, origin))

    events_publish._send_now = encode_only  # type: ignore[assignment]

    run = uuid.uuid4().hex[:8]
    agent = Actor(user=agent_create(username=f"loop-{run}", password=uuid.uuid4().hex))
    shoppers = [Actor(visitor=Visitor.objects.create(name=f"loop-{run}-{i}")) for i in range(20)]
    conversations = [
        consumers._send_with_payload(actor=s, client_id=f"{run}-open-{i}", body="hello")[
            0
        ].conversation.pk
        for i, s in enumerate(shoppers)
    ]
    sent = 0

    def round_(n: int) -> None:
        nonlocal sent
        for shopper, conversation_id in zip(shoppers, conversations, strict=True):
            for actor in (shopper, agent):
                sent += 1
                consumers._send_with_payload(
                    actor=actor,
                    client_id=f"{run}-{sent}",
                    body=f"message {n}: where is my order?",
                    conversation_id=conversation_id,
                )

    for n in range(args.warmup):
        round_(n)
    start_cpu, start_wall, start_sent = time.process_time(), time.perf_counter(), sent
    for n in range(args.rounds):
        round_(n)
    count = sent - start_sent
    cpu = (time.process_time() - start_cpu) * 1000 / count
    wall = (time.perf_counter() - start_wall) * 1000 / count
    connection.close()
    print(f"messages {count}: {cpu:.3f} ms CPU and {wall:.3f} ms wall per message (run {run})")


if __name__ == "__main__":
    main()
