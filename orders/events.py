"""Domain events the orders side dispatches (through ``helpdesk.dispatch``).

Orders knows nothing of chat: chat subscribes to these names and turns them into messages.
Every event carries ``data`` with ``customer_id``, ``order_id`` and, for shipment events,
``shipment_id`` and ``status``.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from helpdesk import dispatch

ORDER_CANCELLED = "order.cancelled"
SHIPMENT_DELAYED = "shipment.delayed"
SHIPMENT_EXCEPTION = "shipment.exception"
# A shopper's browsing or profile changed; listeners refresh what agents see.
CUSTOMER_UPDATED = "customer.updated"


def emit(name: str, **data: Any) -> None:
    dispatch.dispatch(dispatch.DomainEvent(name=name, at=timezone.now(), data=data))
