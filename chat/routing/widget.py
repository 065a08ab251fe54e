"""What the storefront widget asks of routing: availability, leave-a-message, proactive chat."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chat import events
from chat.access import Actor
from chat.models import LeftMessage, ProactiveChatSettings, Visitor
from chat.services.message_send import message_send
from chat.services.messages import activity_create, check_body
from helpdesk.errors import BadRequest

from . import business_hours, selectors, services

PHONE_RE = re.compile(r"^\+?[0-9 ()./-]{5,40}$")


def availability(*, team_id: int | None = None) -> dict[str, Any]:
    """Is anyone there? Business hours, the next opening and whether an agent is available."""
    team = team_id or selectors.default_team_id()
    now = timezone.now()
    open_now = business_hours.is_open(team_id=team, at=now)
    agents, _capacity = selectors.free_slots(team)
    return {
        "team": team,
        "open": open_now,
        "next_open": (
            None
            if open_now
            else events.isoformat(business_hours.next_open(team_id=team, after=now))
        ),
        "agents_available": agents > 0,
    }


def check_contact(*, email: Any, phone: Any) -> tuple[str, str]:
    email = (email or "").strip() if isinstance(email, str | type(None)) else None
    phone = (phone or "").strip() if isinstance(phone, str | type(None)) else None
    if email is None or phone is None:
        raise BadRequest("email and phone must be strings.")
    fields: dict[str, list[str]] = {}
    if email:
        try:
            validate_email(email)
        except ValidationError:
            fields["email"] = ["Enter a valid email address."]
    if phone and (not PHONE_RE.match(phone) or sum(c.isdigit() for c in phone) < 5):
        fields["phone"] = ["Enter a valid phone number."]
    if not email and not phone:
        fields["email"] = ["Leave an email or a phone number."]
    if fields:
        raise BadRequest("Invalid contact details.", fields=fields)
    return email[:254], phone[:40]


def message_leave(
    *, visitor: Visitor, body: Any, email: Any = "", phone: Any = "", client_id: Any = None
) -> LeftMessage:
    """Outside hours (or with nobody free) the shopper leaves a message and a way back. The
    text joins the conversation as the shopper's message; the conversation is queued with
    priority so the next shift picks it up first. Repeating the same ``client_id`` stores
    nothing new."""
    email, phone = check_contact(email=email, phone=phone)
    body = check_body(body)
    client_id = client_id or f"leave-{uuid.uuid4().hex}"
    with transaction.atomic():
        message, created = message_send(
            actor=Actor(visitor=visitor), client_id=client_id, body=body
        )
        conversation = message.conversation
        if not created:
            existing = (
                LeftMessage.objects.filter(conversation=conversation, body=body)
                .order_by("-pk")
                .first()
            )
            if existing is not None:
                return existing
        left = LeftMessage.objects.create(
            conversation=conversation, email=email, phone=phone, body=body
        )
        if email and not visitor.email:
            Visitor.objects.filter(pk=visitor.pk).update(email=email)
        contact = ", ".join(x for x in (email, phone) if x)
        activity_create(
            conversation=conversation,
            text=_("The shopper left a message; contact: %(contact)s") % {"contact": contact},
        )
        services.conversation_enqueue(
            conversation_id=conversation.pk,
            reason="left_message",
            priority=services.PRIORITY_LEFT_MESSAGE,
        )
        return left


def proactive_settings() -> ProactiveChatSettings:
    settings_row, _created = ProactiveChatSettings.objects.get_or_create(pk=1)
    return settings_row


def proactive_for(*, language: str) -> dict[str, Any]:
    """The public proactive-chat settings, greeting in the shopper's language."""
    row = proactive_settings()
    zh = language.lower().startswith("zh")
    return {
        "enabled": row.enabled,
        "delay_seconds": row.delay_seconds,
        "greeting": row.greeting_zh if zh else row.greeting_en,
    }
