"""Knowledge-base entries written from outside the bot: a draft from reporting's hot questions."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from helpdesk.errors import BadRequest

from ..models import KnowledgeEntry, KnowledgeQuestion

# The entry keeps its first phrasings: enough for the matcher, few enough to review.
DRAFT_PHRASINGS = 10


def knowledge_entry_draft_create(
    *, title: str, phrasings: Sequence[str], language: str
) -> KnowledgeEntry:
    """A new, inactive knowledge-base entry whose phrasings are ``title`` and then
    ``phrasings`` (white space folded, blanks and repeats dropped, at most ten); a manager
    writes the answer and turns it on in the admin. ``BadRequest`` without a title."""
    title = " ".join(title.split())[:200]
    if not title:
        raise BadRequest("The cluster has no question text.", fields={"title": ["Required."]})
    kept: list[str] = []
    for text in [title, *phrasings]:
        text = " ".join(text.split())[:500]
        if text and text not in kept:
            kept.append(text)
    with transaction.atomic():
        entry = KnowledgeEntry.objects.create(
            title=title, answer="", language=language, active=False
        )
        KnowledgeQuestion.objects.bulk_create(
            [KnowledgeQuestion(entry=entry, text=text) for text in kept[:DRAFT_PHRASINGS]]
        )
    return entry
