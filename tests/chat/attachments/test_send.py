"""An upload becomes a message through the normal message.send path, once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chat import events, selectors, services
from chat.access import Actor
from chat.models import Attachment, Message
from helpdesk.errors import HelpdeskError
from tests.chat.attachments import samples
from tests.factories import make_visitor

pytestmark = pytest.mark.django_db


def send(actor: Actor, client_id: str, attachment: str, **kwargs):
    return services.message_send(
        actor=actor,
        client_id=client_id,
        body=kwargs.pop("body", ""),
        attachment_id=attachment,
        **kwargs,
    )


def test_shopper_sends_an_image(shopper) -> None:
    upload = shopper.upload(samples.png(), name="shirt.png").json()
    message, created = send(Actor(visitor=shopper.visitor), "c-1", upload["id"])
    assert created and message.kind == Message.Kind.IMAGE and message.body == ""
    payload = events.message_payload(message)
    assert payload["kind"] == "image"
    attachment = payload["attachment"]
    assert attachment["id"] == upload["id"] and attachment["name"] == "shirt.png"
    assert attachment["url"].startswith("/api/v1/files/")
    assert attachment["thumbnail"]["url"] != attachment["url"]
    assert message.conversation.last_message_preview == "[image]"


def test_retry_with_same_client_id_stores_nothing_new(shopper) -> None:
    upload = shopper.upload(samples.png(), name="a.png").json()
    actor = Actor(visitor=shopper.visitor)
    first, created = send(actor, "c-1", upload["id"], body="look")
    again, created_again = send(actor, "c-1", upload["id"], body="look")
    assert created and not created_again and again.pk == first.pk
    assert Message.objects.filter(sender_kind__in=["visitor", "agent"]).count() == 1
    assert events.message_payload(again)["attachment"]["id"] == upload["id"]


def test_an_upload_is_attached_once(shopper) -> None:
    upload = shopper.upload(samples.png(), name="a.png").json()
    actor = Actor(visitor=shopper.visitor)
    send(actor, "c-1", upload["id"])
    with pytest.raises(HelpdeskError) as error:
        send(actor, "c-2", upload["id"])
    assert error.value.code == "bad_request" and error.value.fields == {
        "attachment": ["Already used."]
    }
    assert Message.objects.filter(sender_kind__in=["visitor", "agent"]).count() == 1


def test_someone_elses_upload_cannot_be_sent(shopper, agent) -> None:
    upload = shopper.upload(samples.png(), name="a.png").json()
    other = make_visitor()
    with pytest.raises(HelpdeskError) as error:
        send(Actor(visitor=other), "c-1", upload["id"])
    assert error.value.code == "not_found"
    conversation = send(
        Actor(visitor=shopper.visitor), "c-0", shopper.upload(samples.png()).json()["id"]
    )[0].conversation
    with pytest.raises(HelpdeskError):
        send(Actor(user=agent.user), "a-1", upload["id"], conversation_id=conversation.pk)
    # Nothing was created by the failed sends: no message, no conversation for the other one.
    assert Message.objects.filter(sender_kind__in=["visitor", "agent"]).count() == 1
    assert not other.conversations.exists()


@pytest.mark.parametrize("bad", [123, "not-a-uuid", "", ["x"], "0" * 100])
def test_bad_attachment_ids_are_errors_not_crashes(shopper, bad) -> None:
    with pytest.raises(HelpdeskError):
        send(Actor(visitor=shopper.visitor), "c-1", bad)
    assert Message.objects.filter(sender_kind__in=["visitor", "agent"]).count() == 0


def test_agent_sends_a_pdf(shopper, agent) -> None:
    conversation = send(
        Actor(visitor=shopper.visitor), "c-1", shopper.upload(samples.png()).json()["id"]
    )[0].conversation
    upload = agent.upload(b"%PDF-1.4\n1 0 obj\n", name="manual.pdf").json()
    message, _ = send(Actor(user=agent.user), "a-1", upload["id"], conversation_id=conversation.pk)
    assert message.kind == Message.Kind.FILE
    payload = events.message_payload(message)["attachment"]
    assert payload["content_type"] == "application/pdf" and payload["thumbnail"] is None


def test_history_has_no_query_per_attachment(shopper, agent) -> None:
    actor = Actor(visitor=shopper.visitor)
    conversation = None
    for i in range(3):
        message, _ = send(
            actor, f"c-{i}", shopper.upload(samples.png(), name=f"{i}.png").json()["id"]
        )
        conversation = message.conversation
    services.message_send(actor=actor, client_id="t", body="text")

    def history_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            _conv, messages = selectors.messages_after(
                actor=Actor(user=agent.user), conversation_id=conversation.pk
            )
            payloads = [events.message_payload(m) for m in messages]
        assert sum(1 for p in payloads if p["attachment"]) == len(payloads) - 1
        return len(ctx.captured_queries)

    history_queries()  # warm the per-user agent check
    few = history_queries()
    assert few <= 2
    for i in range(3, 9):
        send(actor, f"c-{i}", shopper.upload(samples.png(), name=f"{i}.png").json()["id"])
    assert history_queries() == few


def test_text_messages_cost_no_attachment_query(shopper) -> None:
    message = services.message_send(
        actor=Actor(visitor=shopper.visitor), client_id="c-1", body="hi"
    )[0]
    fresh = Message.objects.select_related("conversation").get(pk=message.pk)
    with CaptureQueriesContext(connection) as ctx:
        assert events.message_payload(fresh)["attachment"] is None
    assert len(ctx.captured_queries) == 0


def test_deleting_a_message_deletes_its_files(
    shopper, media_root, django_capture_on_commit_callbacks
) -> None:
    from tests.factories import stored_files

    message, _ = send(
        Actor(visitor=shopper.visitor), "c-1", shopper.upload(samples.png()).json()["id"]
    )
    assert len(stored_files(media_root)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        message.conversation.delete()
    assert Attachment.objects.count() == 0 and stored_files(media_root) == []
