from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.factories import Agent, Shopper


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = str(root)
    return root


@pytest.fixture
def shopper(db: Any) -> Shopper:
    return Shopper()


@pytest.fixture
def agent(db: Any) -> Agent:
    return Agent()
