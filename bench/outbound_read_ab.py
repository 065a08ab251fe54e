"""A send's message read, before (the ORM's select_related) and after (the written-out
statement of inboxes/outbound_read.py): process CPU per read, 3,000 reads each way, twice.

    BENCH_DB=helpdesk_bench_channels_read python bench/outbound_read_ab.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

N = 3000


def main() -> None:
    from bench import channels_bench

    channels_bench.setup()
    from django.conf import settings

    from chat.access import Actor
    from chat.models import Channel, Message
    from chat.services.message_send import message_send
    from helpdesk.celery import app
    from inboxes.inbound import Inbound, inbound_receive
    from inboxes.outbound_read import RELATED, message_for_send
    from tests.factories import make_agent

    settings.CELERY_TASK_ALWAYS_EAGER = True
    channel = Channel.objects.create(
        name="app", kind="api", config={"webhook_url": "http://127.0.0.1:9/x"}
    )
    received = inbound_receive(
        channel=channel,
        identity_kind="app",
        inbound=Inbound(external_id="i", address=f"{channel.pk}:u", body="hi"),
    )
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False  # the reply's delivery is queued, not sent
    message, _ = message_send(
        actor=Actor(user=make_agent("a")),
        client_id="r",
        body="x",
        conversation_id=received.conversation_id,
    )

    def orm() -> object:
        found = Message.objects.select_related(*RELATED).filter(pk=message.pk).order_by()[:1]
        return next(iter(found))

    def written() -> object:
        return message_for_send(message.pk)

    for name, read in (("orm", orm), ("written", written)) * 2:
        for _ in range(200):
            read()
        started = time.process_time()
        for _ in range(N):
            read()
        with open("/proc/loadavg") as f:
            load = f.read().split()[0]
        per = (time.process_time() - started) * 1e6 / N
        print(f"{name}: {per:.0f} us CPU per read (load {load})")


if __name__ == "__main__":
    main()
