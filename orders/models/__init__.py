"""Orders app models, split by sub-domain."""

from .commerce import Order, OrderAlert, OrderItem, Shipment, ShipmentEvent
from .customers import (
    BrowsingEvent,
    ConsentRecord,
    ContactIdentity,
    Customer,
    CustomerMerge,
    Product,
)
from .integration import ApiToken, token_hash

__all__ = [
    "ApiToken",
    "BrowsingEvent",
    "ConsentRecord",
    "ContactIdentity",
    "Customer",
    "CustomerMerge",
    "Order",
    "OrderAlert",
    "OrderItem",
    "Product",
    "Shipment",
    "ShipmentEvent",
    "token_hash",
]
