"""Order and product cards: an agent sends one from the sidebar as a message of kind ``card``.

The card payload is built by orders' selectors (``{type, title, image, price, status, url,
…}``); chat only checks that an order card belongs to the conversation's customer, so an agent
can never show one shopper another's order.
"""

from __future__ import annotations

from typing import Any

from helpdesk.errors import BadRequest, Forbidden, NotFound
from orders import selectors as order_selectors

from .access import Actor, access_conversation
from .models import Message
from .services.message_send import message_send

CARD_TYPES = ("order", "product")


def card_build(*, card_type: str, ref_id: int, customer_id: int | None) -> dict[str, Any]:
    """The card payload for an order (of ``customer_id``) or any product."""
    if card_type == "product":
        return order_selectors.product_card(product_id=ref_id)
    if card_type == "order":
        card = order_selectors.order_card(order_id=ref_id)
        if customer_id is None or card.get("customer_id") != customer_id:
            raise NotFound("Order not found.")
        card.pop("customer_id", None)
        return card
    raise BadRequest("Unknown card type.", fields={"type": [f"One of {', '.join(CARD_TYPES)}."]})


def card_send(
    *, actor: Actor, conversation_id: Any, card_type: str, ref_id: int, client_id: str
) -> tuple[Message, bool]:
    """Send an order or product card into the conversation as the agent ``actor``."""
    if actor.user is None:
        raise Forbidden("Only agents send cards.")
    conversation = access_conversation(actor=actor, conversation_id=conversation_id)
    customer_id = conversation.customer_id
    if customer_id is None:
        customer_id = conversation.visitor.customer_id
    card = card_build(card_type=card_type, ref_id=ref_id, customer_id=customer_id)
    return message_send(
        actor=actor,
        client_id=client_id,
        body=str(card.get("title") or ""),
        conversation_id=conversation.pk,
        kind=Message.Kind.CARD,
        card=card,
    )
