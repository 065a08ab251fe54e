"""The overview's calls figures (docs/metrics.md, "Calls") pinned on hand-built calls, and
the page showing them with its CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from analytics.selectors import ReportFilter, calls_summary
from chat.models import Call, Conversation
from tests.factories import T0, conversation_of, make_agent, make_team

pytestmark = pytest.mark.django_db

DAY = ReportFilter(start=T0.date(), end=T0.date(), compare=True)


def call_at(
    conversation: Conversation,
    agent: User | None,
    start: float,
    *,
    answered: float | None,
    ended: float,
    media: str = "video",
    reason: str = "hangup",
) -> Call:
    """A call as the services leave it, at seconds after T0 (timestamps set afterwards:
    ``started_at`` is auto_now_add)."""
    call = Call.objects.create(
        conversation=conversation, media=media, caller="agent", agent=agent, status="ended"
    )
    at = lambda s: T0 + dt.timedelta(seconds=s)  # noqa: E731
    Call.objects.filter(pk=call.pk).update(
        started_at=at(start),
        answered_at=at(answered) if answered is not None else None,
        ended_at=at(ended),
        end_reason=reason,
    )
    return call


def values(f: ReportFilter) -> dict[str, object]:
    return calls_summary(f)["values"]


def test_calls_answered_missed_and_durations() -> None:
    ana, bo = make_agent("ana"), make_agent("bo")
    team = make_team()
    first = conversation_of(body="show me")
    second = conversation_of(body="call me")
    Conversation.objects.filter(pk=second.pk).update(team=team)
    call_at(first, ana, 0, answered=10, ended=130)  # 2:00
    call_at(first, ana, 200, answered=205, ended=265, media="audio")  # 1:00
    call_at(second, bo, 300, answered=None, ended=345, reason="timeout")  # missed
    call_at(second, None, 400, answered=None, ended=400, media="audio", reason="busy")
    # The day before: the previous period, and not this one.
    call_at(first, ana, -3600 * 24, answered=-3600 * 24 + 5, ended=-3600 * 24 + 35)

    got = values(DAY)
    assert got == {
        "calls": 4,
        "video_calls": 2,
        "answered": 2,
        "missed": 2,
        "missed_share": 0.5,
        "total_seconds": 180.0,
        "average_seconds": 90.0,
    }
    rows = {r.key: r for r in calls_summary(DAY)["rows"]}
    assert rows["calls"].previous == 1 and rows["average_seconds"].previous == 30.0
    assert values(ReportFilter(start=T0.date(), end=T0.date(), agent_id=ana.pk))["calls"] == 2
    by_team = values(ReportFilter(start=T0.date(), end=T0.date(), team_id=team.pk))
    assert by_team["calls"] == 2 and by_team["missed"] == 2 and by_team["average_seconds"] is None


def test_no_calls_is_zero_and_no_average() -> None:
    got = values(DAY)
    assert got["calls"] == 0 and got["missed_share"] is None and got["average_seconds"] is None


def test_the_overview_page_and_its_csv_show_the_calls() -> None:
    ana = make_agent("ana")
    call_at(conversation_of(body="hi"), ana, 0, answered=1, ended=61)
    user = User.objects.create_user("manager", password="pw", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="analytics", codename="view_reports")
    )
    client = Client()
    client.force_login(user)
    query = f"start={T0.date()}&end={T0.date()}"
    page = client.get(f"/admin/reports/?{query}")
    assert page.status_code == 200
    assert 'data-table="calls"' in page.content.decode()
    exported = client.get(f"/admin/reports/?{query}&format=csv&table=calls")
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert rows[1][:2] == ["Calls", "1"] and any(r[0] == "Call duration, average" for r in rows)
