"""Run in the embedded environment (SQLite) after migrate: the channel filter's checks of
``report_channel_checks`` on SQLite. Prints one JSON line. Used by test_report_channel.py."""

from __future__ import annotations

import json
import os
import sys

import django

sys.path.insert(0, os.getcwd())
django.setup()

from django.db import connection  # noqa: E402

from chat.models import Channel, Conversation  # noqa: E402
from chat.models.inbox import default_web_channel_id  # noqa: E402
from tests.inboxes import report_channel_checks as checks  # noqa: E402


def main() -> None:
    assert connection.vendor == "sqlite", connection.vendor
    checks.build_scenario()
    web = Channel.objects.get(pk=default_web_channel_id())
    desk = json.dumps(checks.report_tables(None), default=str)
    same = json.dumps(checks.report_tables(web.pk), default=str) == desk
    mail = Channel.objects.create(name="Mail", kind="email", config={"address": "a@b.test"})
    moved = list(Conversation.objects.order_by("pk").values_list("pk", flat=True))[::2]
    Conversation.objects.filter(pk__in=moved).update(channel=mail)
    counts = [
        checks.report_tables(c)["all.values"]["conversations"] for c in (None, web.pk, mail.pk)
    ]
    print(json.dumps({"same": same, "counts": counts}))


if __name__ == "__main__":
    main()
