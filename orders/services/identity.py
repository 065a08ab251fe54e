"""Identity: the shop vouches for a customer by signing its external_id; a customer's contact
identities (email, phone, messaging ids) and merging two contacts into one."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from helpdesk.dispatch import DomainEvent, Event, dispatch
from helpdesk.errors import BadRequest, Forbidden, NotFound

from ..models import (
    BrowsingEvent,
    ConsentRecord,
    ContactIdentity,
    Customer,
    CustomerMerge,
    Order,
)


def identity_signature(external_id: str) -> str:
    """What the shop's backend computes: hex(HMAC-SHA256(identity secret, external_id))."""
    secret = settings.STOREFRONT_IDENTITY_SECRET.encode()
    return hmac.new(secret, external_id.encode(), hashlib.sha256).hexdigest()


def customer_identify(*, identity: dict[str, Any]) -> Customer:
    """The customer a signed identity claim names; ``Forbidden`` for a bad or missing signature.

    A good claim for an ``external_id`` the desk has not seen yet creates the customer (the
    shop vouched for it); name and email fill in blanks but never overwrite what the shop's
    integration API set.
    """
    if not isinstance(identity, dict):
        raise Forbidden("Identity must be an object.")
    external_id = identity.get("external_id")
    signature = identity.get("signature")
    if not isinstance(external_id, str) or not external_id or len(external_id) > 128:
        raise Forbidden("Identity needs an external_id.")
    if not isinstance(signature, str) or not hmac.compare_digest(
        signature.lower(), identity_signature(external_id)
    ):
        raise Forbidden("Identity signature is missing or wrong.")
    customer, _created = Customer.objects.get_or_create(external_id=external_id)
    changed = []
    for field, limit in (("name", 200), ("email", 254)):
        value = identity.get(field)
        if isinstance(value, str) and value and not getattr(customer, field):
            setattr(customer, field, value[:limit])
            changed.append(field)
    if changed:
        customer.save(update_fields=[*changed, "updated_at"])
    return customer


# --- contact identities ----------------------------------------------------------------------

# Other apps move what they hold of a merged customer (chat: visitors, conversations); each
# hook runs inside the merge's transaction, so a merge is all or nothing.
MergeHook = Callable[[Customer, Customer, CustomerMerge], None]
merge_hooks: list[MergeHook] = []


def register_merge(hook: MergeHook) -> MergeHook:
    if hook not in merge_hooks:
        merge_hooks.append(hook)
    return hook


_PHONE_KINDS = {ContactIdentity.Kind.PHONE, ContactIdentity.Kind.WHATSAPP}


def identity_normalise(kind: str, value: Any) -> str:
    """One spelling per address: e-mail lower-cased, phone numbers as ``+`` and digits
    (WhatsApp ids are digits already), others trimmed. ``BadRequest`` for an empty or
    unusable value."""
    if kind not in ContactIdentity.Kind.values:
        raise BadRequest("Unknown identity kind.", fields={"kind": ["Unknown."]})
    text = str(value or "").replace("\x00", "").strip()
    if kind == ContactIdentity.Kind.EMAIL:
        _name, address = parseaddr(text)
        text = address.strip().lower()
        if "@" not in text or len(text) > 254 or any(ch.isspace() for ch in text):
            raise BadRequest("Not an email address.", fields={"email": ["Invalid address."]})
    elif kind in _PHONE_KINDS:
        digits = re.sub(r"\D", "", text)
        if not 5 <= len(digits) <= 20:
            raise BadRequest("Not a phone number.", fields={"phone": ["Invalid number."]})
        text = "+" + digits
    elif not text or len(text) > 320:
        raise BadRequest("The address is empty or too long.", fields={"value": ["Invalid."]})
    return text


def _profile_field(kind: str) -> str:
    if kind == ContactIdentity.Kind.EMAIL:
        return "email"
    if kind in _PHONE_KINDS:
        return "phone"
    return ""


def contact_customer(*, kind: str, value: str, name: str = "", source: str) -> Customer:
    """The customer an address belongs to; a new contact (no ``external_id``) holding an
    unverified identity when the address is new. ``value`` must be normalised."""
    with transaction.atomic():
        identity = ContactIdentity.objects.select_related("customer").filter(kind=kind, value=value)
        found = identity.first()
        if found is not None:
            return found.customer
        customer = Customer(name=name.replace("\x00", "")[:200])
        field = _profile_field(kind)
        if field:
            setattr(customer, field, value[:254] if field == "email" else value[:50])
        customer.save()
        try:
            with transaction.atomic():
                ContactIdentity.objects.create(
                    customer=customer, kind=kind, value=value, source=source[:32]
                )
        except IntegrityError:
            # Another request made it meanwhile: theirs wins, this empty contact goes.
            customer.delete()
            return (
                ContactIdentity.objects.select_related("customer")
                .get(kind=kind, value=value)
                .customer
            )
        return customer


