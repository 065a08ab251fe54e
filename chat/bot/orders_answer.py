"""Order questions: status and tracking of a verified customer's own orders, nobody else's.

The customer is the conversation's (or its visitor's) verified ``Customer``: set only by a
signed identity claim (CONTRACT.md). The look-up goes through the orders app's selector,
scoped by that customer, so an order number typed by anyone else finds nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from .intents import asks_about_order, order_numbers

RECENT = 3
_ORDER_WORD = re.compile(r"order|订单|单号|package|parcel|包裹|快递|物流", re.IGNORECASE)


@dataclass
class OrderReply:
    """What the bot says about orders. ``handover`` when a person should take it from here."""

    body: str
    orders: list[dict[str, Any]] = field(default_factory=list)
    # The body without its line per order: what to say above the orders' cards.
    intro: str = ""
    needs_sign_in: bool = False
    handover: bool = False


def is_order_question(text: str) -> bool:
    return asks_about_order(text) or bool(order_numbers(text) and _ORDER_WORD.search(text))


def _line(order: dict[str, Any]) -> str:
    number = order.get("number") or order.get("external_id")
    parts = [
        _("Order %(number)s: %(status)s")
        % {"number": number, "status": _status(order.get("status", ""))}
    ]
    shipments = order.get("shipments") or []
    if shipments:
        ship = shipments[-1]
        if ship.get("tracking_number"):
            parts.append(
                _("%(carrier)s tracking %(tracking)s")
                % {
                    "carrier": ship.get("carrier") or _("carrier"),
                    "tracking": ship["tracking_number"],
                }
            )
        parts.append(_shipment_status(ship.get("status", "")))
        if ship.get("estimated_delivery") and ship.get("status") != "delivered":
            parts.append(_("expected %(date)s") % {"date": ship["estimated_delivery"]})
        if ship.get("tracking_url"):
            parts.append(ship["tracking_url"])
    return " · ".join(p for p in parts if p)


def _status(code: str) -> str:
    labels = {
        "pending": _("awaiting payment"),
        "paid": _("paid, being prepared"),
        "processing": _("being prepared"),
        "shipped": _("shipped"),
        "delivered": _("delivered"),
        "cancelled": _("cancelled"),
        "refunded": _("refunded"),
    }
    return labels.get(code, code)


def _shipment_status(code: str) -> str:
    labels = {
        "pending": _("waiting for pick-up"),
        "in_transit": _("in transit"),
        "out_for_delivery": _("out for delivery"),
        "delivered": _("delivered"),
        "delayed": _("delayed"),
        "exception": _("delivery problem"),
        "returned": _("returned to us"),
    }
    return labels.get(code, code)


def order_reply(*, text: str, customer_id: int | None) -> OrderReply:
    """The bot's answer to an order question, in the active language.

    Without a verified customer: ask to sign in (never look anything up). With one: the orders
    named in the text if they are theirs, else their most recent orders.
    """
    if customer_id is None:
        return OrderReply(
            body=_(
                "To look up an order I need to know it's you: please sign in to your account "
                "on the shop and ask again, or talk to a person."
            ),
            needs_sign_in=True,
        )
    from orders.selectors import customer_orders_lookup

    numbers = order_numbers(text)
    orders = customer_orders_lookup(customer_id=customer_id, numbers=numbers, limit=RECENT)
    if numbers and not orders:
        return OrderReply(
            body=_(
                "I couldn't find order %(number)s in your account. Please check the number, "
                "or talk to a person."
            )
            % {"number": numbers[0]},
        )
    if not orders:
        return OrderReply(
            body=_("I can't find any orders in your account yet. A person will look into it."),
            handover=True,
        )
    lines = [_line(o) for o in orders]
    intro = _("Here is your order:") if len(orders) == 1 else _("Here are your most recent orders:")
    troubled = any(
        (o.get("shipments") or [{}])[-1].get("status") in ("delayed", "exception", "returned")
        for o in orders
    )
    body = "\n".join([intro, *lines])
    if troubled:
        trouble = _("There is a problem with the delivery; a person will follow up.")
        body += "\n" + trouble
        intro += "\n" + trouble
    return OrderReply(body=body, orders=orders, handover=troubled, intro=intro)
