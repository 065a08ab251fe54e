"""Shoppers: the signed visitor token, the widget's session, linking a visitor to a customer."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.core import signing
from django.db import transaction
from django.utils import timezone

from helpdesk.errors import BadRequest, Unauthorized
from helpdesk.links import link_check

from ..models import Conversation, Visitor

if TYPE_CHECKING:
    from orders.models import Customer

VISITOR_TOKEN_SALT = "helpdesk.visitor"


def visitor_token_make(visitor: Visitor) -> str:
    """An opaque, signed token naming the visitor. Never put it in a URL."""
    return signing.dumps({"v": str(visitor.public_id)}, salt=VISITOR_TOKEN_SALT, compress=True)


def visitor_from_token(token: object) -> Visitor:
    """The visitor a token names, or ``Unauthorized``. ``token`` is whatever the client sent."""
    if not isinstance(token, str) or not token or len(token) > 512:
        raise Unauthorized("Missing or malformed visitor token.")
    try:
        data = signing.loads(token, salt=VISITOR_TOKEN_SALT)
        public_id = uuid.UUID(str(data["v"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Unauthorized("Invalid visitor token.") from None
    visitor = (
        Visitor.objects.select_related("customer", "channel").filter(public_id=public_id).first()
    )
    if visitor is None:
        raise Unauthorized("Invalid visitor token.")
    return visitor


def check_page(page: object) -> dict[str, str]:
    """The page the widget is on, as ``{"url", "title"}`` cut to the columns' sizes."""
    if page is None:
        return {}
    if not isinstance(page, dict):
        raise BadRequest("page must be an object.", fields={"page": ["Expected an object."]})
    out: dict[str, str] = {}
    for key, limit in (("url", 1000), ("title", 300)):
        value = page.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise BadRequest("Invalid page.", fields={f"page.{key}": ["Expected a string."]})
        out[key] = value.replace("\x00", "")[:limit]
    link_check(out["url"], field="page.url")
    return out


def visitor_session(
    *,
    token: str | None,
    identity: dict[str, Any] | None = None,
    page: dict[str, Any] | None = None,
    language: str = "",
    user_agent: str = "",
) -> tuple[Visitor, str, Conversation | None]:
    """Start or resume a shopper's session; returns the visitor, its token and the current
    conversation. A verified ``identity`` links the visitor to the shop's customer."""
    page_data = check_page(page)
    fields: dict[str, Any] = {"last_seen_at": timezone.now()}
    if page_data:
        fields["current_url"] = page_data.get("url", "")
        fields["current_title"] = page_data.get("title", "")
    if language:
        fields["language"] = language[:16]
    if user_agent:
        fields["user_agent"] = user_agent[:400]
    if not token and identity is None:
        # A new anonymous browser (most page views): one INSERT with every field, and no
        # conversation to look for — nothing can belong to a visitor made just now
        # (docs/performance.md, "Opening a visitor socket").
        visitor = Visitor.objects.create(**fields)
        return visitor, visitor_token_make(visitor), None
    with transaction.atomic():
        visitor = visitor_from_token(token) if token else Visitor.objects.create(**fields)
        if identity is not None:
            # Identity verification belongs to the customers (orders); chat calls its service.
            from orders.services import customer_identify

            customer = customer_identify(identity=identity)
            visitor_link_customer(visitor=visitor, customer=customer)
        if token:
            for name, value in fields.items():
                setattr(visitor, name, value)
            visitor.save(update_fields=list(fields))
    from ..selectors import conversation_current_for_visitor

    return visitor, visitor_token_make(visitor), conversation_current_for_visitor(visitor=visitor)


def visitor_link_customer(*, visitor: Visitor, customer: Customer) -> None:
    """Make ``visitor`` this customer's; the browser's earlier anonymous conversations join the
    customer's history."""
    if visitor.customer_id == customer.pk:
        return
    visitor.customer = customer
    visitor.save(update_fields=["customer"])
    Conversation.objects.filter(visitor=visitor, customer__isnull=True).update(customer=customer)
