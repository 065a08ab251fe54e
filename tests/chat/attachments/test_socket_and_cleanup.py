"""message.send with an attachment over the real WebSocket router; orphan cleanup."""

from __future__ import annotations

import datetime as dt

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from chat.attachments.tasks import media_orphans_cleanup
from chat.models import Attachment, Message
from tests.chat.attachments import samples
from tests.factories import Agent, Shopper, stored_files
from tests.sockets import agent_socket, receive_type, visitor_socket


@pytest.mark.django_db(transaction=True)
async def test_attachment_frame_acks_once_and_reaches_the_agent() -> None:
    shopper = await sync_to_async(Shopper)()
    agent = await sync_to_async(Agent)()
    upload = (await sync_to_async(shopper.upload)(samples.png(), name="p.png")).json()
    sock = await visitor_socket(shopper.token)
    desk = await agent_socket(agent.user)
    try:
        frame = {"type": "message.send", "client_id": "c-1", "body": "", "attachment": upload["id"]}
        await sock.send_json_to(frame)
        ack = await receive_type(sock, "message.ack")
        message = ack["message"]
        assert message["kind"] == "image" and message["attachment"]["id"] == upload["id"]
        # A retry (lost ack) returns the same message; nothing new is stored.
        await sock.send_json_to(frame)
        again = await receive_type(sock, "message.ack")
        assert again["message"]["id"] == message["id"]
        assert await sync_to_async(Message.objects.filter(sender_kind="visitor").count)() == 1
        # Another message may not reuse the upload.
        await sock.send_json_to({**frame, "client_id": "c-2"})
        error = await receive_type(sock, "error")
        assert error["code"] == "bad_request" and error["client_id"] == "c-2"
        assert error["fields"] == {"attachment": ["Already used."]}
        # The agent replays the conversation and sees the attachment.
        await desk.send_json_to(
            {"type": "resume", "conversation": message["conversation"], "after_seq": 0}
        )
        # Other parts of the desk (bot, queue) may add their own messages; find ours.
        created = await receive_type(desk, "message.created")
        while created["message"]["id"] != message["id"]:
            created = await receive_type(desk, "message.created")
        assert created["message"]["attachment"]["thumbnail"]["url"]
        response = await sync_to_async(agent.get)(
            created["message"]["attachment"]["thumbnail"]["url"]
        )
        assert response.status_code == 200
    finally:
        await sock.disconnect()
        await desk.disconnect()


@pytest.mark.django_db
def test_orphans_are_cleaned_but_sent_files_stay(
    shopper, media_root, django_capture_on_commit_callbacks
) -> None:
    from chat import services
    from chat.access import Actor

    old = shopper.upload(samples.png(), name="old.png").json()
    sent = shopper.upload(samples.png(), name="sent.png").json()
    shopper.upload(samples.png(), name="fresh.png")
    services.message_send(
        actor=Actor(visitor=shopper.visitor), client_id="c", body="", attachment_id=sent["id"]
    )
    Attachment.objects.filter(public_id__in=[old["id"], sent["id"]]).update(
        created_at=timezone.now() - dt.timedelta(hours=30)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert media_orphans_cleanup.delay().get() == 1
    left = set(Attachment.objects.values_list("name", flat=True))
    assert left == {"sent.png", "fresh.png"}
    assert len(stored_files(media_root)) == 4
