"""The limits are edited in the admin (one row), and errors speak the shopper's language."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from chat.attachments.selectors import limits_get
from tests.chat.attachments import samples

pytestmark = pytest.mark.django_db


def test_limits_are_one_row_edited_in_the_admin(client) -> None:
    admin = User.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    listing = client.get("/admin/chat/medialimits/")
    assert listing.status_code == 302
    change_url = listing["Location"]
    page = client.get(change_url)
    assert page.status_code == 200 and b"allowed_types" in page.content
    response = client.post(
        change_url,
        {
            "image_max_mb": 5,
            "file_max_mb": 20,
            "audio_max_mb": 10,
            "audio_max_seconds": 60,
            "video_max_mb": 50,
            "video_max_seconds": 30,
            "allowed_types": "image/png\nimage/jpeg",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    limits = limits_get()
    assert limits.image_max_mb == 5 and limits.audio_max_seconds == 60
    assert limits.allowed() == {"image/png", "image/jpeg"}
    assert client.get("/admin/chat/medialimits/add/").status_code == 403
    assert client.get("/admin/chat/attachment/").status_code == 200


def test_refusal_is_translated(shopper) -> None:
    response = shopper.client.post(
        "/api/v1/uploads",
        {"file": SimpleUploadedFile("a.jpg", samples.exe_as_jpg())},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
        **shopper.headers(),
    )
    assert response.status_code == 415
    assert "不能发送" in response.json()["detail"]
