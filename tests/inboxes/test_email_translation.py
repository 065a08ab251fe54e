"""An agent's reply on the email channel leaves in the shopper's language, marked, with the
original under it; when the provider fails the original leaves, on time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from chat.access import Actor
from chat.models import Conversation, MessageTranslation
from chat.services import message_send
from inboxes.email.receive import email_receive
from inboxes.models import OutboundDelivery
from tests.factories import make_agent
from tests.providers import LibreTranslateApi, mail, provider_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def libretranslate(settings: Any) -> Iterator[LibreTranslateApi]:
    api = LibreTranslateApi()
    with provider_server(api) as url:
        settings.HELPDESK_TRANSLATION = {
            **settings.HELPDESK_TRANSLATION,
            "PROVIDER": "libretranslate",
            "URL": url,
            "TIMEOUT": 2.0,
            "RETRIES": 0,
        }
        yield api


def reply(conversation: Conversation, body: str, cid: str) -> Any:
    agent = make_agent()
    message, _created = message_send(
        actor=Actor(user=agent), client_id=cid, body=body, conversation_id=conversation.pk
    )
    return message


def text_of(sent: Any) -> str:
    return sent.get_payload(0).get_payload(decode=True).decode().replace("\r\n", "\n")


def test_the_reply_mail_is_in_the_shoppers_language_with_the_original(
    email_channel: Any,
    smtp: Any,
    libretranslate: LibreTranslateApi,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _host, _port, sink = smtp
    with django_capture_on_commit_callbacks(execute=True):
        email_receive(channel=email_channel, raw=mail(text="Wo ist meine Bestellung?"))
    conversation = Conversation.objects.get(channel=email_channel)
    with django_capture_on_commit_callbacks(execute=True):
        message = reply(conversation, "Your order ships tomorrow.", "r-1")
    body = text_of(sink.wait(1)[0])
    assert body.startswith("Ihre Bestellung wird morgen versandt.")
    assert "Translated automatically. The original:\nYour order ships tomorrow." in body
    assert MessageTranslation.objects.get(message_id=message.pk).status == "done"
    message.refresh_from_db()
    assert message.body == "Your order ships tomorrow."  # stored as written


def test_a_failing_provider_delivers_the_original(
    email_channel: Any,
    smtp: Any,
    libretranslate: LibreTranslateApi,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _host, _port, sink = smtp
    with django_capture_on_commit_callbacks(execute=True):
        email_receive(channel=email_channel, raw=mail(text="Wo ist meine Bestellung?"))
    conversation = Conversation.objects.get(channel=email_channel)
    libretranslate.fail_next = 100
    with django_capture_on_commit_callbacks(execute=True):
        message = reply(conversation, "Your order ships tomorrow.", "r-2")
    body = text_of(sink.wait(1)[0])
    assert body.strip() == "Your order ships tomorrow."
    assert OutboundDelivery.objects.get(message=message).status == "sent"
    assert MessageTranslation.objects.get(message_id=message.pk).status == "failed"
