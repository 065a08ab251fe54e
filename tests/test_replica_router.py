"""Report pages read from the replica alias when one is configured; everything else, writes
included, stays on the primary.

The "replica" here is a second alias on the same test database, opened read-only
(``default_transaction_read_only``): a report page that tried to write through it would fail,
and the queries each connection ran show which one served the report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connections, router
from django.test import Client
from django.test.utils import CaptureQueriesContext

from analytics import services as analytics_services
from helpdesk.db_routers import REPLICA, report_alias, report_reads
from tests.factories import make_agent, make_visitor, shopper_says

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])


@pytest.fixture(scope="module", autouse=True)
def replica(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """A read-only second alias on the test database, for this module's tests only."""
    with django_db_blocker.unblock():
        primary = connections["default"].settings_dict
    conf = {
        **primary,
        "OPTIONS": {"options": "-c default_transaction_read_only=on"},
        "TEST": {"MIRROR": "default"},
    }
    connections.settings[REPLICA] = conf
    try:
        yield REPLICA
    finally:
        if REPLICA in connections:
            connections[REPLICA].close()
            del connections[REPLICA]
        del connections.settings[REPLICA]


def manager() -> Client:
    user = User.objects.create_user("manager", password="pw", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="analytics", codename="view_reports")
    )
    client = Client()
    client.force_login(user)
    return client


def test_reads_route_only_inside_report_reads(replica: str) -> None:
    assert report_alias() == "default"
    with report_reads() as alias:
        assert alias == replica
        assert User.objects.all().db == replica
        # Writes never go to a replica (its connection would refuse them).
        assert router.db_for_write(User) == "default"
        User.objects.create_user("written-inside", password="pw")
    assert User.objects.all().db == "default"


def test_without_a_replica_reports_read_the_primary(monkeypatch: Any) -> None:
    monkeypatch.delitem(connections.settings, REPLICA)
    with report_reads() as alias:
        assert alias == "default"
        assert User.objects.all().db == "default"


@pytest.mark.parametrize("page", ["", "questions/", "volume/", "agents/"])
def test_report_pages_are_served_by_the_replica(replica: str, page: str) -> None:
    make_agent("ana")
    shopper_says(make_visitor(), "where is my parcel?")
    analytics_services.rollup_rebuild()
    client = manager()
    today = dt.date.today()
    url = f"/admin/reports/{page}?start={today - dt.timedelta(days=1)}&end={today}"
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[replica]) as read,
    ):
        response = client.get(url)
    assert response.status_code == 200
    report_sql = [q["sql"] for q in read.captured_queries]
    assert any("analytics_" in sql for sql in report_sql), report_sql
    # The primary served the request's session and user, and no report table.
    assert not [q["sql"] for q in primary.captured_queries if "analytics_" in q["sql"]]
    # The replica was only read (its connection refuses writes).
    assert not [
        sql for sql in report_sql if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
