"""Finding messages by their words: the matching condition and the search results."""

from __future__ import annotations

import re
from typing import Any

from django.db import connection, transaction
from django.db.models import BooleanField, Expression, F, QuerySet, Value
from django.db.models.sql.compiler import SQLCompiler

from ..models import Message
from ..statements import CONVERSATION_RELATED
from .fts import TABLE as FTS_TABLE
from .fts import match_expression
from .segment import query_text, query_words

# The index's expression (migration 0018): a query must repeat it for PostgreSQL to use it.
VECTOR_SQL = "to_tsvector('simple'::regconfig, COALESCE({search_text}, {body}))"
SNIPPET_CHARS = 160


# Query words the body must contain as they are (lower-cased) for the vector to hold them:
# plain ASCII letters and digits, or Chinese only (no case, and jieba's words are substrings).
_SAFE_WORD = re.compile(r"^(?:[a-z0-9]+|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)$")


def prefilter_words(query: str) -> list[str]:
    """The query's words that every matching body contains, lower-cased, as a substring."""
    return [w for w in query_words(query) if _SAFE_WORD.match(w)]


class TextMatch(Expression):
    """``message matches query`` on PostgreSQL: the indexed vector ``@@`` the query's words,
    every one required (``plainto_tsquery``).

    Before the vector, a cheap necessary test: the lower-cased body contains each plain word
    (``strpos(lower(body), word) <> 0``). PostgreSQL runs the cheaper test first, so a walk
    of the newest messages (the plan for a word in many of them) builds a vector only for the
    rows that contain the words: building one per row walked was most of a mid-frequency
    word's time (``warranty``, 1 % of 1M messages: the list's reach of 200 walked 18,000 rows,
    590 -> 94 ms; docs/search.md). Written with ``<> 0`` on purpose: PostgreSQL estimates
    such a test as almost always true, so it does not change which plan it picks."""

    output_field = BooleanField()

    def __init__(self, query: str) -> None:
        super().__init__()
        self.source: list[Any] = [F("search_text"), F("body"), Value(query_text(query))]
        self.source += [Value(word) for word in prefilter_words(query)]

    def get_source_expressions(self) -> list[Any]:
        return self.source

    def set_source_expressions(self, exprs: Any) -> None:
        self.source = list(exprs)

    def as_sql(self, compiler: SQLCompiler, connection: Any, **extra: Any) -> Any:
        compiled = [compiler.compile(expression) for expression in self.source]
        (search_text, _p0), (body, body_params), query = compiled[:3]
        # Parameters in the order their placeholders appear: the word tests, then the vector.
        tests: list[str] = []
        params: list[Any] = []
        for word_sql, word_params in compiled[3:]:
            tests.append(f"strpos(lower({body}), {word_sql}) <> 0")
            params.extend([*body_params, *word_params])
        vector = VECTOR_SQL.format(search_text=search_text, body=body)
        tests.append(f"{vector} @@ plainto_tsquery('simple'::regconfig, {query[0]})")
        params.extend([*_p0, *body_params, *query[1]])
        return "(" + " AND ".join(tests) + ")", params


def message_match(query: str) -> TextMatch | FtsMatch | None:
    """The filter for messages containing every word of ``query``; None when it has none."""
    words = query_words(query)
    if not words:
        return None
    if connection.vendor == "postgresql":
        return TextMatch(query)
    return FtsMatch(words)


class FtsMatch(Expression):
    """``message matches query`` on SQLite: its id among the FTS5 table's matches for every
    word (chat/search/fts.py)."""

    output_field = BooleanField()

    def __init__(self, words: list[str]) -> None:
        super().__init__()
        self.source: list[Any] = [F("id"), Value(match_expression(words))]

    def get_source_expressions(self) -> list[Any]:
        return self.source

    def set_source_expressions(self, exprs: Any) -> None:
        self.source = list(exprs)

    def as_sql(self, compiler: SQLCompiler, connection: Any, **extra: Any) -> Any:
        (pk, pk_params), (words, word_params) = (compiler.compile(e) for e in self.source)
        sql = f"{pk} IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH {words})"
        return sql, [*pk_params, *word_params]


# The list's search reaches the conversations of this many newest matching messages.
LIST_REACH = 200


def matching_messages(query: str) -> QuerySet[Message]:
    condition = message_match(query)
    if condition is None:
        return Message.objects.none()
    return Message.objects.filter(condition)


def highlight(body: str, words: list[str], width: int = SNIPPET_CHARS) -> dict[str, Any]:
    """A window of ``body`` around its first matching word, and where each match is in it
    (``[start, end)`` character offsets into the snippet, not overlapping, in order)."""
    lower = body.lower()
    spans: list[tuple[int, int]] = []
    for word in words:  # longest first: a longer word wins an overlap
        start = lower.find(word)
        while start != -1:
            end = start + len(word)
            if all(end <= s or start >= e for s, e in spans):
                spans.append((start, end))
            start = lower.find(word, end)
    spans.sort()
    begin = 0
    if len(body) > width and spans:
        begin = max(0, min(spans[0][0] - width // 4, len(body) - width))
    end = min(len(body), begin + width)
    snippet = body[begin:end]
    ranges = [[s - begin, e - begin] for s, e in spans if s >= begin and e <= end]
    if begin > 0:
        snippet = "…" + snippet
        ranges = [[s + 1, e + 1] for s, e in ranges]
    if end < len(body):
        snippet += "…"
    return {"snippet": snippet, "highlights": ranges}


def newest_matches(query: str, limit: int) -> list[tuple[int, Any]]:
    """``(id, conversation_created_at)`` of the ``limit`` newest messages matching ``query``:
    the message table alone, so the limit applies before anything is joined."""
    qs = matching_messages(query).order_by("-id").values_list("id", "conversation_created_at")
    return list(qs[:limit])


def search_messages(*, query: str, limit: int = 20) -> list[Message]:
    """The newest messages and notes (agents' search: every conversation) containing every
    word of ``query``, with their conversations loaded for the payload.

    Newest by id (the table's one sequence: creation order), which each partition's primary
    key index gives in order: for a word in many messages PostgreSQL walks the newest rows
    and stops at ``limit`` hits, for a rarer one it reads the GIN index (it knows the
    commonest words from the expression index's statistics).

    Two statements: the ids first, then those rows with their conversations. In one, a word
    with a few hundred matches joined every match to its conversation (a sequential scan of
    the conversations, hashed) before sorting and keeping 20: 240 ms of a 242 ms plan on 1M
    messages, against a few ms for the ids (docs/search.md)."""
    limit = max(1, min(limit, 50))
    related = [f"conversation__{name}" for name in CONVERSATION_RELATED]
    if connection.vendor != "postgresql":
        qs = matching_messages(query).select_related("conversation", *related)
        return list(qs.order_by("-id")[:limit])
    with transaction.atomic(), connection.cursor() as cursor:
        # A few dozen rows: parallel workers cost more to start than they save (docs/search.md).
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        found = newest_matches(query, limit)
        if not found:
            return []
        # The partition key too: only the partitions holding these rows are read.
        rows = Message.objects.select_related("conversation", *related).filter(
            pk__in=[pk for pk, _ in found],
            conversation_created_at__in={start for _, start in found},
        )
        return sorted(rows, key=lambda message: message.pk, reverse=True)
