"""Writes of the knowledge base outside the admin (demo data, imports)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from chat.models import KnowledgeEntry, KnowledgeQuestion

KBItem = tuple[str, str, str, str, str, list[str]]


def knowledge_base_load(*, items: Iterable[KBItem]) -> int:
    """Create or update entries keyed by (title, language); their phrasings are replaced.
    Idempotent; returns how many entries were new."""
    created_count = 0
    with transaction.atomic():
        for _key, language, title, tags, answer, phrasings in items:
            entry, created = KnowledgeEntry.objects.update_or_create(
                title=title,
                language=language,
                defaults={"answer": answer, "tags": tags, "active": True},
            )
            created_count += int(created)
            current = sorted(entry.questions.values_list("text", flat=True))
            if current != sorted(phrasings):
                entry.questions.all().delete()
                KnowledgeQuestion.objects.bulk_create(
                    KnowledgeQuestion(entry=entry, text=text) for text in phrasings
                )
    from .matching.index import kb_changed

    kb_changed()
    return created_count
