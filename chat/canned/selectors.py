"""Reads of canned replies: the composer's ``/`` search and placeholder filling."""

from __future__ import annotations

import logging
import re
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from chat.access import Actor, access_conversation
from chat.models import CannedReply, Conversation
from helpdesk.errors import NotFound

logger = logging.getLogger(__name__)

# {{ group.field }} or {{ group.field | fallback }} with lowercase names only; anything else is
# left exactly as written. The fallback is plain text (any language, no braces or "|"), used when
# the conversation has no data for the placeholder: "Hi {{customer.first_name|there}}".
PLACEHOLDER_RE = re.compile(r"\{\{\s*([a-z_]+)\.([a-z_]+)\s*(?:\|([^{}|]{0,100}))?\}\}")
PLACEHOLDERS = (
    "customer.name",
    "customer.first_name",
    "customer.email",
    "customer.phone",
    "order.number",
    "order.status",
    "order.tracking_number",
    "agent.name",
)


def canned_search(*, user: Any, query: str = "", limit: int = 20) -> QuerySet[CannedReply]:
    """Shared replies and the agent's own matching ``query``: shortcut prefix matches first,
    then the agent's own before shared ones."""
    query = query.strip().lstrip("/")[:100]
    qs = CannedReply.objects.filter(Q(owner=user) | Q(owner__isnull=True))
    if query:
        qs = qs.filter(
            Q(shortcut__istartswith=query) | Q(title__icontains=query) | Q(body__icontains=query)
        ).annotate(
            prefix=Case(
                When(shortcut__istartswith=query, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
    else:
        qs = qs.annotate(prefix=Value(0, output_field=IntegerField()))
    mine = Case(When(owner=user, then=Value(0)), default=Value(1), output_field=IntegerField())
    return qs.annotate(mine=mine).order_by("prefix", "mine", "shortcut")[: max(1, min(limit, 50))]


def _latest_order(customer_id: int) -> dict[str, Any] | None:
    """The newest order as the sidebar shows it (orders app's selector), or None."""
    try:
        from orders.selectors import customer_sidebar
    except ImportError:  # pragma: no cover - orders without selectors
        return None
    try:
        orders = customer_sidebar(customer_id=customer_id).get("orders") or []
    except Exception:
        logger.exception("sidebar data for placeholders failed")
        return None
    return orders[0] if orders else None


def placeholder_values(*, conversation: Conversation, agent: Any) -> dict[str, str]:
    """What each placeholder stands for in this conversation ('' when unknown)."""
    values = dict.fromkeys(PLACEHOLDERS, "")
    customer = conversation.customer if conversation.customer_id else None
    visitor = conversation.visitor
    name = (customer.name if customer else "") or visitor.name
    values["customer.name"] = name
    values["customer.first_name"] = name.split()[0] if name.split() else ""
    values["customer.email"] = (customer.email if customer else "") or visitor.email
    values["customer.phone"] = customer.phone if customer else ""
    if customer is not None:
        order = _latest_order(customer.pk)
        if order:
            values["order.number"] = str(order.get("number") or "")
            values["order.status"] = str(order.get("status_label") or order.get("status") or "")
            shipments = order.get("shipments") or []
            if shipments:
                values["order.tracking_number"] = str(shipments[0].get("tracking_number") or "")
    profile = getattr(agent, "agent_profile", None)
    values["agent.name"] = profile.name if profile else agent.get_username()
    return values


def fill_placeholders(text: str, values: dict[str, str]) -> tuple[str, list[str]]:
    """Replace known placeholders in one pass; values are never scanned again, so a customer
    named "{{agent.name}}" stays literally that. A placeholder without data becomes its fallback
    (``{{customer.name|there}}``, surrounding spaces trimmed) or, with none written, empty and
    its key is listed. Returns the text and the keys with no data and no fallback."""
    missing: list[str] = []

    def sub(match: re.Match[str]) -> str:
        key = f"{match.group(1)}.{match.group(2)}"
        if key not in values:
            return match.group(0)
        if not values[key].strip():
            if match.group(3) is not None:
                return match.group(3).strip()
            if key not in missing:
                missing.append(key)
            return ""
        return values[key]

    return PLACEHOLDER_RE.sub(sub, text), missing


def canned_render(*, actor: Actor, canned_id: Any, conversation_id: Any) -> tuple[str, list[str]]:
    """A canned reply's text filled for one conversation, and the placeholders without data."""
    try:
        pk = int(canned_id)
    except (TypeError, ValueError):
        raise NotFound("Canned reply not found.") from None
    reply = (
        CannedReply.objects.filter(pk=pk)
        .filter(Q(owner=actor.user) | Q(owner__isnull=True))
        .first()
    )
    if reply is None:
        raise NotFound("Canned reply not found.")
    conversation = access_conversation(actor=actor, conversation_id=conversation_id)
    conversation = Conversation.objects.select_related("customer", "visitor").get(
        pk=conversation.pk
    )
    return fill_placeholders(
        reply.body, placeholder_values(conversation=conversation, agent=actor.user)
    )
