"""The workspace page and the shared login page."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from chat.views import workspace_parts
from tests.factories import make_agent, make_visitor, shopper_says

pytestmark = pytest.mark.django_db

DESK = "/desk/"


def login(client: Client, user: User) -> None:
    client.force_login(user)


def test_desk_requires_login() -> None:
    response = Client().get(DESK)
    assert response.status_code == 302
    assert response["Location"].startswith(settings.LOGIN_URL)
    assert "next=/desk/" in response["Location"]


def test_desk_forbids_a_user_who_is_not_an_agent() -> None:
    client = Client()
    login(client, User.objects.create_user("shopkeeper", password="pw"))
    assert client.get(DESK).status_code == 403


def test_desk_renders_for_an_agent_with_csrf_cookie_and_config() -> None:
    agent = make_agent("ana", name="Ana Lima")
    client = Client()
    login(client, agent)
    response = client.get(DESK)
    assert response.status_code == 200
    assert "csrftoken" in response.cookies
    html = response.content.decode()
    match = re.search(r'<script id="desk-config" type="application/json">(.*?)</script>', html)
    assert match, "the page data for the scripts is missing"
    config = json.loads(match.group(1))
    assert config["agent"] == {"id": agent.pk, "name": "Ana Lima"}
    assert config["urls"]["conversations"] == "/api/v1/conversations/"
    assert config["urls"]["socket"] == "/ws/agent/"
    for name in (
        "main.js",
        "desk.js",
        "list.js",
        "conversation-tabs.js",
        "composer.js",
        "timeline.js",
    ):
        assert f"/static/workspace/{name}" in html
    assert reverse("javascript-catalog") in html
    # The three columns and the pane template the scripts clone.
    for hook in ('id="dk-rows"', 'id="dk-panes"', 'id="dk-sidebar"', 'id="dk-pane-tpl"'):
        assert hook in html


def test_supervisor_is_an_agent_too() -> None:
    client = Client()
    login(client, make_agent("sam", supervisor=True))
    response = client.get(DESK)
    assert response.status_code == 200
    assert '"is_supervisor": true' in response.content.decode()


def test_agent_name_is_escaped_in_page_and_config() -> None:
    agent = make_agent("mallory", name='</script><script>alert("x")</script>')
    client = Client()
    login(client, agent)
    html = client.get(DESK).content.decode()
    assert '<script>alert("x")</script>' not in html
    # json_script escapes <, > and & so the name cannot close the data element.
    assert "\\u003C/script\\u003E" in html


def test_shopper_text_never_reaches_the_page_html() -> None:
    """Conversations load through the API and render with textContent; the page itself never
    embeds message text (where a template could forget to escape it)."""
    agent = make_agent()
    shopper_says(make_visitor(name="Eve"), "<script>alert(1)</script>")
    client = Client()
    login(client, agent)
    html = client.get(DESK).content.decode()
    assert "alert(1)" not in html


def test_desk_scripts_never_use_inner_html() -> None:
    root = Path(settings.BASE_DIR) / "static" / "workspace"
    for path in [*root.glob("*.js")]:
        text = path.read_text()
        assert "innerHTML" not in text, path
        assert "insertAdjacentHTML" not in text, path


def test_part_files_are_included_without_editing_the_page(tmp_path: Path, monkeypatch: Any) -> None:
    parts = tmp_path / "parts"
    parts.mkdir()
    (parts / "20-b.js").write_text("// b")
    (parts / "10-a.js").write_text("// a")
    (parts / "10-a.css").write_text("/* a */")
    (parts / ".hidden.js").write_text("// no")
    monkeypatch.setattr("chat.views.PARTS_DIR", parts)
    assert workspace_parts(".js") == [
        "/static/workspace/parts/10-a.js",
        "/static/workspace/parts/20-b.js",
    ]
    assert workspace_parts(".css") == ["/static/workspace/parts/10-a.css"]
    client = Client()
    login(client, make_agent())
    html = client.get(DESK).content.decode()
    # Parts are ES modules the desk imports, in file-name order, from the page data; the page
    # preloads them with the core.
    preload_a = html.index('<link rel="modulepreload" href="/static/workspace/parts/10-a.js">')
    preload_b = html.index('<link rel="modulepreload" href="/static/workspace/parts/20-b.js">')
    assert html.index('src="/static/workspace/main.js"') < preload_a < preload_b
    config = json.loads(
        re.findall(r'<script id="desk-config" type="application/json">(.*?)</script>', html)[0]
    )
    assert config["parts"] == ["/static/workspace/parts/10-a.js", "/static/workspace/parts/20-b.js"]
    assert '<link rel="stylesheet" href="/static/workspace/parts/10-a.css">' in html


def test_login_page_renders_and_logs_an_agent_into_the_desk() -> None:
    make_agent("bo")
    client = Client(enforce_csrf_checks=True)
    page = client.get(settings.LOGIN_URL + "?next=/desk/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="username"' in html and 'name="password"' in html
    assert 'value="/desk/"' in html
    token = page.cookies["csrftoken"].value
    response = client.post(
        settings.LOGIN_URL,
        {"username": "bo", "password": "pw-bo", "next": "/desk/", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302 and response["Location"] == "/desk/"
    assert client.get(DESK).status_code == 200


def test_login_page_shows_an_error_for_a_bad_password() -> None:
    make_agent("bo")
    response = Client().post(settings.LOGIN_URL, {"username": "bo", "password": "nope"})
    assert response.status_code == 200
    assert 'class="dk-errors"' in response.content.decode()


def test_login_without_csrf_token_is_refused() -> None:
    make_agent("bo")
    client = Client(enforce_csrf_checks=True)
    response = client.post(settings.LOGIN_URL, {"username": "bo", "password": "pw-bo"})
    assert response.status_code == 403


def test_admin_link_only_for_those_who_can_use_it() -> None:
    from django.contrib.auth.models import Permission

    agent = make_agent()
    client = Client()
    login(client, agent)
    assert 'href="/admin/"' not in client.get(DESK).content.decode()
    agent.is_staff = True
    agent.save()
    # Staff with nothing to manage would find an empty admin: no link.
    assert 'href="/admin/"' not in client.get(DESK).content.decode()
    agent.user_permissions.add(Permission.objects.get(codename="view_reports"))
    assert 'href="/admin/"' in client.get(DESK).content.decode()


def test_desk_speaks_simplified_chinese() -> None:
    client = Client()
    login(client, make_agent())
    response = client.get(DESK, headers={"accept-language": "zh-hans"})
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "内部备注" in html  # "Internal note"
    catalog = client.get(reverse("javascript-catalog"), headers={"accept-language": "zh-hans"})
    # json.dumps in the catalogue escapes non-ASCII: "新会话" ("New conversation").
    assert '"New conversation": "\\u65b0\\u4f1a\\u8bdd"' in catalog.content.decode()


def test_language_switch_sets_the_language() -> None:
    client = Client()
    login(client, make_agent())
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": DESK})
    assert response.status_code == 302
    assert "内部备注" in client.get(DESK).content.decode()


def test_admin_links_back_to_the_desk() -> None:
    agent = make_agent()
    agent.is_staff = True
    agent.is_superuser = True
    agent.save()
    client = Client()
    login(client, agent)
    html = client.get("/admin/").content.decode()
    assert 'href="/desk/"' in html