def identity_attach(
    *, customer: Customer, kind: str, value: Any, verified: bool, source: str
) -> ContactIdentity | None:
    """Give ``customer`` the address ``value``. If another customer holds it: a verified link
    moves it here, merging that contact in when it is a bare contact (no shop id); a claimed
    link, or one to another of the shop's customers, changes nothing (an agent may merge).
    Returns the identity where it now stands, None for an unusable value."""
    try:
        value = identity_normalise(kind, value)
    except BadRequest:
        return None
    with transaction.atomic():
        existing = (
            ContactIdentity.objects.select_for_update().filter(kind=kind, value=value).first()
        )
        if existing is None:
            return ContactIdentity.objects.create(
                customer=customer, kind=kind, value=value, verified=verified, source=source[:32]
            )
        if existing.customer_id == customer.pk:
            if verified and not existing.verified:
                existing.verified = True
                existing.save(update_fields=["verified"])
            return existing
        if not verified:
            return existing
        other = Customer.objects.get(pk=existing.customer_id)
        if other.external_id and customer.external_id:
            return existing  # two of the shop's customers: the shop decides, not the desk
        keep, merge = (other, customer) if other.external_id else (customer, other)
        customers_merge(keep=keep, merge=merge, reason="verified")
        ContactIdentity.objects.filter(pk=existing.pk).update(verified=True)
        existing.refresh_from_db()
        return existing


def customers_merge(
    *, keep: Customer, merge: Customer, reason: str = "agent", by_user: Any = None
) -> CustomerMerge:
    """Join ``merge`` into ``keep``: identities, consents, browsing, orders and (through
    ``merge_hooks``) visitors and conversations move over; blank profile fields are filled;
    the merge is recorded and ``merge`` is deleted. At most one of them may carry the shop's
    ``external_id`` (the shop owns those rows), and it must be ``keep``."""
    if keep.pk == merge.pk:
        raise BadRequest("A contact cannot be merged with itself.")
    with transaction.atomic():
        first, second = sorted([keep.pk, merge.pk])  # one lock order for every merge
        locked = {
            c.pk: c for c in Customer.objects.select_for_update().filter(pk__in=[first, second])
        }
        if len(locked) != 2:
            raise NotFound("Customer not found.")
        keep, merge = locked[keep.pk], locked[merge.pk]
        if merge.external_id and not (merge.external_id or "").startswith("erased:"):
            raise BadRequest(
                "Both contacts are the shop's customers; the shop links them."
                if keep.external_id
                else "Merge into the shop's customer, not away from it."
            )
        if keep.erased_at is not None or merge.erased_at is not None:
            raise BadRequest("An erased customer cannot be merged.")
        identities = [
            {"kind": i.kind, "value": i.value, "verified": i.verified}
            for i in ContactIdentity.objects.filter(customer=merge).order_by("pk")
        ]
        record = CustomerMerge.objects.create(
            customer=keep,
            merged_customer_id=merge.pk,
            merged_name=str(merge)[:200],
            merged_identities=identities,
            reason=reason[:16],
            by_user=by_user,
        )
        ContactIdentity.objects.filter(customer=merge).update(customer=keep)
        ConsentRecord.objects.filter(customer=merge).update(customer=keep)
        BrowsingEvent.objects.filter(customer=merge).update(customer=keep)
        Order.objects.filter(customer=merge).update(customer=keep)
        CustomerMerge.objects.filter(customer=merge).update(customer=keep)
        for hook in merge_hooks:
            hook(keep, merge, record)
        dispatch(
            DomainEvent(
                name=Event.CUSTOMERS_MERGED,
                at=timezone.now(),
                data={
                    "customer_id": keep.pk,
                    "merged_id": merge.pk,
                    "reason": reason[:16],
                    "by_user_id": getattr(by_user, "pk", None),
                },
            )
        )
        changed = []
        for field in ("name", "email", "phone", "language", "vip_tier"):
            if not getattr(keep, field) and getattr(merge, field):
                setattr(keep, field, getattr(merge, field))
                changed.append(field)
        tags = list(dict.fromkeys([*keep.tags, *merge.tags]))[:20]
        if tags != keep.tags:
            keep.tags = tags
            changed.append("tags")
        if merge.notes.strip():
            keep.notes = (keep.notes + "\n\n" + merge.notes).strip()[:5000]
            changed.append("notes")
        if changed:
            keep.save(update_fields=[*changed, "updated_at"])
        merge.delete()
    return record
