"""Every write of the CRM side. Public names are re-exported here; callers import
``orders.services``."""

from .crm import (
    browsing_event_record,
    consent_set,
    customer_profile_update,
    customer_upsert,
    product_upsert,
)
from .identity import (
    contact_customer,
    customer_identify,
    customers_merge,
    identity_attach,
    identity_normalise,
    identity_signature,
    register_merge,
)
from .orders import order_status_set, orders_upsert
from .shipments import shipment_events_add, shipment_upsert

__all__ = [
    "browsing_event_record",
    "consent_set",
    "contact_customer",
    "customer_identify",
    "customer_profile_update",
    "customer_upsert",
    "customers_merge",
    "identity_attach",
    "identity_normalise",
    "identity_signature",
    "order_status_set",
    "orders_upsert",
    "product_upsert",
    "register_merge",
    "shipment_events_add",
    "shipment_upsert",
]
