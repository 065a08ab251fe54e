"""Shoppers: the signed visitor token, the widget's session, linking a visitor to a customer."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, cast

from django.core import signing
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Model
from django.utils import timezone

from helpdesk.errors import BadRequest, Unauthorized
from helpdesk.links import link_check

from ..models import Channel, Conversation, Visitor
from ..models.inbox import default_web_channel_id
from ..statements import _Part, _part

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
    visitor = _visitor_load(public_id)
    if visitor is None:
        raise Unauthorized("Invalid visitor token.")
    return visitor


def _visitor_parts() -> list[_Part]:
    visitor = _part("v", Visitor, 0)
    customer = Visitor._meta.get_field("customer")
    channel = Visitor._meta.get_field("channel")
    parts = [visitor]
    for alias, relation in (("cu", customer), ("ch", channel)):
        model = cast(type[Model], relation.related_model)
        parts.append(_part(alias, model, parts[-1].end, "v", relation))
    return parts


# ``select_related("customer", "channel")`` by ``public_id`` written out once: through the ORM
# it was compiled again for every socket's ``auth`` and every visitor-token request, about a
# fifth of a socket open's server CPU (docs/performance.md, "Opening a visitor socket").
_VISITOR_PARTS = _visitor_parts()
_VISITOR_LOAD = (
    "SELECT "
    + ", ".join(f'{p.alias}."{column}"' for p in _VISITOR_PARTS for column in p.columns)
    + f" FROM {Visitor._meta.db_table} v"
    + f" LEFT JOIN {_VISITOR_PARTS[1].model._meta.db_table} cu ON cu.id = v.customer_id"
    + f" JOIN {_VISITOR_PARTS[2].model._meta.db_table} ch ON ch.id = v.channel_id"
    + " WHERE v.public_id = %s"
)


def _visitor_load(public_id: uuid.UUID) -> Visitor | None:
    """The visitor with ``public_id``, its customer and channel in its relation caches (as
    ``select_related`` leaves them); None if there is none."""
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        query = Visitor.objects.select_related("customer", "channel")
        return query.filter(public_id=public_id).first()
    with db.cursor() as cursor:
        cursor.execute(_VISITOR_LOAD, [public_id])
        row = cursor.fetchone()
    if row is None:
        return None
    visitor = cast(Visitor, _VISITOR_PARTS[0].instance(row, db))
    for part in _VISITOR_PARTS[1:]:
        assert part.relation is not None
        part.relation.set_cached_value(visitor, part.instance(row, db))
    return visitor


# A new anonymous visitor as one fixed statement, its channel the default web channel read in
# the same statement. Through the ORM each new visitor paid for the ``INSERT``'s compile and,
# before it, ``default_web_channel_id``'s ``get_or_create`` (the field's default): ~9 % of a
# socket open's server CPU by py-spy (docs/performance.md, "Opening a visitor socket"). The
# channel is not cached in the process: an admin may make another channel the default, and a
# test's rolled-back or flushed database takes the row away while its id may come back.
_VISITOR_FIELDS = [f for f in Visitor._meta.local_concrete_fields if not f.primary_key]
_VISITOR_CHANNEL = Visitor._meta.get_field("channel")
_VISITOR_INSERT = (
    f"INSERT INTO {Visitor._meta.db_table} ("
    + ", ".join(f'"{f.column}"' for f in _VISITOR_FIELDS)
    + ") SELECT "
    + ", ".join("ch.id" if f is _VISITOR_CHANNEL else "%s" for f in _VISITOR_FIELDS)
    + f" FROM {Channel._meta.db_table} ch WHERE ch.kind = %s AND ch.is_default"
    + " RETURNING id, channel_id"
)


def _visitor_create(fields: dict[str, Any]) -> Visitor:
    """``Visitor.objects.create(**fields)`` on the default web channel, as one ``INSERT`` that
    reads the channel's id (no ``pre_save`` / ``post_save`` signals: nobody listens to a
    visitor's). With no default web channel yet (a new database), the ORM's way, which makes
    it."""
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        return Visitor.objects.create(**fields)
    # channel_id given (None): the field's default, a query, is not run here.
    visitor = Visitor(channel_id=None, **fields)
    params = [
        f.get_db_prep_save(f.pre_save(visitor, True), db)
        for f in _VISITOR_FIELDS
        if f is not _VISITOR_CHANNEL
    ]
    with db.cursor() as cursor:
        cursor.execute(_VISITOR_INSERT, [*params, Channel.Kind.WEB.value])
        row = cursor.fetchone()
    if row is None:
        visitor.channel_id = default_web_channel_id()
        visitor.save(force_insert=True)
        return visitor
    visitor.pk, visitor.channel_id = row
    visitor._state.adding = False
    visitor._state.db = db.alias
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
        visitor = _visitor_create(fields)
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
