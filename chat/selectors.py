"""Reads of the chat domain."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Q, QuerySet

from helpdesk.errors import BadRequest

from .access import AGENT_GROUPS, Actor, access_conversation
from .labels import labels_prefetch
from .models import Conversation, Message, Visitor
from .search.conversations import conversation_search_condition
from .statements import CONVERSATION_RELATED, conversation_load, conversations_listed

User = get_user_model()


# The widget's conversation as one indexed lookup of its id (a visitor's, or also the verified
# customer's on the visitor's channel): most page views find none, and the ORM compiled the
# joined load of CONVERSATION_RELATED for each, 2-3 ms of CPU per session POST and per socket
# (docs/performance.md, "Opening a visitor socket").
_CURRENT_SQL = (
    "SELECT id FROM chat_conversation WHERE visitor_id = %s{customer}"
    " ORDER BY last_activity_at DESC, id DESC LIMIT 1"
)
_CURRENT_FOR_VISITOR = _CURRENT_SQL.format(customer="")
_CURRENT_FOR_CUSTOMER = _CURRENT_SQL.format(customer=" OR (customer_id = %s AND channel_id = %s)")


def conversation_current_for_visitor(*, visitor: Visitor) -> Conversation | None:
    """The conversation the widget shows: the shopper's latest, across their devices when the
    visitor is a verified customer (only this channel's: the customer's email or app
    conversations are not the widget's)."""
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        cond = Q(visitor=visitor)
        if visitor.customer_id:
            cond |= Q(customer_id=visitor.customer_id, channel_id=visitor.channel_id)
        return (
            Conversation.objects.select_related(*CONVERSATION_RELATED)
            .filter(cond)
            .order_by("-last_activity_at", "-pk")
            .first()
        )
    with db.cursor() as cursor:
        if visitor.customer_id:
            cursor.execute(
                _CURRENT_FOR_CUSTOMER, [visitor.pk, visitor.customer_id, visitor.channel_id]
            )
        else:
            cursor.execute(_CURRENT_FOR_VISITOR, [visitor.pk])
        row = cursor.fetchone()
    return conversation_load(row[0]) if row is not None else None


VIEWS = ("mine", "unassigned", "all")
SORTS = ("recent", "priority")


def conversations_for_agent(
    *,
    user: Any,
    view: str = "all",
    status: str | None = "open",
    team_id: int | None = None,
    channel_id: int | None = None,
    label_id: int | None = None,
    priority: int | None = None,
    attribute: Q | None = None,
    search: str = "",
    limit: int = 50,
    before: str | None = None,
    sort: str = "recent",
    before_priority: int | None = None,
) -> list[Conversation]:
    """The workspace list: newest activity first (``sort="priority"``: most urgent first, then
    newest), each with ``unread`` (shopper messages after this agent's read cursor), the rows
    its payload reads (``CONVERSATION_RELATED``, no query per row) and its labels.
    ``before`` is an ISO timestamp cursor for paging (with ``before_priority``, the last row's
    priority, when sorted by priority)."""
    if sort not in SORTS:
        raise BadRequest("Unknown sort.", fields={"sort": [f"One of {', '.join(SORTS)}."]})
    if view not in VIEWS:
        raise BadRequest("Unknown view.", fields={"view": [f"One of {', '.join(VIEWS)}."]})
    qs = Conversation.objects.all()
    if view == "mine":
        qs = qs.filter(assignee=user)
    elif view == "unassigned":
        qs = qs.filter(assignee__isnull=True)
    if status:
        if status not in Conversation.Status.values:
            raise BadRequest("Unknown status.", fields={"status": ["Invalid."]})
        qs = qs.filter(status=status)
    if team_id:
        qs = qs.filter(team_id=team_id)
    if channel_id:
        qs = qs.filter(channel_id=channel_id)
    if label_id:
        qs = qs.filter(labels=label_id)
    if priority is not None:
        qs = qs.filter(priority=priority)
    if attribute is not None:
        qs = qs.filter(attribute)
    if before and sort == "priority" and before_priority is not None:
        qs = qs.filter(
            Q(priority__lt=before_priority)
            | Q(priority=before_priority, last_activity_at__lt=before)
        )
    elif before:
        qs = qs.filter(last_activity_at__lt=before)
    order: tuple[str, ...] = ("-last_activity_at", "-pk")
    if sort == "priority":
        order = ("-priority", *order)
    limit = max(1, min(limit, 200))
    if search:
        # Last: the search reads the page's candidates within every filter above.
        qs = qs.filter(conversation_search_condition(search, within=qs, order=order, limit=limit))
    # The page's ids from the conversations' table alone (each call's filters, planned each
    # time, cheap to plan), then its rows joined with everything their payloads read, by one
    # fixed statement whose plan PostgreSQL keeps (chat/statements.py CONVERSATION_LIST).
    ids = list(qs.order_by(*order).values_list("pk", flat=True)[:limit])
    conversations = conversations_listed(ids, reader_id=user.pk)
    # Labels ride along in one more query for the whole page (the staff view's ``labels``).
    labels_prefetch(conversations)
    return conversations


# One fixed text: psycopg prepares it and PostgreSQL keeps its plan; through the ORM the
# aggregate was compiled again on every list request (~2 ms of Python).
COUNTS_SQL = (
    "SELECT count(*) FILTER (WHERE assignee_id = %s), count(*) FILTER (WHERE assignee_id IS NULL),"
    " count(*) FROM chat_conversation WHERE status = %s"
)


def conversation_counts_for_agent(*, user: Any) -> dict[str, int]:
    """Counts of open conversations per view, for the list's tabs."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(COUNTS_SQL, [user.pk, Conversation.Status.OPEN.value])
        mine, unassigned, every = cursor.fetchone()
    return {"mine": mine, "unassigned": unassigned, "all": every}


def messages_after(
    *, actor: Actor, conversation_id: Any, after_seq: Any = 0, limit: int | None = None
) -> tuple[Conversation, list[Message]]:
    """Messages with ``seq > after_seq`` in order, through the access function. A shopper never
    receives private notes."""
    if isinstance(after_seq, str) and after_seq.strip().isdigit():
        after_seq = int(after_seq)
    if isinstance(after_seq, bool) or not isinstance(after_seq, int) or after_seq < 0:
        raise BadRequest(
            "after_seq must be a non-negative integer.", fields={"after_seq": ["Invalid."]}
        )
    conversation = access_conversation(actor=actor, conversation_id=conversation_id)
    batch: int = limit or settings.HELPDESK["RESUME_BATCH"]
    # Attachments and translations ride along in the same query (no N+1 on history and resume).
    # The partition key too: PostgreSQL then reads only the conversation's partition
    # (chat/partitions.py).
    qs = Message.objects.select_related("attachment", "delivery", "translation", "bot_why").filter(
        conversation=conversation,
        conversation_created_at=conversation.created_at,
        seq__gt=after_seq,
    )
    if actor.user is None:
        qs = qs.filter(private=False)
    messages = list(qs.order_by("seq")[:batch])
    for message in messages:
        message.conversation = conversation
    return conversation, messages


def conversation_last_seqs(*, ids: list[int]) -> list[tuple[int, int]]:
    """``(id, last_seq)`` of conversations a socket already watches (its access was checked
    when it started watching): the heartbeat that reveals a lost last message."""
    return list(
        Conversation.objects.filter(pk__in=ids).order_by("pk").values_list("pk", "last_seq")
    )


def agents_list() -> QuerySet[Any]:
    """Active agents, for the transfer menu."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(groups__name__in=AGENT_GROUPS) | Q(is_superuser=True))
        .select_related("agent_profile")
        .distinct()
        .order_by("username")
    )
