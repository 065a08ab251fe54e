"""The admin wears the desk's brand on every page a person can reach, in English and Chinese;
an agent who is not staff never meets a link into the admin or a server error there."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from tests.factories import make_agent

pytestmark = pytest.mark.django_db

DJANGO_BRAND = ["Django administration", "Django site admin", "Django 管理", "Django 站点管理员"]


def _assert_branded(body: str, language: str) -> None:
    for text in DJANGO_BRAND:
        assert text not in body
    assert "brand/logo" in body and "brand/admin" in body and ".css" in body
    assert ("客服中心" if language == "zh-hans" else "Helpdesk") in body


def _client(language: str) -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_anonymous_pages_of_the_admin_are_branded(language: str) -> None:
    client = _client(language)
    body = client.get("/admin/login/").content.decode()
    _assert_branded(body, language)
    assert ("Helpdesk admin" if language == "en" else "客服中心管理后台") in body
    # Logging out of the admin or the desk ends on a page of the desk, never Django's.
    user = User.objects.create_user("root", password="root-pw-1", is_staff=True, is_superuser=True)
    for url in ["/admin/logout/", "/accounts/logout/"]:
        client.force_login(user)
        page = client.post(url, follow=True)
        assert page.status_code == 200
        for text in DJANGO_BRAND:
            assert text not in page.content.decode()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_admin_index_and_password_pages_are_branded(language: str) -> None:
    user = User.objects.create_user("root", password="root-pw-1", is_staff=True, is_superuser=True)
    client = _client(language)
    client.force_login(user)
    for url in ["/admin/", "/admin/password_change/", "/accounts/password_change/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_branded(response.content.decode(), language)
    index = client.get("/admin/").content.decode()
    assert ("Manage the desk" if language == "en" else "管理客服中心") in index
    # A superuser is an agent too: the admin links back to the desk.
    assert 'href="/desk/"' in index


def test_the_logo_and_colours_are_served() -> None:
    from django.contrib.staticfiles import finders

    logo = finders.find("brand/logo.svg")
    assert logo and Path(logo).read_text().startswith("<svg")
    css = finders.find("brand/admin.css")
    assert css and "--header-bg" in Path(css).read_text()


def test_an_agent_sees_no_admin_link_and_reports_redirect_cleanly(caplog) -> None:
    make_agent("ana")
    client = Client()
    client.force_login(User.objects.get(username="ana"))
    desk = client.get("/desk/").content.decode()
    assert 'href="/admin/"' not in desk
    login = client.get("/accounts/login/?next=/admin/").content.decode()
    assert 'href="/admin/"' not in login
    with caplog.at_level(logging.WARNING):
        response = client.get("/admin/reports/")
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
        page = client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert "ana" in body and "Django administration" not in body
    assert not [r for r in caplog.records if r.exc_info]


def test_staff_without_the_report_permission_get_a_plain_403(caplog) -> None:
    user = User.objects.create_user("clerk", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_order"))
    client = Client()
    client.force_login(user)
    with caplog.at_level(logging.WARNING):
        for url in ["/admin/reports/", "/admin/reports/agents/", "/admin/reports/rebuild/"]:
            response = client.get(url)
            assert response.status_code == 403, url
            body = response.content.decode()
            assert 'data-testid="reports-forbidden"' in body
            _assert_branded(body, "en")
        response = client.post("/admin/reports/questions/entry/", {"title": "x"})
        assert response.status_code == 403
    # One warning line per refusal, never a traceback.
    assert not [r for r in caplog.records if r.exc_info]
    # The desk hides its "Admin" link from an agent who is not staff; a staff agent sees it.
    make_agent("bob")
    bob = User.objects.get(username="bob")
    bob.is_staff = True
    bob.save()
    bob.user_permissions.add(Permission.objects.get(codename="view_reports"))
    client.force_login(bob)
    assert 'href="/admin/"' in client.get("/desk/").content.decode()
