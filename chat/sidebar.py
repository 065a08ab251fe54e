"""Reads and writes behind the customer sidebar: the sidebar itself (chat's view of the
shopper plus ``orders.selectors``, and what other apps add through
:func:`sidebar_part_register`) and the widget's page reports (live ``visitor.page``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from orders import selectors as order_selectors
from orders import services as order_services

from . import events
from .access import Actor, access_conversation
from .models import Conversation, Visitor

PREVIOUS_CONVERSATIONS = 10

SidebarPart = Callable[[int | None], dict[str, Any]]
_sidebar_parts: list[SidebarPart] = []


def sidebar_part_register(part: SidebarPart) -> None:
    """Add keys to every conversation's sidebar: ``part(customer_id)`` (None: the shopper is
    not a known customer) returns them (inboxes: ``contacts``, every address that reaches the
    shopper). Registering one twice changes nothing."""
    if part not in _sidebar_parts:
        _sidebar_parts.append(part)


def sidebar_parts() -> list[SidebarPart]:
    """The registered parts, in order (docs/architecture.md lists them)."""
    return list(_sidebar_parts)


def conversation_sidebar(*, actor: Actor, conversation_id: Any) -> dict[str, Any]:
    """The sidebar of one conversation: the shopper (visitor and customer), totals, recent
    orders with tracking, recently viewed products, and previous conversations."""
    conversation = access_conversation(actor=actor, conversation_id=conversation_id)
    visitor = Visitor.objects.get(pk=conversation.visitor_id)
    customer_id = conversation.customer_id or visitor.customer_id
    if customer_id is not None:
        visitors = list(
            Visitor.objects.filter(Q(customer_id=customer_id) | Q(pk=visitor.pk)).values_list(
                "public_id", flat=True
            )[:50]
        )
        history_cond = Q(customer_id=customer_id) | Q(visitor_id=visitor.pk)
    else:
        visitors = [visitor.public_id]
        history_cond = Q(visitor_id=visitor.pk)
    data = order_selectors.customer_sidebar(customer_id=customer_id, visitor_keys=visitors)
    previous = (
        Conversation.objects.filter(history_cond)
        .exclude(pk=conversation.pk)
        .order_by("-last_activity_at", "-pk")[:PREVIOUS_CONVERSATIONS]
    )
    data["visitor"] = {
        "id": visitor.pk,
        "name": visitor.display_name if customer_id is None else visitor.name,
        # A made-up "Amber Otter" (docs/protocol.md): the desk shows its words translated.
        "nickname": customer_id is None and visitor.has_nickname,
        "email": visitor.email,
        "language": visitor.language,
        "current_url": visitor.current_url,
        "current_title": visitor.current_title,
        "last_seen_at": events.isoformat(visitor.last_seen_at),
        "verified": visitor.customer_id is not None,
    }
    data["conversation"] = conversation.pk
    data["previous_conversations"] = [
        {
            "id": c.pk,
            "status": c.status,
            "created_at": events.isoformat(c.created_at),
            "last_activity_at": events.isoformat(c.last_activity_at),
            "preview": c.last_message_preview,
            "channel": {"id": c.channel_id, "kind": c.channel.kind, "name": c.channel.name},
        }
        for c in previous.select_related("channel")
    ]
    for part in _sidebar_parts:
        data.update(part(customer_id))
    return data


def visitor_page_record(
    *,
    visitor: Visitor,
    kind: str,
    url: str = "",
    title: str = "",
    product: str = "",
    occurred_at: Any = None,
) -> None:
    """The widget reports a page or product view: keep it for the sidebar, move the visitor's
    current page, and tell agents watching the visitor's conversation (``visitor.page``)."""
    from .selectors import conversation_current_for_visitor

    with transaction.atomic():
        order_services.browsing_event_record(
            kind=kind,
            url=url,
            title=title,
            customer_id=visitor.customer_id,
            visitor_key=visitor.public_id,
            product_external_id=product,
            product_slug=_slug_from_url(url) if not product and kind != "page_view" else "",
            occurred_at=occurred_at,
        )
        now = timezone.now()
        Visitor.objects.filter(pk=visitor.pk).update(
            current_url=url[:1000], current_title=title[:300], last_seen_at=now
        )
        conversation = conversation_current_for_visitor(visitor=visitor)
        if conversation is not None and conversation.status != Conversation.Status.RESOLVED:
            events.publish(
                [events.group_conversation(conversation.pk)],
                {
                    "type": events.Frame.VISITOR_PAGE,
                    "conversation": conversation.pk,
                    "visitor": visitor.pk,
                    "kind": kind,
                    "url": url[:1000],
                    "title": title[:300],
                    "at": events.isoformat(now),
                },
            )


def _slug_from_url(url: str) -> str:
    """The demo storefront's product pages are ``/p/<slug>/``."""
    from urllib.parse import urlparse

    parts = [p for p in urlparse(url).path.split("/") if p]
    return parts[1][:300] if len(parts) >= 2 and parts[0] == "p" else ""
