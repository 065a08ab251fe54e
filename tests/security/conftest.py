"""Password hashing at full cost is not what these tests measure: a fast hasher keeps a run of
twenty sign-ins quick on a loaded box."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_hasher(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
