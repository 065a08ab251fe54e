"""Turning hot questions into knowledge-base entries."""

from __future__ import annotations

from typing import Any

from django.db import transaction


def knowledge_entry_create_from_cluster(
    *, title: str, examples: list[str], language: str = ""
) -> Any:
    """Turn a cluster of unmatched questions into a new, inactive knowledge-base entry whose
    phrasings are the cluster's example questions; a manager writes the answer and turns it
    on in the admin."""
    from chat.models import KnowledgeEntry, KnowledgeQuestion
    from helpdesk.errors import BadRequest

    from ..questions import language_of

    title = " ".join(title.split())[:200]
    if not title:
        raise BadRequest("The cluster has no question text.", fields={"title": ["Required."]})
    phrasings = []
    for text in [title, *examples]:
        text = " ".join(text.split())[:500]
        if text and text not in phrasings:
            phrasings.append(text)
    with transaction.atomic():
        entry = KnowledgeEntry.objects.create(
            title=title,
            answer="",
            language=language or language_of(title),
            active=False,
        )
        KnowledgeQuestion.objects.bulk_create(
            [KnowledgeQuestion(entry=entry, text=text) for text in phrasings[:10]]
        )
    return entry
