from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chat import services
from tests.factories import make_agent, make_visitor

CSRF = "m" * 32


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = str(root)
    return root


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


class Shopper:
    def __init__(self) -> None:
        self.visitor = make_visitor()
        self.token = services.visitor_token_make(self.visitor)
        self.client = Client()

    def headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Visitor {self.token}"}

    def upload(self, data: bytes, name: str = "file.bin", content_type: str = "image/jpeg"):
        return self.client.post(
            "/api/v1/uploads",
            {"file": SimpleUploadedFile(name, data, content_type=content_type)},
            **self.headers(),
        )

    def get(self, url: str, **extra: Any):
        return self.client.get(url, **self.headers(), **extra)


class Agent:
    def __init__(self, username: str | None = None) -> None:
        self.user = make_agent(username)
        self.client = Client(enforce_csrf_checks=True)
        self.client.force_login(self.user)
        self.client.cookies["csrftoken"] = CSRF

    def upload(self, data: bytes, name: str = "file.bin", content_type: str = "application/pdf"):
        return self.client.post(
            "/api/v1/uploads",
            {"file": SimpleUploadedFile(name, data, content_type=content_type)},
            HTTP_X_CSRFTOKEN=CSRF,
        )

    def get(self, url: str, **extra: Any):
        return self.client.get(url, **extra)


@pytest.fixture
def shopper(db: Any) -> Shopper:
    return Shopper()


@pytest.fixture
def agent(db: Any) -> Agent:
    return Agent()
