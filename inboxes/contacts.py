"""Who wrote: a channel's address becomes a visitor of that channel, owned by one customer.

The visitor is the shopper as one channel knows them (``Visitor.channel`` + ``address``); the
customer is the person, with every address as a ``ContactIdentity`` (orders app). An address
already held by a customer joins that customer; a new one makes a new contact.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.models import Channel, Conversation, Message, Visitor
from orders import services as order_services
from orders.models import Customer, CustomerMerge


def contact_visitor(
    *,
    channel: Channel,
    identity_kind: str,
    address: str,
    name: str = "",
    customer: Customer | None = None,
) -> Visitor:
    """The visitor for ``address`` on ``channel``, made on first contact. ``customer`` is a
    verified link (the shop's app named its customer): the address joins that customer.
    ``BadRequest`` for an unusable address."""
    value = order_services.identity_normalise(identity_kind, address)
    name = name.replace("\x00", "").strip()[:200]
    visitor = (
        Visitor.objects.select_related("customer").filter(channel=channel, address=value).first()
    )
    if visitor is None:
        with transaction.atomic():
            owner = customer or order_services.contact_customer(
                kind=identity_kind, value=value, name=name, source="inbound"
            )
            try:
                with transaction.atomic():
                    visitor = Visitor.objects.create(
                        channel=channel,
                        address=value,
                        name=name,
                        email=value if identity_kind == "email" else "",
                        customer=owner,
                        last_seen_at=timezone.now(),
                    )
            except IntegrityError:
                visitor = Visitor.objects.select_related("customer").get(
                    channel=channel, address=value
                )
    if customer is not None and visitor.customer_id != customer.pk:
        order_services.identity_attach(
            customer=customer, kind=identity_kind, value=value, verified=True, source="app"
        )
        visitor.refresh_from_db()
    elif visitor.customer_id is None:
        # Erased or detached: a new contact for the address.
        owner = order_services.contact_customer(
            kind=identity_kind, value=value, name=name, source="inbound"
        )
        Visitor.objects.filter(pk=visitor.pk).update(customer=owner)
        visitor.refresh_from_db()
    if name and not visitor.name:
        Visitor.objects.filter(pk=visitor.pk).update(name=name)
        visitor.name = name
    # A new conversation takes the visitor's channel's team: no read of the row we have.
    visitor.channel = channel
    return visitor


def merge_chat(keep: Customer, merge: Customer, record: CustomerMerge) -> None:
    """``orders`` merge hook: the merged contact's visitors and conversations join ``keep``,
    and each of their open conversations shows the merge in its timeline."""
    from chat.access import conversation_locked_load
    from chat.services.messages import message_create

    Visitor.objects.filter(customer=merge).update(customer=keep)
    moved = Conversation.objects.filter(
        Q(customer=merge) | Q(customer__isnull=True, visitor__customer=keep)
    )
    ids = list(moved.values_list("pk", flat=True))
    Conversation.objects.filter(pk__in=ids).update(customer=keep)
    by = (
        record.by_user.get_username()
        if record.by_user is not None
        else _("verified contact details")
    )
    text = _("Contacts merged: %(merged)s joined %(kept)s (by %(by)s)") % {
        "merged": record.merged_name or f"#{record.merged_customer_id}",
        "kept": str(keep),
        "by": by,
    }
    # Every open conversation of the person now shows it: the ones that moved and the kept
    # contact's own (the agent who merged is usually looking at one of those).
    open_ids = (
        Conversation.objects.filter(Q(pk__in=ids) | Q(customer=keep))
        .exclude(status=Conversation.Status.RESOLVED)
        .order_by("pk")
        .values_list("pk", flat=True)[:20]
    )
    for pk in open_ids:
        Conversation.objects.select_for_update().filter(pk=pk).first()
        message_create(
            conversation=conversation_locked_load(pk),
            sender_kind=Message.SenderKind.SYSTEM,
            body=text,
            private=True,
        )


def customer_contacts(customer_id: int) -> dict[str, Any]:
    """The customer's identities and recorded merges (the sidebar's contacts section)."""
    from orders.models import ContactIdentity

    return {
        "identities": [
            {"kind": i.kind, "value": i.value, "verified": i.verified}
            for i in ContactIdentity.objects.filter(customer_id=customer_id).order_by(
                "kind", "value"
            )
        ],
        "merges": [
            {
                "merged_name": m.merged_name,
                "merged_identities": m.merged_identities,
                "reason": m.reason,
                "by": m.by_user.get_username() if m.by_user_id and m.by_user else None,
                "merged_at": m.merged_at.isoformat().replace("+00:00", "Z"),
            }
            for m in CustomerMerge.objects.filter(customer_id=customer_id).select_related(
                "by_user"
            )[:20]
        ],
    }


def contacts_search(q: str, limit: int = 10) -> list[dict[str, Any]]:
    """Contacts whose name, email, phone or any address contains ``q`` (not erased)."""
    from orders.models import ContactIdentity

    found = (
        Customer.objects.filter(erased_at__isnull=True)
        .filter(
            Q(name__icontains=q)
            | Q(email__icontains=q)
            | Q(phone__icontains=q)
            | Q(external_id__iexact=q)
            | Q(
                pk__in=ContactIdentity.objects.filter(value__icontains=q).values("customer_id")[
                    :200
                ]
            )
        )
        .order_by("-updated_at", "-pk")[:limit]
    )
    customers = list(found)
    identities: dict[int, list[dict[str, Any]]] = {c.pk: [] for c in customers}
    for i in ContactIdentity.objects.filter(customer_id__in=identities).order_by("kind", "value"):
        identities[i.customer_id].append({"kind": i.kind, "value": i.value, "verified": i.verified})
    return [
        {
            "id": c.pk,
            "name": c.name,
            "external_id": c.external_id or "",
            "identities": identities[c.pk][:10],
        }
        for c in customers
    ]
