"""Reports filtered by channel (issue 11): one channel's numbers are summed live from its
conversations' facts with the rollups' own statements. With every conversation on one
channel the filtered reports equal the unfiltered ones cell for cell; split over two
channels, their counts add up to the desk's; the page's filter, its links and the CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from chat.models import Channel, Conversation
from chat.models.inbox import default_web_channel_id
from tests.inboxes.report_channel_checks import END, START, build_scenario, report_tables

pytestmark = pytest.mark.django_db
RANGE = f"start={START}&end={END}"


def _manager() -> Client:
    user = User.objects.create_user("manager", password="pw", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="analytics", codename="view_reports")
    )
    client = Client()
    client.force_login(user)
    return client


def test_one_channel_holding_everything_reads_like_the_rollups() -> None:
    build_scenario()
    web = Channel.objects.get(pk=default_web_channel_id())
    assert set(Conversation.objects.values_list("channel_id", flat=True)) == {web.pk}
    unfiltered = report_tables(None)
    assert unfiltered["all.values"]["conversations"] > 0
    assert report_tables(web.pk) == unfiltered

    other = Channel.objects.create(name="Mail", kind="email", config={"address": "a@b.test"})
    empty = report_tables(other.pk)
    assert empty["all.values"]["conversations"] == 0
    assert empty["all.values"]["shopper_messages"] == 0
    assert all(day["conversations"] == 0 for day in empty["all.daily"])


def test_two_channels_add_up_to_the_desk() -> None:
    build_scenario()
    web = Channel.objects.get(pk=default_web_channel_id())
    mail = Channel.objects.create(name="Mail", kind="email", config={"address": "a@b.test"})
    moved = list(Conversation.objects.order_by("pk").values_list("pk", flat=True))[::2]
    Conversation.objects.filter(pk__in=moved).update(channel=mail)

    desk, on_web, on_mail = report_tables(None), report_tables(web.pk), report_tables(mail.pk)
    for name in ("all", "team", "agent", "bh"):
        d, w, m = desk[f"{name}.values"], on_web[f"{name}.values"], on_mail[f"{name}.values"]
        for key in ("conversations", "shopper_messages", "resolved", "csat_count", "unanswered"):
            assert d[key] == w[key] + m[key], (name, key)
        for key in ("first_response_count", "reply_wait_count", "resolution_count"):
            assert d[key] == w[key] + m[key], (name, key)
        days = zip(desk[f"{name}.daily"], on_web[f"{name}.daily"], on_mail[f"{name}.daily"])
        for dd, wd, md in days:
            assert dd["conversations"] == wd["conversations"] + md["conversations"]
            assert dd["shopper_messages"] == wd["shopper_messages"] + md["shopper_messages"]
    assert on_web["all.values"]["conversations"] > 0
    assert on_mail["all.values"]["conversations"] > 0


def test_page_filter_links_and_csv() -> None:
    build_scenario()
    web = Channel.objects.get(pk=default_web_channel_id())
    mail = Channel.objects.create(name="Mail", kind="email", config={"address": "a@b.test"})
    first = Conversation.objects.order_by("pk").first()
    assert first is not None
    Conversation.objects.filter(pk=first.pk).update(channel=mail)
    client = _manager()

    page = client.get(f"/admin/reports/?{RANGE}&channel={mail.pk}").content.decode()
    assert '<select name="channel">' in page
    assert f'<option value="{mail.pk}" selected>' in page
    assert f"channel={mail.pk}" in page  # the tabs keep the filter
    for path in ("", "volume/", "agents/", "questions/"):
        response = client.get(f"/admin/reports/{path}?{RANGE}&channel={web.pk}")
        assert response.status_code == 200, path

    def conversations(query: str) -> str:
        response = client.get(f"/admin/reports/?{RANGE}&compare=0&format=csv&table=overview{query}")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        return next(r[1] for r in rows if r[0] == "Conversations")

    total = int(conversations(""))
    assert int(conversations(f"&channel={mail.pk}")) == 1
    assert int(conversations(f"&channel={web.pk}")) == total - 1

    bad = client.get(f"/admin/reports/?{RANGE}&channel=x")
    assert bad.status_code == 400


@pytest.mark.embedded
def test_the_same_on_sqlite(tmp_path: Any) -> None:
    """The embedded default (SQLite) reads the channel's rows with the same statements."""
    from tests.procs import sqlite_script

    result = sqlite_script(tmp_path, "tests/inboxes/report_channel_sqlite.py")
    assert result["same"] is True
    desk, web, mail = result["counts"]
    assert desk == web + mail and web > 0 and mail > 0
