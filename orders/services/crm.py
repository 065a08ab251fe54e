"""Customers, products, consent and browsing: upserts keyed by the shop's ``external_id``.

An upsert that finds nothing to change writes nothing, so repeating a call changes nothing.
``get_or_create`` settles two concurrent first calls on one row (it retries the read on an
IntegrityError); the row lock then serialises their updates.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from helpdesk.dispatch import DomainEvent, Event, dispatch
from helpdesk.errors import BadRequest, HelpdeskError, NotFound
from helpdesk.links import link_check

from ..models import BrowsingEvent, ConsentRecord, Customer, Product
from .identity import identity_attach

CUSTOMER_FIELDS = ("name", "email", "phone", "language", "vip_tier", "tags")
PRODUCT_FIELDS = ("name", "description", "price", "currency", "image_url", "url", "active")


def _apply(obj: Any, data: dict[str, Any], fields: Iterable[str]) -> list[str]:
    changed = []
    for field in fields:
        if field in data and getattr(obj, field) != data[field]:
            setattr(obj, field, data[field])
            changed.append(field)
    return changed


def clean_tags(tags: Iterable[Any]) -> list[str]:
    """Trimmed, de-duplicated, order kept; at most 20 tags of 40 characters."""
    out: list[str] = []
    for tag in tags:
        text = " ".join(str(tag).split())[:40]
        if text and text not in out:
            out.append(text)
    return out[:20]


def _consent_change(
    customer: Customer, *, granted: bool, source: str, at: dt.datetime | None
) -> bool:
    if customer.marketing_consent == granted and customer.consents.exists():
        return False
    customer.marketing_consent = granted
    ConsentRecord.objects.create(
        customer=customer, granted=granted, source=source or "api", recorded_at=at or timezone.now()
    )
    return True


def customer_upsert(*, external_id: str, data: dict[str, Any]) -> tuple[Customer, bool]:
    """Create or update the customer ``external_id`` with the fields present in ``data``
    (``name``, ``email``, ``phone``, ``language``, ``vip_tier``, ``tags``,
    ``marketing_consent`` with ``consent_source`` / ``consent_at``). Returns (customer, created).
    """
    with transaction.atomic():
        customer, created = Customer.objects.get_or_create(external_id=external_id)
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        if customer.erased_at is not None:
            raise HelpdeskError("This customer was erased.", code="conflict")
        if "tags" in data:
            data = {**data, "tags": clean_tags(data["tags"])}
        changed = _apply(customer, data, CUSTOMER_FIELDS)
        if "marketing_consent" in data and _consent_change(
            customer,
            granted=bool(data["marketing_consent"]),
            source=data.get("consent_source", ""),
            at=data.get("consent_at"),
        ):
            changed.append("marketing_consent")
        if changed:
            customer.save(update_fields=[*changed, "updated_at"])
        # The shop vouches for its customer's addresses: a contact that wrote from one of them
        # (an email, a message) joins this customer (docs/channels.md, one customer).
        vouched = [(kind, data[kind]) for kind in ("email", "phone") if data.get(kind)]
        for kind, value in vouched:
            identity_attach(
                customer=customer, kind=kind, value=value, verified=True, source="integration"
            )
        if vouched:
            customer.refresh_from_db()  # a merged contact may have filled blank fields
    return customer, created


def consent_set(
    *, customer: Customer, granted: bool, source: str, at: dt.datetime | None = None
) -> bool:
    """Record a change of marketing consent with its time and source; False if unchanged."""
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        if not _consent_change(locked, granted=granted, source=source, at=at):
            return False
        locked.save(update_fields=["marketing_consent", "updated_at"])
        customer.marketing_consent = granted
    return True


def customer_profile_update(
    *, customer_id: int, tags: list[str] | None = None, notes: str | None = None
) -> Customer:
    """What agents edit in the sidebar: tags and notes."""
    with transaction.atomic():
        locked = Customer.objects.select_for_update().filter(pk=customer_id).first()
        if locked is None:
            raise NotFound("Customer not found.")
        data: dict[str, Any] = {}
        if tags is not None:
            data["tags"] = clean_tags(tags)
        if notes is not None:
            data["notes"] = notes.replace("\x00", "")[:5000]
        changed = _apply(locked, data, ("tags", "notes"))
        if changed:
            locked.save(update_fields=[*changed, "updated_at"])
            dispatch(
                DomainEvent(
                    name=Event.CUSTOMER_UPDATED,
                    at=timezone.now(),
                    data={"customer_id": locked.pk},
                )
            )
    return locked


def _unique_slug(slug: str, external_id: str) -> str:
    base = slugify(slug)[:250] or "product"
    if not Product.objects.filter(slug=base).exclude(external_id=external_id).exists():
        return base
    return f"{base}-{slugify(external_id)[:40] or uuid.uuid4().hex[:8]}"[:300]


def product_upsert(*, external_id: str, data: dict[str, Any]) -> tuple[Product, bool]:
    """Create or update a product. ``name`` is required to create one; the slug defaults to
    the name's and is made unique."""
    try:
        with transaction.atomic():
            product = Product.objects.select_for_update().filter(external_id=external_id).first()
            created = product is None
            if product is None:
                if not data.get("name"):
                    raise BadRequest(
                        "A new product needs a name.", fields={"name": ["This field is required."]}
                    )
                product = Product(
                    external_id=external_id,
                    slug=_unique_slug(data.get("slug") or data["name"], external_id),
                )
                _apply(product, data, PRODUCT_FIELDS)
                product.save()
                return product, True
            changed = _apply(product, data, PRODUCT_FIELDS)
            if data.get("slug") and slugify(data["slug"]) != product.slug:
                product.slug = _unique_slug(data["slug"], external_id)
                changed.append("slug")
            if changed:
                product.save(update_fields=[*changed, "updated_at"])
            return product, created
    except IntegrityError:
        # A concurrent create of the same external_id or slug: the stored row wins.
        product = Product.objects.filter(external_id=external_id).first()
        if product is None:
            raise HelpdeskError(
                "The product's slug is already in use.",
                code="conflict",
                fields={"slug": ["Already in use."]},
            ) from None
        return product, False


def browsing_event_record(
    *,
    kind: str,
    url: str = "",
    title: str = "",
    customer_id: int | None = None,
    visitor_key: uuid.UUID | None = None,
    product_external_id: str = "",
    product_slug: str = "",
    occurred_at: dt.datetime | None = None,
) -> BrowsingEvent:
    """Store one browsing event (page view, product view, add to cart)."""
    if kind not in BrowsingEvent.Kind.values:
        raise BadRequest("Unknown event kind.", fields={"kind": ["Invalid choice."]})
    link_check(url, field="url")
    product_id = None
    if product_external_id or product_slug:
        lookup = (
            {"external_id": product_external_id} if product_external_id else {"slug": product_slug}
        )
        product_id = Product.objects.filter(**lookup).values_list("pk", flat=True).first()
    return BrowsingEvent.objects.create(
        kind=kind,
        url=url[:1000],
        title=title[:300],
        customer_id=customer_id,
        visitor_key=visitor_key,
        product_id=product_id,
        occurred_at=occurred_at or timezone.now(),
    )
