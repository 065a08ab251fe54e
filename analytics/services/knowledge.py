"""Turning hot questions into knowledge-base entries."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chat.models import KnowledgeEntry


def knowledge_entry_create_from_cluster(
    *, title: str, examples: list[str], language: str = ""
) -> KnowledgeEntry:
    """Turn a cluster of unmatched questions into a new, inactive knowledge-base entry whose
    phrasings are the cluster's example questions, in the cluster's language unless
    ``language`` names one (chat writes the entry: ``knowledge_entry_draft_create``)."""
    from chat.services.knowledge import knowledge_entry_draft_create

    from ..questions import language_of

    return knowledge_entry_draft_create(
        title=title,
        phrasings=examples,
        language=language or language_of(" ".join(title.split())[:200]),
    )
