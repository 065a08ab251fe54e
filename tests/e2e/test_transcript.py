"""A web chat's transcript in a real browser: the shopper gave an email; the agent resolves the
chat from the workspace and the transcript (the public messages, no notes) arrives at a real
local SMTP server (aiosmtpd) addressed to the shopper, sent by the Celery worker through the
email channel marked for transcripts. The agent then mails it again to an address typed in
the header ("Mail transcript"). One Daphne and a real Celery worker."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import expect

from chat.models import Channel, Conversation
from chat.models.inbox import default_web_channel_id
from tests.e2e.support import desk_login, off_loop, pane, row
from tests.factories import agent_says, make_agent, make_visitor, shopper_says
from tests.providers import smtp_server

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _text(mail: Any) -> str:
    part = mail.get_payload(0) if mail.is_multipart() else mail
    return part.get_payload(decode=True).decode()


def test_resolving_a_web_chat_mails_its_transcript_to_the_shopper(
    browser: Any, pages: list[Any]
) -> None:
    try:
        with smtp_server() as (host, port, sink):
            Channel.objects.create(
                name="Support mail",
                kind="email",
                config={
                    "address": "support@shop.test",
                    "from_name": "Shop",
                    "smtp_host": host,
                    "smtp_port": port,
                    "smtp_security": "none",
                    "smtp_username": "",
                    "smtp_password": "",
                    "transcripts": True,
                },
            )
            web = Channel.objects.get(pk=default_web_channel_id())  # made on first use
            web.config = {"transcripts": True}
            web.save()
            ana = make_agent("ana", name="Ana")
            visitor = make_visitor(email="wei@example.com", name="Wei")
            shopper_says(visitor, "Do you have the jacket in red?")
            conversation = Conversation.objects.get(visitor=visitor)
            agent_says(ana, conversation, "Yes, in red and in blue.")
            agent_says(ana, conversation, "note: check stock", private=True)
            from tests.procs import celery_worker, daphne, server_env

            env = server_env(connection.settings_dict["NAME"])
            connection.close()
            with daphne(env) as base, celery_worker(env, "e2e-transcript"):
                agent = desk_login(browser, pages, base, "ana")
                agent.locator('.dk-tab[data-view="all"]').click()
                row(agent, conversation.pk).click()
                box = pane(agent, conversation.pk)
                expect(box.locator(".dk-pane-channel .dk-ch-web")).to_be_visible()
                expect(box.locator(".dk-transcript")).to_be_hidden()  # open: not yet
                box.locator(".dk-resolve").click()
                mail = off_loop(sink.wait, 1, 60)[0]
                assert mail["To"] == "wei@example.com"
                assert mail["Auto-Submitted"] == "auto-generated"
                text = _text(mail)
                assert "Do you have the jacket in red?" in text
                assert "Yes, in red and in blue." in text
                assert "check stock" not in text
                # Resolved: the header offers to mail it again, to an address the agent types.
                button = box.locator(".dk-transcript")
                expect(button).to_be_visible()
                button.click()
                expect(agent.locator(".dk-toast", has_text="wei@example.com")).to_be_visible()
                second = off_loop(sink.wait, 2, 60)[1]
                assert second["To"] == "wei@example.com"
                assert "Yes, in red and in blue." in _text(second)
                _sender, recipients, _m = sink.mails[0]
                assert recipients == ["wei@example.com"]
    finally:
        connection.close()
