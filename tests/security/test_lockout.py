"""Login throttling (django-axes): wrong passwords lock the account and the address."""

from __future__ import annotations

import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client

from tests.factories import make_agent

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _try(username: str, password: str, address: str = "10.0.0.1") -> int:
    response = Client(REMOTE_ADDR=address).post(
        LOGIN, {"username": username, "password": password, "next": "/desk/"}
    )
    return response.status_code


def test_twenty_wrong_passwords_in_four_seconds_are_not_all_answered() -> None:
    agent = make_agent("ana")
    started = time.monotonic()
    codes = [_try("ana", f"wrong-{i}") for i in range(20)]
    assert time.monotonic() - started < 60
    assert codes[:4] == [200] * 4  # the form again, with its error
    assert set(codes[4:]) == {429}, codes  # the fifth failure locks
    # Locked means locked: the right password does not get in either, and the page says why.
    response = Client(REMOTE_ADDR="10.0.0.1").post(LOGIN, {"username": "ana", "password": "pw-ana"})
    assert response.status_code == 429
    text = response.content.decode()
    assert "locked" in text and "administrator" in text and 'data-testid="login-locked"' in text
    assert not response.wsgi_request.user.is_authenticated
    assert agent.pk


def test_an_account_is_locked_whatever_the_address() -> None:
    make_agent("bo")
    for i in range(4):
        assert _try("bo", "wrong", address=f"10.0.1.{i}") == 200
    assert _try("bo", "wrong", address="10.0.1.4") == 429  # the fifth failure locks
    assert _try("bo", "pw-bo", address="10.0.9.9") == 429


def test_an_address_is_locked_whatever_the_account() -> None:
    for i in range(5):
        make_agent(f"cy{i}")
        assert _try(f"cy{i}", "wrong", address="10.0.2.1") == (200 if i < 4 else 429)
    make_agent("dee")
    assert _try("dee", "pw-dee", address="10.0.2.1") == 429
    # Someone else, elsewhere, is not affected.
    assert _try("dee", "pw-dee", address="10.0.2.2") == 302


def test_a_success_before_the_limit_clears_the_count() -> None:
    make_agent("eve")
    for _ in range(4):
        assert _try("eve", "wrong", address="10.0.3.1") == 200
    assert _try("eve", "pw-eve", address="10.0.3.1") == 302
    for _ in range(4):
        assert _try("eve", "wrong", address="10.0.3.1") == 200


def test_json_clients_get_the_contract_error() -> None:
    make_agent("fay")
    for _ in range(5):
        _try("fay", "wrong", address="10.0.4.1")
    response = Client(REMOTE_ADDR="10.0.4.1").post(
        LOGIN, {"username": "fay", "password": "pw-fay"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"


def test_an_admin_unlocks_from_the_admin() -> None:
    make_agent("gus")
    for _ in range(6):
        _try("gus", "wrong", address="10.0.5.1")
    assert _try("gus", "pw-gus", address="10.0.5.2") == 429
    admin = User.objects.create_superuser("root", "root@example.com", "root-pw")
    client = Client()
    client.force_login(admin)
    listing = client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "gus" in listing.content.decode()
    ids = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert _try("gus", "pw-gus", address="10.0.5.1") == 302


@pytest.mark.parametrize(
    "body",
    [
        "username=a%00b&password=p%00w",
        "username=%ED%A0%80&password=x",  # a lone surrogate, UTF-8-encoded
        "username=" + "x" * 5000 + "&password=x",
        "username=&password=",
        "username=%FF%FE&password=%C0",
    ],
)
def test_hostile_sign_ins_are_a_failed_form_not_a_server_error(body: str) -> None:
    for _ in range(6):  # before and after the lock
        response = Client(REMOTE_ADDR="10.0.6.1").post(
            LOGIN, body, content_type="application/x-www-form-urlencoded"
        )
        # 400: the edge refuses a NUL byte before the form sees it.
        assert response.status_code in (200, 400, 403, 429), response.status_code
