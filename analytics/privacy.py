"""Analytics' part in a customer's erasure (``analytics.listeners.connect`` registers it
into ``orders.privacy``).

Question facts keep up to 300 characters of what the shopper asked, its key words
(``topic_key``) and the products it named; erasure clears all three for the customer's
conversations. The key words were also copied into the days' topic rows and the topics' sentence
vectors: the days the erased facts fall in are recomputed from the anonymous facts, and a vector
whose key no other fact holds is deleted. The facts themselves stay, anonymous: every count,
duration and conversion of the reports is unchanged (an erased unmatched question still counts
among the day's questions, in no topic cluster). The export needs no hook: these texts are
copies of the shopper's messages, which chat's export already contains.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q

from .models import QuestionFact, TopicVector


def erased_conversations(customer_ids: Any) -> Any:
    """Conversations of these customers (directly or through a visitor), as a pk queryset."""
    from chat.models import Conversation

    return Conversation.objects.filter(
        Q(customer__in=customer_ids) | Q(visitor__customer__in=customer_ids)
    ).values("pk")


def erase_analytics(customer: Any) -> None:
    from .services.rollup import question_days_reroll

    facts = QuestionFact.objects.filter(conversation_id__in=erased_conversations([customer.pk]))
    with transaction.atomic():
        keyed = list(facts.exclude(topic_key="").values_list("topic_key", "at"))
        if keyed:
            # The rollup lock before the facts' row locks: a tick takes them in that order.
            question_days_reroll([])
        facts.update(text="", topic_key="", products="")
        if not keyed:
            return
        keys = {key for key, _ in keyed}
        held = set(
            QuestionFact.objects.filter(topic_key__in=keys).values_list("topic_key", flat=True)
        )
        TopicVector.objects.filter(topic_key__in=keys - held).delete()
        question_days_reroll([at for _, at in keyed])
