"""The knowledge base's sentence vectors: computed in Celery when an entry is saved, stored
in ``KnowledgeVector``, read when a process builds its index; never computed per question.

A text's vector is keyed by the embedder's name and a digest of the text, so an edit
embeds only the changed phrasings, and entries saved before a model switch are re-embedded
by ``kb_vectors_compute()`` with no ids, called from a shell (there is no management
command for it yet). The out-of-scope examples (``matching/out_of_scope.toml``) are stored the
same way, alongside any entry's texts, so a process never embeds them itself.

An entry's task is queued after its save commits; one the broker lost (it was down) is found
by the beat's ``chat.bot.kb_vectors_sweep`` (``kb_vectors_missing``), which queues it again.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence

import numpy as np

from chat.models import KnowledgeEntry, KnowledgeQuestion, KnowledgeVector

from .matching.embedder import Embedder, current_embedder
from .matching.params import out_of_scope_texts

logger = logging.getLogger(__name__)

# Texts per call to the embedder (an HTTP endpoint's request stays small).
BATCH = 32


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry_texts(entry_ids: Iterable[int] | None = None) -> list[str]:
    """The titles and phrasings of the given active entries (all when ``entry_ids`` is None)."""
    entries = KnowledgeEntry.objects.filter(active=True)
    questions = KnowledgeQuestion.objects.filter(entry__active=True)
    if entry_ids is not None:
        ids = list(entry_ids)
        entries = entries.filter(pk__in=ids)
        questions = questions.filter(entry_id__in=ids)
    texts = list(entries.values_list("title", flat=True)) + list(
        questions.values_list("text", flat=True)
    )
    return list(dict.fromkeys(texts))


def kb_vectors_compute(
    *, entry_ids: Sequence[int] | None = None, embedder: Embedder | None = None
) -> int:
    """Embed the entries' texts that have no vector for the current embedder yet and store
    them; then every process rebuilds its index. Returns how many entry texts were embedded
    (the out-of-scope examples missing for this embedder are embedded too, not counted).
    Raises ``EmbeddingUnavailable`` when the embedder fails (the task retries)."""
    embedder = embedder or current_embedder()
    if embedder is None:
        return 0
    scope = _vectors_store(out_of_scope_texts(), embedder)
    added = _vectors_store(entry_texts(entry_ids), embedder)
    if added or scope:
        from .matching.index import kb_changed

        kb_changed()
        logger.info("embedded %d knowledge-base texts with %s", added + scope, embedder.name)
    return added


def kb_vectors_missing(model: str) -> tuple[list[int], bool]:
    """The active entries with a title or phrasing that has no vector by ``model``, and
    whether an out-of-scope example lacks one: three reads, no embedding (the sweep's look,
    a few milliseconds for a thousand texts)."""
    by_digest: dict[str, set[int]] = {}
    for pk, title in KnowledgeEntry.objects.filter(active=True).values_list("pk", "title"):
        by_digest.setdefault(text_digest(title), set()).add(pk)
    questions = KnowledgeQuestion.objects.filter(entry__active=True)
    for entry_id, text in questions.values_list("entry_id", "text"):
        by_digest.setdefault(text_digest(text), set()).add(entry_id)
    scope = {text_digest(t) for t in out_of_scope_texts()}
    have = set(
        KnowledgeVector.objects.filter(model=model, digest__in=[*by_digest, *scope]).values_list(
            "digest", flat=True
        )
    )
    entries = sorted({pk for d, pks in by_digest.items() if d not in have for pk in pks})
    return entries, not scope <= have


def _vectors_store(texts: Sequence[str], embedder: Embedder) -> int:
    """Embed and store those of ``texts`` with no vector by ``embedder``; how many."""
    by_digest = {text_digest(t): t for t in texts}
    have = set(
        KnowledgeVector.objects.filter(model=embedder.name, digest__in=list(by_digest)).values_list(
            "digest", flat=True
        )
    )
    missing = [(d, t) for d, t in by_digest.items() if d not in have]
    added = 0
    for start in range(0, len(missing), BATCH):
        chunk = missing[start : start + BATCH]
        matrix = embedder.embed([t for _d, t in chunk])
        KnowledgeVector.objects.bulk_create(
            [
                KnowledgeVector(
                    model=embedder.name,
                    digest=digest,
                    dim=int(row.shape[0]),
                    vector=row.astype("<f4").tobytes(),
                )
                for (digest, _t), row in zip(chunk, matrix, strict=True)
            ],
            ignore_conflicts=True,
        )
        added += len(chunk)
    return added


def vectors_for(texts: Iterable[str], *, model: str) -> dict[str, np.ndarray]:
    """The stored vectors of ``texts`` by ``model`` (texts without one are left out)."""
    by_digest = {text_digest(t): t for t in texts}
    found: dict[str, np.ndarray] = {}
    rows = KnowledgeVector.objects.filter(model=model, digest__in=list(by_digest)).values_list(
        "digest", "vector"
    )
    for digest, blob in rows.iterator(chunk_size=2000):
        found[by_digest[digest]] = np.frombuffer(bytes(blob), dtype="<f4")
    return found


def kb_vectors_prune() -> int:
    """Delete vectors no active text of the current embedder uses (after edits)."""
    embedder = current_embedder()
    if embedder is None:
        return 0
    keep = {text_digest(t) for t in [*entry_texts(), *out_of_scope_texts()]}
    stale = [
        pk
        for pk, digest in KnowledgeVector.objects.filter(model=embedder.name).values_list(
            "pk", "digest"
        )
        if digest not in keep
    ]
    KnowledgeVector.objects.filter(pk__in=stale).delete()
    return len(stale)
