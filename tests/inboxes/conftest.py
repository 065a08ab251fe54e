"""Fixtures for the channel tests: an email channel on a local SMTP server, the webhook
settings. Mail and Mailgun's inbound webhook are built by ``tests.providers``; the channel by
``tests.factories.make_email_channel``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from chat.models import Channel
from tests.factories import make_email_channel
from tests.providers import MAILGUN_KEY, WEBHOOK_AUTH, SmtpSink, smtp_server


@pytest.fixture(autouse=True)
def _channels_settings(settings: Any) -> None:
    settings.ANYMAIL = {
        "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY,
        "WEBHOOK_SECRET": ":".join(WEBHOOK_AUTH),
    }
    settings.HELPDESK_CHANNELS = {"SEND_ATTEMPTS": 3, "BACKOFF_SECONDS": 0.0}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def smtp() -> Iterator[tuple[str, int, SmtpSink]]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def email_channel(smtp: tuple[str, int, SmtpSink]) -> Channel:
    return make_email_channel(smtp[1])
