"""Serving: a signed link that expires, and only to people who may read the conversation."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from django.test import Client

from chat import events, services
from chat.access import Actor
from chat.attachments.selectors import limits_get
from tests.chat.attachments import samples
from tests.factories import Agent, Shopper

pytestmark = pytest.mark.django_db


def sent_image(shopper: Shopper, client_id: str = "c-1", private: bool = False) -> dict:
    upload = shopper.upload(samples.png(500, 300), name="shirt.png").json()
    message, _ = services.message_send(
        actor=Actor(visitor=shopper.visitor),
        client_id=client_id,
        body="",
        attachment_id=upload["id"],
    )
    return events.message_payload(message)


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def test_shopper_and_agent_can_fetch(shopper, agent) -> None:
    message = sent_image(shopper)
    url = message["attachment"]["url"]
    response = shopper.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Disposition"].startswith("inline")
    assert 'filename="shirt.png"' in response["Content-Disposition"]
    data = body_of(response)
    assert data.startswith(b"\x89PNG") and len(data) == message["attachment"]["size"]
    response = agent.get(url)
    assert response.status_code == 200
    thumb = agent.get(message["attachment"]["thumbnail"]["url"])
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"


def test_another_shopper_cannot_fetch(shopper) -> None:
    url = sent_image(shopper)["attachment"]["url"]
    stranger = Shopper()
    response = stranger.get(url)
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_logged_out_browser_cannot_fetch(shopper) -> None:
    url = sent_image(shopper)["attachment"]["url"]
    response = Client().get(url)
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"
    response = Client().get(url, HTTP_AUTHORIZATION="Visitor forged-token")
    assert response.status_code == 401


def test_a_non_agent_user_cannot_fetch(shopper) -> None:
    from django.contrib.auth.models import User

    url = sent_image(shopper)["attachment"]["url"]
    client = Client()
    client.force_login(User.objects.create_user("customer", password="x"))
    assert client.get(url).status_code == 404


def test_expired_link_is_refused(shopper, agent) -> None:
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 7200):
        old = sent_image(shopper)
    response = shopper.get(old["attachment"]["url"])
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert "expired" in response.json()["detail"]
    assert agent.get(old["attachment"]["url"]).status_code == 403
    # A fresh link for the same attachment works (GET /api/v1/uploads/<id>).
    fresh = shopper.client.get(f"/api/v1/uploads/{old['attachment']['id']}", **shopper.headers())
    assert fresh.status_code == 200
    assert shopper.get(fresh.json()["url"]).status_code == 200


def test_tampered_link_is_not_found(shopper) -> None:
    url = sent_image(shopper)["attachment"]["url"]
    prefix, token, name = url.rsplit("/", 2)
    forged = f"{prefix}/{token[:-2]}xx/{name}"
    assert shopper.get(forged).status_code == 404


def test_unsent_upload_is_visible_to_its_uploader_only(shopper, agent) -> None:
    url = shopper.upload(samples.png(), name="a.png").json()["url"]
    assert shopper.get(url).status_code == 200
    assert Shopper().get(url).status_code == 404
    assert agent.get(url).status_code == 404


def test_private_note_attachment_is_staff_only(shopper, agent) -> None:
    conversation_id = sent_image(shopper)["conversation"]
    upload = agent.upload(b"%PDF-1.4\n1 0 obj\n", name="internal.pdf").json()
    message, _ = services.message_send(
        actor=Actor(user=agent.user),
        client_id="a-1",
        body="",
        conversation_id=conversation_id,
        private=True,
        attachment_id=upload["id"],
    )
    url = events.message_payload(message)["attachment"]["url"]
    assert agent.get(url).status_code == 200
    assert Agent().get(url).status_code == 200  # every agent reads the whole desk
    assert shopper.get(url).status_code == 404


def test_files_download_and_markup_is_never_inline(shopper, agent) -> None:
    limits = limits_get()
    limits.allowed_types += "\nimage/svg+xml\ntext/html"
    limits.save()
    conversation_id = sent_image(shopper)["conversation"]
    cases = [
        (b"%PDF-1.4\n1 0 obj\n", "manual.pdf", "application/pdf"),
        (samples.svg_with_script(), "logo.svg", "application/octet-stream"),
        (b"<html><script>alert(1)</script></html>", "page.html", "application/octet-stream"),
    ]
    for index, (data, name, served_type) in enumerate(cases):
        upload = agent.upload(data, name=name, content_type="text/html")
        assert upload.status_code == 201, upload.content
        assert upload.json()["kind"] == "file"
        message, _ = services.message_send(
            actor=Actor(user=agent.user),
            client_id=f"a-{index}",
            body="",
            conversation_id=conversation_id,
            attachment_id=upload.json()["id"],
        )
        response = shopper.get(events.message_payload(message)["attachment"]["url"])
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert response["Content-Type"] == served_type
        assert response["X-Content-Type-Options"] == "nosniff"
        assert body_of(response) == data


def test_bucket_storage_gets_a_signed_redirect(shopper, monkeypatch) -> None:
    """With a bucket (any non-local storage) the view checks access, then redirects to a
    short-lived signed URL carrying the download headers. The bucket is outside the project,
    so a stand-in storage records what S3Storage.url would be asked."""
    url = sent_image(shopper)["attachment"]["url"]
    calls = []

    class Bucket:
        def url(self, name, parameters=None, expire=None):
            calls.append((name, parameters, expire))
            return f"https://bucket.example/{name}?X-Amz-Signature=abc"

    monkeypatch.setattr("chat.attachments.storage.storage", lambda: Bucket())
    response = shopper.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("https://bucket.example/attachments/")
    assert response["Cache-Control"] == "no-store"
    name, parameters, expire = calls[0]
    assert expire == 60
    assert parameters["ResponseContentType"] == "image/png"
    assert parameters["ResponseContentDisposition"].startswith("inline")
    assert Shopper().get(url).status_code == 404
    assert len(calls) == 1


def test_local_storage_is_recognised_before_first_use() -> None:
    import os
    import subprocess
    import sys

    # A fresh process (nothing stored yet) must stream local files, not try a bucket redirect.
    code = (
        "import django; django.setup();"
        "from chat.attachments.storage import is_local, storage;"
        "assert is_local(storage()), storage()"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "helpdesk.settings"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_byte_ranges_for_seeking(shopper) -> None:
    upload = shopper.upload(samples.mp4(5, video=True), name="clip.mp4").json()
    services.message_send(
        actor=Actor(visitor=shopper.visitor), client_id="c-1", body="", attachment_id=upload["id"]
    )
    url = upload["url"]
    whole = body_of(shopper.get(url))
    assert shopper.get(url)["Accept-Ranges"] == "bytes"
    part = shopper.get(url, HTTP_RANGE="bytes=10-29")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 10-29/{len(whole)}"
    assert body_of(part) == whole[10:30]
    assert part["X-Content-Type-Options"] == "nosniff"
    tail = shopper.get(url, HTTP_RANGE="bytes=-16")
    assert tail.status_code == 206 and body_of(tail) == whole[-16:]
    open_ended = shopper.get(url, HTTP_RANGE="bytes=100-")
    assert body_of(open_ended) == whole[100:]
    beyond = shopper.get(url, HTTP_RANGE=f"bytes={len(whole) + 5}-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{len(whole)}"
    assert shopper.get(url, HTTP_RANGE="pages=1-2").status_code == 200
    assert Shopper().get(url, HTTP_RANGE="bytes=0-9").status_code == 404
