"""Agents use the desk; the admin is for those with something to manage."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group, Permission, User
from django.test import Client

from chat.services.agents import agent_create
from tests.factories import make_agent

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_agents_are_created_without_staff_and_still_use_the_desk() -> None:
    agent = agent_create(username="ana", password="pw-ana-1234")
    supervisor = agent_create(username="sue", password="pw-sue-1234", supervisor=True)
    for user in (agent, supervisor):
        user.refresh_from_db()
        assert not user.is_staff
        client = _client(user)
        desk = client.get("/desk/")
        assert desk.status_code == 200
        assert 'href="/admin/"' not in desk.content.decode()
        # The admin sends them to its login page, as for anyone it has nothing for.
        assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("path", ["/admin/reports/", "/admin/reports/agents/", "/admin/"])
def test_admin_pages_as_an_agent_answer_without_a_traceback(path: str) -> None:
    agent = make_agent()
    assert _client(agent).get(path).status_code == 302
    agent.is_staff = True  # an old agent the migration has not seen
    agent.save()
    assert _client(agent).get(path).status_code in (200, 403)


def test_a_manager_gets_the_admin_and_the_reports() -> None:
    manager = make_agent("max")
    manager.is_staff = True
    manager.save()
    manager.user_permissions.add(Permission.objects.get(codename="view_reports"))
    client = _client(manager)
    assert 'href="/admin/"' in client.get("/desk/").content.decode()
    assert client.get("/admin/reports/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_the_data_migration_takes_staff_from_agents_with_nothing_to_manage() -> None:
    migration = importlib.import_module("chat.migrations.0009_agents_not_staff")
    idle = make_agent("idle")
    direct = make_agent("direct")
    via_group = make_agent("via-group")
    boss = make_agent("boss")
    shopkeeper = User.objects.create_user("shopkeeper", password="x", is_staff=True)
    managers, _ = Group.objects.get_or_create(name="Report readers")
    managers.permissions.add(Permission.objects.get(codename="view_reports"))
    via_group.groups.add(managers)
    direct.user_permissions.add(Permission.objects.get(codename="view_reports"))
    for user in (idle, direct, via_group, boss):
        user.is_staff = True
    boss.is_superuser = True
    for user in (idle, direct, via_group, boss):
        user.save()
    migration.agents_not_staff(django_apps, None)
    staff = dict(User.objects.values_list("username", "is_staff"))
    assert staff["idle"] is False
    assert staff["direct"] is staff["via-group"] is staff["boss"] is True
    # Not an agent: the desk's roles are not the migration's business.
    assert staff[shopkeeper.username] is True
