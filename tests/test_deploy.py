"""``manage.py check --deploy`` under production settings.

Runs in a subprocess with a clean environment (as a production host would have it): a long
random SECRET_KEY, a real ALLOWED_HOSTS, no DEBUG and no test-only relaxations.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

from tests.procs import ROOT, base_env


def production_env(**extra: str) -> dict[str, str]:
    env = base_env()
    env.update(
        {
            "DATABASE_URL": os.environ["DATABASE_URL"],
            "REDIS_URL": os.environ["REDIS_URL"],
            "SECRET_KEY": secrets.token_urlsafe(64),
            "STOREFRONT_IDENTITY_SECRET": secrets.token_urlsafe(32),
            "ALLOWED_HOSTS": "desk.example.com",
            "CSRF_TRUSTED_ORIGINS": "https://desk.example.com",
            "STOREFRONT_ORIGINS": "https://shop.example.com",
        }
    )
    env.update(extra)
    return env


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_under_production_settings() -> None:
    result = check_deploy(production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_catches_relaxed_security() -> None:
    # The local production-mode relaxations (plain http) must be reported, so the clean run
    # above means something.
    result = check_deploy(production_env(SECURE_SSL_REDIRECT="0", SECURE_COOKIES="0"))
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "security.W008" in output  # SECURE_SSL_REDIRECT
    assert "security.W012" in output  # SESSION_COOKIE_SECURE


def test_debug_in_production_is_reported() -> None:
    result = check_deploy(production_env(DEBUG="1"))
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr
