"""What an agent's workspace hears, live, when mail arrives (the in-process agent socket on the
real router and Redis layer)."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async

from inboxes.email.receive import email_receive
from tests.factories import make_agent, make_email_channel
from tests.providers import mail
from tests.sockets import agent_socket, receive_type

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _no_auto_assign(settings: Any) -> None:
    # The agent's socket must not take the new thread (routing would add its own frames).
    settings.HELPDESK = {**settings.HELPDESK, "AUTO_ASSIGN": False}


async def test_a_new_email_threads_first_list_frame_carries_its_subject() -> None:
    channel = await sync_to_async(make_email_channel)()
    agent = await sync_to_async(make_agent)("ana")
    desk = await agent_socket(agent)
    try:
        await sync_to_async(email_receive)(channel=channel, raw=mail(subject="Parcel is late"))
        created = await receive_type(desk, "conversation.created")
        assert created["conversation"]["channel"]["kind"] == "email"
        assert created["conversation"].get("channel_extra") == {"subject": "Parcel is late"}
    finally:
        await desk.disconnect()
