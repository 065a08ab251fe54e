"""Identity verification: the shop vouches for a customer by signing its external_id."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings

from helpdesk.errors import Forbidden

from ..models import Customer


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
