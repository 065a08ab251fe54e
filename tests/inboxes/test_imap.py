"""IMAP polling against a real IMAP server (Dovecot) started by the test."""

from __future__ import annotations

import pytest

from chat.models import Conversation
from inboxes.email.imap import imap_poll
from tests.factories import make_email_channel
from tests.providers import imap_append, imap_server, mail

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_imap_poll_takes_new_mail_once() -> None:
    with imap_server() as (host, port):
        channel = make_email_channel(
            imap_host=host,
            imap_port=port,
            imap_security="none",
            imap_username="desk@shop.test",
            imap_password="secret",
        )
        imap_append(host, port, mail(message_id="<one@example.com>", text="First by IMAP"))
        imap_append(
            host,
            port,
            mail(
                message_id="<two@example.com>",
                sender="Bo <bo@example.com>",
                text="Second",
                headers={"Auto-Submitted": "auto-replied"},
            ),
        )
        assert imap_poll(channel_id=channel.pk) == 2
        assert (
            Conversation.objects.filter(channel=channel).count() == 1
        )  # the auto-reply opened none
        assert Conversation.objects.get().messages.get().body == "First by IMAP"
        assert imap_poll(channel_id=channel.pk) == 0  # the cursor moved past both
        imap_append(
            host,
            port,
            mail(
                message_id="<three@example.com>",
                in_reply_to="<one@example.com>",
                text="And a follow-up",
            ),
        )
        assert imap_poll(channel_id=channel.pk) == 1
        conversation = Conversation.objects.get()
        assert conversation.messages.count() == 2
        channel.refresh_from_db()
        assert channel.state["imap_uid"] == 3 and "imap_error" not in channel.state


def test_imap_login_failure_is_recorded_not_raised() -> None:
    with imap_server() as (host, port):
        channel = make_email_channel(
            imap_host=host,
            imap_port=port,
            imap_security="none",
            imap_username="desk@shop.test",
            imap_password="wrong",
        )
        assert imap_poll(channel_id=channel.pk) == 0
        channel.refresh_from_db()
        assert "imap_error" in channel.state
