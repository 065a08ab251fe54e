"""Loading a knowledge base from a data file (the demo's ``demo_kb.toml``, a shop's import).

The admin edits entries one by one; this module writes many at once, keyed by each entry's
stable ``key`` and language, so loading the same file twice changes nothing and an entry
whose title was edited in the admin is updated, not duplicated.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from django.db import transaction

from chat.models import KnowledgeEntry, KnowledgeQuestion
from helpdesk.errors import BadRequest

DEMO_KB_PATH = Path(__file__).resolve().parent / "demo_kb.toml"
LANGUAGES = {choice.value for choice in KnowledgeEntry.Language}


class KBItem(NamedTuple):
    """One entry of a knowledge-base file."""

    key: str
    language: str
    title: str
    tags: str
    answer: str
    phrasings: list[str]


class KnowledgeFileError(BadRequest):
    """A knowledge-base file that cannot be loaded (nothing of it is)."""


def knowledge_file_read(path: Path) -> list[KBItem]:
    """The entries of a TOML knowledge-base file (``[[entry]]`` tables: key, language, title,
    tags, answer, phrasings). A malformed file raises ``KnowledgeFileError`` naming the entry."""
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise KnowledgeFileError(f"{path.name}: {exc}") from exc
    items = []
    seen: set[tuple[str, str]] = set()
    for number, raw in enumerate(data.get("entry", []), start=1):
        try:
            item = KBItem(
                key=str(raw["key"]),
                language=str(raw["language"]),
                title=str(raw["title"]),
                tags=str(raw.get("tags", "")),
                answer=str(raw["answer"]),
                phrasings=[str(p) for p in raw.get("phrasings", [])],
            )
        except (KeyError, TypeError) as exc:
            raise KnowledgeFileError(f"{path.name}: entry {number} lacks {exc}") from exc
        if item.language not in LANGUAGES:
            raise KnowledgeFileError(f"{path.name}: entry {item.key}: language {item.language}?")
        if (item.language, item.key) in seen:
            raise KnowledgeFileError(f"{path.name}: entry {item.key} twice in {item.language}")
        seen.add((item.language, item.key))
        items.append(item)
    return items


def demo_items() -> list[KBItem]:
    """The demo shop's knowledge base (``demo_kb.toml``)."""
    return knowledge_file_read(DEMO_KB_PATH)


def knowledge_base_load(*, items: Iterable[KBItem]) -> int:
    """Create or update entries keyed by (key, language); their phrasings are replaced.
    Idempotent; returns how many entries were new."""
    created_count = 0
    with transaction.atomic():
        for key, language, title, tags, answer, phrasings in items:
            entry, created = KnowledgeEntry.objects.update_or_create(
                key=key,
                language=language,
                defaults={"title": title, "answer": answer, "tags": tags, "active": True},
            )
            created_count += int(created)
            current = sorted(entry.questions.values_list("text", flat=True))
            if current != sorted(phrasings):
                entry.questions.all().delete()
                KnowledgeQuestion.objects.bulk_create(
                    KnowledgeQuestion(entry=entry, text=text) for text in phrasings
                )
                # bulk_create sends no post_save: the index and the vectors must still follow.
                from .listeners import on_kb_change

                on_kb_change(KnowledgeQuestion, instance=entry)
    from .matching.index import kb_changed

    kb_changed()
    return created_count
