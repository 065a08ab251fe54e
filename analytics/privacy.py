"""Analytics' part in a customer's erasure (``analytics.listeners.connect`` registers it
into ``orders.privacy``).

Question facts keep up to 300 characters of what the shopper asked, its key words
(``topic_key``) and the products it named; erasure clears all three for the customer's
conversations. The facts themselves stay, anonymous: every count, duration and conversion
of the reports is unchanged (an erased unmatched question still counts among the day's
questions, in no topic cluster). The export needs no hook: these texts are copies of the
shopper's messages, which chat's export already contains.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from .models import QuestionFact


def erased_conversations(customer_ids: Any) -> Any:
    """Conversations of these customers (directly or through a visitor), as a pk queryset."""
    from chat.models import Conversation

    return Conversation.objects.filter(
        Q(customer__in=customer_ids) | Q(visitor__customer__in=customer_ids)
    ).values("pk")


def erase_analytics(customer: Any) -> None:
    QuestionFact.objects.filter(conversation_id__in=erased_conversations([customer.pk])).update(
        text="", topic_key="", products=""
    )
