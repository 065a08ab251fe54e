"""The workspace list's search box (``GET /api/v1/conversations/?q=``): which conversations a
query keeps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import Func, Q, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Cast, Coalesce

from ..models import Conversation, Message, Visitor
from .messages import LIST_REACH, message_match
from .segment import clean_query

# The shopper's fields and the customer's the box reads (substrings, any case), as one text
# per row: on PostgreSQL each table has a trigram index on it (chat/search/people.py).
VISITOR_FIELDS = ("name", "email")
CUSTOMER_FIELDS = ("name", "email", "phone", "external_id")


def haystack_sql(fields: tuple[str, ...]) -> str:
    """The fields joined by a newline (no field holds one), in the trigram index's SQL."""
    return "(" + " || chr(10) || ".join(f"coalesce({field}::text, '')" for field in fields) + ")"


class Haystack(Func):
    """``haystack_sql(fields)`` as a query expression: written the same way, so PostgreSQL
    matches it to the index."""

    arg_joiner = " || chr(10) || "
    template = "(%(expressions)s)"
    output_field = TextField()

    def __init__(self, fields: tuple[str, ...]) -> None:
        text = [
            Coalesce(Cast(field, TextField()), Value(""), output_field=TextField())
            for field in fields
        ]
        super().__init__(*text)


def _people(model: Any, fields: tuple[str, ...], search: str) -> QuerySet[Any]:
    if connection.vendor != "postgresql":
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": search})
        return model.objects.filter(condition)
    return model.objects.alias(haystack=Haystack(fields)).filter(haystack__icontains=search)


# The list's search reads at most this many of the newest shoppers (and customers) whose
# fields hold the text: a short query such as "a" matches most of them.
PEOPLE_REACH = 200
# The preview (the newest message's text) is read as a substring in this many of the most
# recently active conversations; older ones are found by their messages' words.
PREVIEW_REACH = 2000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _recently_active() -> Q:
    """The ``PREVIEW_REACH`` most recently active conversations, as a range of the activity
    index (a bound PostgreSQL walks, where ``pk IN (newest …)`` let it walk them all)."""
    newest = Conversation.objects.order_by("-last_activity_at").values("last_activity_at")
    since = Subquery(newest[PREVIEW_REACH - 1 : PREVIEW_REACH])
    return Q(last_activity_at__gte=Coalesce(since, Value(EPOCH)))


def _with_message(search: str) -> QuerySet[Message, Any] | None:
    """Conversation ids of the newest ``LIST_REACH`` messages or notes containing every word
    of ``search`` (the search index): a common word stops early instead of collecting every
    conversation that ever said it (docs/search.md)."""
    match = message_match(search)
    if match is None:
        return None
    return Message.objects.filter(match).order_by("-id").values("conversation_id")[:LIST_REACH]


def conversation_search_condition(
    search: str,
    *,
    within: QuerySet[Conversation] | None = None,
    order: tuple[str, ...] = ("-last_activity_at", "-pk"),
    limit: int = 50,
) -> Q:
    """The list's search: the shopper's name or e-mail, the customer's name, e-mail, phone or
    external id, the preview (the newest message, as a substring), or a message or note
    (every word, through the index).

    On PostgreSQL the page's candidates are read first, in one statement: for each way to
    match, the first ``limit`` conversations of ``within`` (the list with its other filters)
    in the list's ``order``, joined by ``UNION ALL``; the page is the first ``limit`` of
    those, so the list then reads a few hundred ids (``pk IN (…)``). As an ``OR`` of
    subqueries the list walked every conversation newest first testing each one until it
    had a page (with no match, all of them: 550 ms for 50,000 on the loaded box); as one
    ``pk IN (… UNION ALL …)`` PostgreSQL could not estimate how many ids it yields and
    joined all 50,000 conversations to their shoppers, channels and teams before filtering
    (1.5 s; docs/search.md)."""
    search = clean_query(search)
    customer_model: Any = Conversation._meta.get_field("customer").related_model
    # Newest people first, capped: PostgreSQL cannot tell how many a short query matches, and
    # would otherwise walk every conversation probing its shopper.
    people = _people(Visitor, VISITOR_FIELDS, search).order_by("-pk").values("pk")
    customers = _people(customer_model, CUSTOMER_FIELDS, search).order_by("-pk").values("pk")
    ways = [
        Q(visitor_id__in=people[:PEOPLE_REACH]),
        Q(customer_id__in=customers[:PEOPLE_REACH]),
        Q(last_message_preview__icontains=search),
    ]
    if connection.vendor == "postgresql":
        # Without a bound, a text in no preview walked all 50,000 (380 ms on the loaded box).
        ways[2] &= _recently_active()
    messages = _with_message(search)
    if messages is not None:
        ways.append(Q(pk__in=messages))
    if connection.vendor != "postgresql":
        condition = Q()
        for way in ways:
            condition |= way
        return condition
    base = Conversation.objects.all() if within is None else within
    base = base.select_related(None).prefetch_related(None).order_by(*order)
    parts = [base.filter(way).values_list("pk")[:limit] for way in ways]
    first, *rest = parts
    return Q(pk__in={row[0] for row in first.union(*rest, all=True)})
