"""Every write of the CRM side. Public names are re-exported here; callers import
``orders.services``."""

from .crm import (
    browsing_event_record,
    consent_set,
    customer_profile_update,
    customer_upsert,
    product_upsert,
)
from .identity import customer_identify, identity_signature
from .orders import order_status_set, orders_upsert
from .shipments import shipment_events_add, shipment_upsert

__all__ = [
    "browsing_event_record",
    "consent_set",
    "customer_identify",
    "customer_profile_update",
    "customer_upsert",
    "identity_signature",
    "order_status_set",
    "orders_upsert",
    "product_upsert",
    "shipment_events_add",
    "shipment_upsert",
]
