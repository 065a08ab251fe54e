"""Email end to end with a real local SMTP server and anymail's Mailgun inbound webhook:
threading, dedupe, forged and malformed posts, machine mail, attachments, outages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from chat.access import Actor
from chat.models import Conversation, Message
from chat.services import message_send
from inboxes.email.receive import email_receive
from inboxes.email.threading import conversation_from_address, reply_address
from inboxes.models import EmailDetail, ExternalMessage, InboundEvent, OutboundDelivery
from orders.models import ContactIdentity
from tests.factories import make_agent
from tests.providers import mail, mailgun_post

pytestmark = pytest.mark.django_db


def agent_reply(agent: Any, conversation: Conversation, body: str, cid: str = "r-1") -> Message:
    message, _created = message_send(
        actor=Actor(user=agent), client_id=cid, body=body, conversation_id=conversation.pk
    )
    return message


def test_inbound_webhook_opens_a_conversation_in_the_email_channel(
    email_channel, client: Client, django_capture_on_commit_callbacks
) -> None:
    raw = mail(
        text="Hello, where is my parcel?\n\nOn Mon, Support <support@shop.test> wrote:\n> old text\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = mailgun_post(client, raw)
    assert response.status_code == 200, response.content
    conversation = Conversation.objects.get(channel=email_channel)
    message = conversation.messages.get()
    assert message.body == "Hello, where is my parcel?"  # the quote is cut
    assert message.sender_kind == "visitor"
    assert conversation.visitor.address == "jane@example.com"
    assert conversation.customer is not None
    assert ContactIdentity.objects.filter(
        customer=conversation.customer, kind="email", value="jane@example.com"
    ).exists()
    detail = EmailDetail.objects.get(message=message)
    assert detail.subject == "Where is my order?" and "old text" in detail.text and detail.raw
    # The repeated delivery (ESPs retry) stores nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        again = mailgun_post(client, raw)
    assert again.status_code == 200
    assert Message.objects.filter(conversation__channel=email_channel).count() == 1


@pytest.mark.parametrize(
    "tamper",
    ["signature", "auth", "garbage"],
)
def test_forged_or_malformed_webhook_is_4xx_and_stores_nothing(
    email_channel, client: Client, tamper: str
) -> None:
    raw = mail()
    if tamper == "signature":
        response = mailgun_post(client, raw, key="wrong-key")
    elif tamper == "auth":
        response = mailgun_post(client, raw, auth=("esp", "guess"))
    else:
        response = client.post(
            "/inboxes/email/mailgun/inbound/", "not a form", content_type="application/json"
        )
    assert 400 <= response.status_code < 500
    assert response.json()["code"] in ("bad_request", "unauthorized")
    assert not Conversation.objects.filter(channel=email_channel).exists()
    assert not ExternalMessage.objects.exists()
    assert not InboundEvent.objects.exists()


def test_agent_reply_reaches_smtp_with_threading_and_the_next_mail_joins_the_thread(
    email_channel, smtp, django_capture_on_commit_callbacks
) -> None:
    _host, _port, sink = smtp
    first = mail(message_id="<first@example.com>")
    with django_capture_on_commit_callbacks(execute=True):
        email_receive(channel=email_channel, raw=first)
    conversation = Conversation.objects.get(channel=email_channel)
    agent = make_agent()
    with django_capture_on_commit_callbacks(execute=True):
        reply = agent_reply(agent, conversation, "It ships tomorrow.")
    sent = sink.wait(1)[0]
    assert sent["To"] == "jane@example.com"
    assert sent["In-Reply-To"] == "<first@example.com>"
    assert "<first@example.com>" in sent["References"]
    assert sent["Subject"] == "Re: Where is my order?"
    assert conversation_from_address(email_channel, [sent["Reply-To"]]) == conversation.pk
    assert "Auto-Submitted" not in sent  # a person's reply
    assert "It ships tomorrow." in sent.get_payload(0).get_payload(decode=True).decode()
    delivery = OutboundDelivery.objects.get(message=reply)
    assert delivery.status == "sent" and delivery.attempts == 1
    # The customer answers our mail: In-Reply-To names our Message-ID.
    second = mail(text="Thanks!", in_reply_to=sent["Message-ID"], subject="Re: Where is my order?")
    with django_capture_on_commit_callbacks(execute=True):
        email_receive(channel=email_channel, raw=second)
    assert Conversation.objects.filter(channel=email_channel).count() == 1
    assert conversation.messages.filter(sender_kind="visitor").count() == 2
    # A mail client that dropped the headers still threads by the signed Reply-To address.
    third = mail(text="One more thing", to=sent["Reply-To"], subject="another")
    with django_capture_on_commit_callbacks(execute=True):
        email_receive(channel=email_channel, raw=third)
    assert conversation.messages.filter(sender_kind="visitor").count() == 3
    # A new mail without references opens a new conversation.
    with django_capture_on_commit_callbacks(execute=True):
        email_receive(
            channel=email_channel, raw=mail(subject="Other question", text="Do you ship to Mars?")
        )
    assert Conversation.objects.filter(channel=email_channel).count() == 2


def test_a_forged_reply_address_does_not_thread(email_channel) -> None:
    good = reply_address(email_channel, 41)
    forged = good.replace("+c41.", "+c42.")
    assert conversation_from_address(email_channel, [good]) == 41
    assert conversation_from_address(email_channel, [forged]) is None


@pytest.mark.parametrize(
    ("headers", "sender", "why"),
    [
        ({"Auto-Submitted": "auto-replied"}, "Jane <jane@example.com>", "auto-reply"),
        ({"X-Autoreply": "yes"}, "Jane <jane@example.com>", "auto-reply"),
        ({"Precedence": "bulk"}, "News <news@example.com>", "mailing-list"),
        ({"List-Id": "<deals.example.com>"}, "Deals <deals@example.com>", "mailing-list"),
        ({"Return-Path": "<>"}, "Mail Delivery <mailer-daemon@example.com>", "bounce"),
        ({"X-Helpdesk-Loop": "support@shop.test"}, "Shop <support@shop.test>", "loop"),
    ],
)
def test_machine_mail_never_opens_a_conversation(
    email_channel, smtp, headers, sender, why, django_capture_on_commit_callbacks
) -> None:
    _h, _p, sink = smtp
    with django_capture_on_commit_callbacks(execute=True):
        result = email_receive(channel=email_channel, raw=mail(sender=sender, headers=headers))
    assert result.dropped == why
    assert not Conversation.objects.filter(channel=email_channel).exists()
    assert ExternalMessage.objects.get().note == why
    assert sink.mails == []  # no acknowledgement, no bot reply: nothing to loop on


def test_auto_reply_in_a_thread_is_a_private_note_and_never_answered(
    email_channel, smtp, django_capture_on_commit_callbacks
) -> None:
    email_channel.greeting = "Thanks, we got your mail."
    email_channel.save()
    _h, _p, sink = smtp
    with django_capture_on_commit_callbacks(execute=True):
        email_receive(channel=email_channel, raw=mail(message_id="<q@example.com>"))
    greeting = sink.wait(1)[0]
    assert greeting["Auto-Submitted"] == "auto-replied"  # our automatic mail says so (RFC 3834)
    conversation = Conversation.objects.get()
    ooo = mail(
        text="I am out of office until Monday.",
        in_reply_to=greeting["Message-ID"],
        headers={"Auto-Submitted": "auto-replied"},
        subject="Out of office",
    )
    with django_capture_on_commit_callbacks(execute=True):
        email_receive(channel=email_channel, raw=ooo)
    note = conversation.messages.order_by("-seq").first()
    assert note.private and note.sender_kind == "system" and "out of office" in note.body.lower()
    assert conversation.messages.filter(sender_kind="visitor").count() == 1
    assert len(sink.mails) == 1  # nothing went back


def test_bounce_marks_the_agents_message_failed_with_the_reason(
    email_channel, smtp, django_capture_on_commit_callbacks
) -> None:
    _h, _p, sink = smtp
    with django_capture_on_commit_callbacks(execute=True):
        email_receive(channel=email_channel, raw=mail())
    conversation = Conversation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        reply = agent_reply(make_agent(), conversation, "Here you go")
    sent = sink.wait(1)[0]
    dsn = (
        "From: Mail Delivery System <MAILER-DAEMON@example.com>\r\n"
        "To: support@shop.test\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <dsn-1@example.com>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; example.com\r\n\r\n"
        "Final-Recipient: rfc822; jane@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n"
        f"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {sent['Message-ID']}\r\n"
        "--B--\r\n"
    ).encode()
    with django_capture_on_commit_callbacks(execute=True):
        result = email_receive(channel=email_channel, raw=dsn)
    assert result.dropped == "bounce"
    delivery = OutboundDelivery.objects.get(message=reply)
    assert delivery.status == "failed" and "5.1.1" in delivery.error
    assert Conversation.objects.count() == 1


def test_oversize_attachment_is_refused_with_a_note_while_the_text_arrives(
    email_channel, django_capture_on_commit_callbacks
) -> None:
    from chat.models import MediaLimits

    limits, _ = MediaLimits.objects.get_or_create(pk=1)
    limits.file_max_mb = 1
    limits.save()
    big = b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024)
    small = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
    raw = mail(
        text="Invoice attached",
        attachments=[("big.pdf", big, "application/pdf"), ("small.pdf", small, "application/pdf")],
    )
    with django_capture_on_commit_callbacks(execute=True):
        email_receive(channel=email_channel, raw=raw)
    conversation = Conversation.objects.get()
    messages = list(conversation.messages.order_by("seq"))
    assert messages[0].body == "Invoice attached"
    assert [m.kind for m in messages if not m.private][1:] == ["file"]
    note = [m for m in messages if m.private]
    assert len(note) == 1 and "big.pdf" in note[0].body


def test_html_mail_is_sanitised_and_its_reply_read_from_the_html(
    email_channel, django_capture_on_commit_callbacks
) -> None:
    html = (
        '<div>New <b>text</b><script>alert(1)</script><img src="http://track/p.gif">'
        '<a href="javascript:alert(1)">x</a></div><div class="gmail_quote">On Mon wrote:<blockquote>old</blockquote></div>'
    )
    with django_capture_on_commit_callbacks(execute=True):
        email_receive(channel=email_channel, raw=mail(text="", html=html))
    message = Message.objects.get()
    assert message.body == "New text\nx" or message.body.startswith("New text")
    detail = EmailDetail.objects.get(message=message)
    assert (
        "<script" not in detail.html
        and "<img" not in detail.html
        and "javascript:" not in detail.html
    )
    assert "<b>text</b>" in detail.html


def test_provider_outage_retries_then_fails_with_the_reason(
    django_capture_on_commit_callbacks,
) -> None:
    from tests.factories import make_email_channel
    from tests.procs import free_port

    channel = make_email_channel(free_port())  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        email_receive(channel=channel, raw=mail())
    conversation = Conversation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        reply = agent_reply(make_agent(), conversation, "Hello?")
    delivery = OutboundDelivery.objects.get(message=reply)
    assert delivery.status == "failed"
    assert delivery.attempts == 3  # SEND_ATTEMPTS in the test settings
    assert "Connection" in delivery.error or "refused" in delivery.error.lower()
    assert Message.objects.filter(pk=reply.pk).exists()  # the agent's message stays


def test_refused_recipient_fails_at_once(
    email_channel, smtp, django_capture_on_commit_callbacks
) -> None:
    _h, _p, sink = smtp
    with django_capture_on_commit_callbacks(execute=True):
        email_receive(channel=email_channel, raw=mail())
    sink.refuse_with = (550, "5.1.1 No such user")
    with django_capture_on_commit_callbacks(execute=True):
        reply = agent_reply(make_agent(), Conversation.objects.get(), "Hi")
    delivery = OutboundDelivery.objects.get(message=reply)
    assert delivery.status == "failed" and delivery.attempts == 1 and "550" in delivery.error


def test_private_notes_and_web_conversations_send_nothing(
    email_channel, smtp, django_capture_on_commit_callbacks
) -> None:
    _h, _p, sink = smtp
    with django_capture_on_commit_callbacks(execute=True):
        email_receive(channel=email_channel, raw=mail())
    conversation = Conversation.objects.get()
    agent = make_agent()
    with django_capture_on_commit_callbacks(execute=True):
        message_send(
            actor=Actor(user=agent),
            client_id="n1",
            body="note",
            conversation_id=conversation.pk,
            private=True,
        )
    assert sink.mails == [] and not OutboundDelivery.objects.exists()


def test_message_payload_carries_channel_and_delivery(
    email_channel, smtp, django_capture_on_commit_callbacks
) -> None:
    from chat import events

    with django_capture_on_commit_callbacks(execute=True):
        email_receive(channel=email_channel, raw=mail())
    conversation = Conversation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        reply = agent_reply(make_agent(), conversation, "Hi there")
    smtp[2].wait(1)
    from chat.selectors import messages_after

    _conv, messages = messages_after(
        actor=Actor(user=make_agent()), conversation_id=conversation.pk
    )
    payloads = [events.message_payload(m) for m in messages]
    assert {p["channel"] for p in payloads} == {"email"}
    mine = next(p for p in payloads if p["id"] == reply.pk)
    assert mine["delivery"]["status"] == "sent"
    assert next(p for p in payloads if p["sender"]["kind"] == "visitor")["delivery"] is None
    staff = events.conversation_payload(conversation, staff=True)
    assert staff["channel"]["kind"] == "email" and staff["channel_window"] is None


def test_a_stored_event_that_keeps_failing_is_kept_failed_with_its_reason(
    email_channel, django_capture_on_commit_callbacks
) -> None:
    from inboxes import queue

    calls = []

    def broken(channel, raw):
        calls.append(raw)
        raise ValueError("parser exploded")

    previous = queue.processors["email"]
    queue.processors["email"] = broken
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert queue.event_accept(
                channel=email_channel, external_id="<x@example.com>", payload=b"raw"
            )
            assert not queue.event_accept(
                channel=email_channel, external_id="<x@example.com>", payload=b"raw"
            )
    finally:
        queue.processors["email"] = previous
    event = InboundEvent.objects.get()
    assert event.status == "failed" and event.attempts == 3 and "parser exploded" in event.error
    assert len(calls) == 3
    assert bytes(event.payload) == b"raw"  # kept for a look and a retry


def test_web_chat_transcript_is_mailed_and_an_answer_links_the_shopper(
    email_channel, smtp, django_capture_on_commit_callbacks
) -> None:
    from chat.models import Channel
    from tests.factories import make_visitor, shopper_says

    _h, _p, sink = smtp
    email_channel.config = {**email_channel.config, "transcripts": True}
    email_channel.save()
    web = Channel.objects.get(kind="web", is_default=True)
    web.config = {"transcripts": True}
    web.save()
    visitor = make_visitor(email="wei@example.com", name="Wei")
    with django_capture_on_commit_callbacks(execute=True):
        shopper_says(visitor, "Do you have it in red?")
        conversation = Conversation.objects.get(visitor=visitor)
        agent = make_agent()
        message_send(
            actor=Actor(user=agent),
            client_id="t1",
            body="Yes, in red too.",
            conversation_id=conversation.pk,
        )
        message_send(
            actor=Actor(user=agent),
            client_id="t2",
            body="internal",
            conversation_id=conversation.pk,
            private=True,
        )
    from chat.services import conversation_status_set

    with django_capture_on_commit_callbacks(execute=True):
        conversation_status_set(
            actor=Actor(user=agent), conversation_id=conversation.pk, status="resolved"
        )
    transcript = sink.wait(1)[0]
    assert (
        transcript["To"] == "wei@example.com" and transcript["Auto-Submitted"] == "auto-generated"
    )
    text = transcript.get_payload(0).get_payload(decode=True).decode()
    assert (
        "Do you have it in red?" in text and "Yes, in red too." in text and "internal" not in text
    )
    answer = mail(
        sender="Wei <wei@example.com>",
        text="Great, I'll take it",
        in_reply_to=transcript["Message-ID"],
        subject="Re: transcript",
    )
    with django_capture_on_commit_callbacks(execute=True):
        email_receive(channel=email_channel, raw=answer)
    email_conversation = Conversation.objects.get(channel=email_channel)
    visitor.refresh_from_db()
    assert visitor.customer_id is not None and email_conversation.customer_id == visitor.customer_id


def test_a_transcript_request_runs_twice_and_mails_once(email_channel, smtp) -> None:
    """A transcript's task may run twice (redelivered after a worker died): the request's
    key finds it sent and mails nothing; a try whose worker died before the mark sends
    again with the first try's Message-ID; a try still held by another worker stays pending
    (raises, so the pending sweep comes back). tests/faults/test_worker_kill.py kills a real
    worker after the send."""
    import datetime as dt

    from django.utils import timezone

    from chat.models import Channel
    from inboxes.email.transcript import TranscriptBusy, transcript_send
    from inboxes.models import TranscriptMail
    from tests.factories import make_visitor, shopper_says

    _h, _p, sink = smtp
    email_channel.config = {**email_channel.config, "transcripts": True}
    email_channel.save()
    Channel.objects.filter(kind="web", is_default=True).update(config={"transcripts": True})
    visitor = make_visitor(email="wei@example.com", name="Wei")
    shopper_says(visitor, "Do you have it in red?")
    conversation = Conversation.objects.get(visitor=visitor)

    transcript_send(conversation_id=conversation.pk, key="k1")
    transcript_send(conversation_id=conversation.pk, key="k1")
    assert len(sink.wait(1)) == 1
    first = sink.mails[0][2]["Message-ID"]
    record = TranscriptMail.objects.get(key="k1")
    assert record.sent_at is not None and f"<{record.mail_id}>" == first

    # Killed between the send and the mark: the claim ran out, the mail goes again, same id.
    TranscriptMail.objects.filter(key="k1").update(
        sent_at=None, claimed_until=timezone.now() - dt.timedelta(seconds=1)
    )
    transcript_send(conversation_id=conversation.pk, key="k1")
    assert [m["Message-ID"] for _f, _t, m in sink.mails] == [first, first]

    # Held by a try in flight: nothing sent, the caller is told to come back.
    TranscriptMail.objects.create(
        key="k2",
        conversation=conversation,
        mail_id="held@shop.test",
        claimed_until=timezone.now() + dt.timedelta(minutes=1),
    )
    with pytest.raises(TranscriptBusy):
        transcript_send(conversation_id=conversation.pk, key="k2")
    # A new request (another key) is a new mail.
    transcript_send(conversation_id=conversation.pk, key="k3")
    assert len(sink.mails) == 3 and sink.mails[2][2]["Message-ID"] != first


def test_a_pause_longer_than_the_broker_holds_is_left_to_the_sweep(
    email_channel, smtp, settings, django_capture_on_commit_callbacks
) -> None:
    """A retry pause past ``HELPDESK_TASK_COUNTDOWN_MAX`` is not queued as a countdown (Redis
    would hand a task waiting past its visibility timeout to a second worker); the delivery
    waits as pending with its ``next_attempt_at`` and the beat's sweep sends it when due."""
    import datetime as dt

    from django.utils import timezone

    from inboxes.outbound import outbound_sweep

    _h, _p, sink = smtp
    settings.HELPDESK_CHANNELS = {"SEND_ATTEMPTS": 3, "BACKOFF_SECONDS": 400.0}
    assert settings.HELPDESK_TASK_COUNTDOWN_MAX < 400
    with django_capture_on_commit_callbacks(execute=True):
        email_receive(channel=email_channel, raw=mail())
    sink.refuse_with = (451, "4.3.0 Try again later")
    with django_capture_on_commit_callbacks(execute=True):
        reply = agent_reply(make_agent(), Conversation.objects.get(), "Hi")
    delivery = OutboundDelivery.objects.get(message=reply)
    # Eager Celery would have run a queued retry at once: one try only means none was queued.
    assert delivery.status == "pending" and delivery.attempts == 1
    assert delivery.next_attempt_at is not None
    assert delivery.next_attempt_at > timezone.now() + dt.timedelta(seconds=390)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbound_sweep() == 0  # not due yet
    sink.refuse_with = None
    past = timezone.now() - dt.timedelta(minutes=10)
    OutboundDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=past, updated_at=past)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbound_sweep() == 1
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 2
    assert len(sink.mails) == 1
