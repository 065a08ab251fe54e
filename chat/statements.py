"""The message path's statements, written out as SQL.

A message is, in one transaction: the row lock of its conversation (the ``LOCK_SQL`` of
``chat/access.py``), the joined load of that conversation with every row its payloads read
(``CONVERSATION_LOAD`` below), and the ``INSERT`` of the message with the ``UPDATE`` of the
conversation as one statement (``message_store``). Through the ORM each is compiled to SQL
again on every call, and with prepared statements on (``helpdesk/settings.py``) compiling
costs more CPU than running: the ORM's joined load took about six times the CPU of
``conversation_load``, its lock about five times that of ``LOCK_SQL`` (docs/performance.md,
"Explicit SQL on the message path").
Here the text is fixed once and run with ``cursor.execute``; rows become model instances
through ``Model.from_db`` and each field's ``from_db_value``, Django's documented hooks for rows
read from the database.

The explicit reads are PostgreSQL's: on the embedded SQLite desk (one process, no performance
goal) the same reads go through the ORM, which knows SQLite's value conversions.
``tests/chat/test_statements.py`` holds each statement against the ORM's answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Count, IntegerField, Model, OuterRef, Subquery, Value
from django.db.models.fields.mixins import FieldCacheMixin
from django.db.models.functions import Coalesce

from .models import AgentReadCursor, Conversation, Message

# The rows the staff view of a conversation reads (assignee name, team, visitor, the routing
# and bot payload hooks, the channel and its state for the channels' payload hook): loaded
# wherever a conversation is published or listed, so building its payload costs no query.
CONVERSATION_RELATED = (
    "assignee__agent_profile",
    "team",
    "channel",
    "visitor__customer",
    "routing",
    "bot_state",
    "channel_state",
)


def _db() -> BaseDatabaseWrapper:
    """This thread's connection, looked up once per statement: each attribute read through
    the ``django.db.connection`` proxy looks it up again, and the ten rows of the load and the
    fields' preparation read it often enough to show in the load's CPU (about a fifth)."""
    return connections[DEFAULT_DB_ALIAS]


# ``CONVERSATION_RELATED`` as one statement: a row that may be missing (no assignee yet, no bot
# state yet) is a LEFT JOIN and comes back as NULLs.
_CONVERSATION_LOAD_FROM = """
FROM chat_conversation c
JOIN chat_visitor v ON v.id = c.visitor_id
LEFT JOIN orders_customer cu ON cu.id = v.customer_id
JOIN chat_channel ch ON ch.id = c.channel_id
LEFT JOIN auth_user u ON u.id = c.assignee_id
LEFT JOIN chat_agentprofile ap ON ap.user_id = u.id
LEFT JOIN chat_team t ON t.id = c.team_id
LEFT JOIN chat_botstate b ON b.conversation_id = c.id
LEFT JOIN chat_conversationrouting r ON r.conversation_id = c.id
LEFT JOIN inboxes_conversationchannelstate cs ON cs.conversation_id = c.id"""

# Each joined row of that statement: (its alias, the alias of the row it hangs on, the
# attribute it fills there). The models come from the attributes, so chat names no model of
# another app here.
_CONVERSATION_LOAD_ROWS = (
    ("v", "c", "visitor"),
    ("cu", "v", "customer"),
    ("ch", "c", "channel"),
    ("u", "c", "assignee"),
    ("ap", "u", "agent_profile"),
    ("t", "c", "team"),
    ("b", "c", "bot_state"),
    ("r", "c", "routing"),
    ("cs", "c", "channel_state"),
)


@dataclass(frozen=True)
class _Part:
    """One table's columns in the joined row: where they stand, how they become an instance,
    and which relation cache of the row it hangs on receives it (what ``select_related``
    fills)."""

    alias: str
    model: type[Model]
    start: int
    attnames: list[str]  # every concrete field, in the model's order (``from_db`` takes them)
    columns: list[str]  # their columns, in the same order
    pk: int  # the primary key's place among them: NULL there is a missing LEFT JOIN row
    converters: list[tuple[int, Callable[..., Any]]]  # (place, that field's from_db_value)
    parent: str = ""  # the alias of the row it hangs on; "" for the conversation
    relation: FieldCacheMixin | None = None  # the parent's relation to it
    back: FieldCacheMixin | None = None  # a one-to-one's other side, which points back

    @property
    def end(self) -> int:
        return self.start + len(self.attnames)

    def instance(self, row: Sequence[Any], db: BaseDatabaseWrapper) -> Model | None:
        values: Sequence[Any] = row[self.start : self.start + len(self.attnames)]
        if values[self.pk] is None:
            return None
        if self.converters:
            values = list(values)
            for place, from_db_value in self.converters:
                values[place] = from_db_value(values[place], None, db)
        return self.model.from_db(db.alias, self.attnames, values)


def _part(
    alias: str, model: type[Model], start: int, parent: str = "", relation: Any = None
) -> _Part:
    fields = list(model._meta.concrete_fields)
    return _Part(
        alias=alias,
        model=model,
        start=start,
        attnames=[f.attname for f in fields],
        columns=[str(f.column) for f in fields],
        pk=next(place for place, f in enumerate(fields) if f.primary_key),
        converters=[
            (place, f.from_db_value)
            for place, f in enumerate(fields)
            if hasattr(f, "from_db_value")
        ],
        parent=parent,
        relation=relation,
        back=relation.remote_field if relation is not None and relation.one_to_one else None,
    )


def _load_parts() -> list[_Part]:
    parts = [_part("c", Conversation, 0)]
    models: dict[str, type[Model]] = {"c": Conversation}
    for alias, parent, attribute in _CONVERSATION_LOAD_ROWS:
        relation = models[parent]._meta.get_field(attribute)
        models[alias] = cast(type[Model], relation.related_model)
        parts.append(_part(alias, models[alias], parts[-1].end, parent, relation))
    return parts


_LOAD_PARTS = _load_parts()
_LOAD_COLUMNS = ", ".join(
    f'{part.alias}."{column}"' for part in _LOAD_PARTS for column in part.columns
)
CONVERSATION_LOAD = "SELECT " + _LOAD_COLUMNS + _CONVERSATION_LOAD_FROM + "\nWHERE c.id = %s"

# The workspace list's rows (``chat/selectors.py``): the same joined rows for a page of ids,
# each with ``unread``, the shopper's messages after the reading agent's cursor (the cursor is
# read once per conversation and bounds the index range; the partition key makes each count
# read its conversation's month only). One text whatever the page, so psycopg prepares it and
# PostgreSQL reuses its plan: planned anew on every call, the list's ten-table join cost
# ~13 ms of server CPU of its ~15 (docs/performance.md, "The list's time at 1M messages").
_UNREAD = (
    "COALESCE((SELECT count(*) FROM chat_message m WHERE m.conversation_id = c.id"
    " AND m.conversation_created_at = c.created_at AND m.sender_kind = 'visitor'"
    " AND m.seq > COALESCE((SELECT rc.read_seq FROM chat_agentreadcursor rc"
    " WHERE rc.conversation_id = c.id AND rc.user_id = %s), 0)), 0)"
)
CONVERSATION_LIST = (
    "SELECT "
    + _LOAD_COLUMNS
    + ", "
    + _UNREAD
    + _CONVERSATION_LOAD_FROM
    + "\nWHERE c.id = ANY(%s::bigint[])"
)


# The rows a page of the list shares between its conversations (one channel, a few agents
# and teams): built once per page, not once per row (the channel's two JSON fields parsed 50
# times were a tenth of the list's Python time).
_SHARED = frozenset({"ch", "u", "ap", "t"})


def _conversation_from_row(
    row: Sequence[Any], db: BaseDatabaseWrapper, shared: dict[Any, Model | None] | None = None
) -> Conversation:
    loaded: dict[str, Model | None] = {}
    for part in _LOAD_PARTS:
        if shared is not None and part.alias in _SHARED:
            key = (part.alias, row[part.start + part.pk])
            if key not in shared:
                shared[key] = part.instance(row, db)
            obj = loaded[part.alias] = shared[key]
        else:
            obj = loaded[part.alias] = part.instance(row, db)
        parent = loaded.get(part.parent)
        if parent is not None and part.relation is not None:
            part.relation.set_cached_value(parent, obj)
            if obj is not None and part.back is not None:
                part.back.set_cached_value(obj, parent)
    return cast(Conversation, loaded["c"])


def conversation_load(pk: int) -> Conversation | None:
    """Conversation ``pk`` with the rows of ``CONVERSATION_RELATED`` in its relation caches, as
    ``select_related`` leaves them; None if there is no such row."""
    db = _db()
    if db.vendor != "postgresql":
        return Conversation.objects.select_related(*CONVERSATION_RELATED).filter(pk=pk).first()
    with db.cursor() as cursor:
        cursor.execute(CONVERSATION_LOAD, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    return _conversation_from_row(row, db)


def conversations_listed(ids: Sequence[int], *, reader_id: int) -> list[Conversation]:
    """Conversations ``ids`` in that order (an id no longer there is left out), each with the
    rows of ``CONVERSATION_RELATED`` in its relation caches and ``unread`` set: the shopper's
    messages after reader ``reader_id``'s read cursor."""
    if not ids:
        return []
    db = _db()
    if db.vendor != "postgresql":
        read = AgentReadCursor.objects.filter(
            user_id=reader_id, conversation=OuterRef("conversation")
        ).values("read_seq")[:1]
        unread = (
            Message.objects.filter(
                conversation=OuterRef("pk"),
                sender_kind=Message.SenderKind.VISITOR,
                seq__gt=Coalesce(Subquery(read, output_field=IntegerField()), Value(0)),
            )
            .order_by()
            .values("conversation")
            .annotate(n=Count("pk"))
            .values("n")
        )
        rows: list[Conversation] = list(
            Conversation.objects.select_related(*CONVERSATION_RELATED)
            .filter(pk__in=ids)
            .annotate(unread=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)))
        )
    else:
        rows = []
        shared: dict[Any, Model | None] = {}
        with db.cursor() as cursor:
            cursor.execute(CONVERSATION_LIST, [reader_id, list(ids)])
            for row in cursor.fetchall():
                conversation = _conversation_from_row(row, db, shared)
                conversation.unread = row[-1]  # type: ignore[attr-defined]
                rows.append(conversation)
    by_id = {conversation.pk: conversation for conversation in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def row_lock(sql: str, params: Sequence[Any]) -> bool:
    """Run one of ``chat/access.py``'s ``LOCK_SQL``: True if it locked a row. SQLite has no row
    locks (its transaction holds the whole database), so there it only looks the row up."""
    db = _db()
    if not db.features.has_select_for_update:
        sql = sql.removesuffix(" FOR UPDATE")
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


# Every column of a message but ``id``, which PostgreSQL's identity (SQLite's rowid) assigns.
_MESSAGE_FIELDS = [f for f in Message._meta.local_concrete_fields if not f.primary_key]
_MESSAGE_COLUMNS = ", ".join(f'"{f.column}"' for f in _MESSAGE_FIELDS)
_MESSAGE_VALUES = ", ".join(["%s"] * len(_MESSAGE_FIELDS))
MESSAGE_INSERT = (
    f"INSERT INTO chat_message ({_MESSAGE_COLUMNS}) VALUES ({_MESSAGE_VALUES}) RETURNING id"
)


def message_insert(message: Message) -> None:
    """``message.save()`` for a new message as one fixed ``INSERT … RETURNING id``. Sends no
    ``pre_save`` / ``post_save`` signals (nobody listens to a message's); runs each field's
    ``pre_save`` (``auto_now_add``) and database preparation as ``save()`` does."""
    db = _db()
    params = [f.get_db_prep_save(f.pre_save(message, True), db) for f in _MESSAGE_FIELDS]
    with db.cursor() as cursor:
        cursor.execute(MESSAGE_INSERT, params)
        message.pk = cursor.fetchone()[0]
    message._state.adding = False
    message._state.db = db.alias


_CONVERSATION_FIELDS = {f.name: f for f in Conversation._meta.concrete_fields}

# The statement of ``message_store`` for each set of conversation fields a message changes (a
# shopper's, an agent's, a note's … a handful of texts, each prepared once per connection).
_MESSAGE_STORE_SQL: dict[tuple[str, ...], str] = {}


def _message_store_sql(fields: tuple[str, ...]) -> str:
    sql = _MESSAGE_STORE_SQL.get(fields)
    if sql is None:
        sets = ", ".join(f'"{_CONVERSATION_FIELDS[name].column}" = %s' for name in fields)
        # The INSERT reads its row FROM the UPDATE's: no conversation row updated, no message
        # stored. Both happen in one statement, under the row lock the caller holds.
        sql = _MESSAGE_STORE_SQL[fields] = (
            f'WITH c AS (UPDATE chat_conversation SET {sets}, "version" = "version" + 1'
            ' WHERE id = %s RETURNING "version")'
            f" INSERT INTO chat_message ({_MESSAGE_COLUMNS}) SELECT {_MESSAGE_VALUES} FROM c"
            ' RETURNING id, (SELECT "version" FROM c)'
        )
    return sql


def message_store(message: Message, conversation: Conversation, fields: Sequence[str]) -> None:
    """``message_insert(message)`` and ``conversation_update(conversation, fields)`` as one
    statement on PostgreSQL (a data-modifying ``WITH``): one round trip and one statement's
    overhead fewer per message. The caller holds the conversation's row lock and has moved its
    ``last_seq`` to the message's seq, as for the two statements. SQLite (the embedded desk)
    has no ``UPDATE`` in a ``WITH``: there it runs the two."""
    db = _db()
    if db.vendor != "postgresql":
        message_insert(message)
        conversation_update(conversation, fields)
        return
    changed = [_CONVERSATION_FIELDS[name] for name in fields]
    params = [f.get_db_prep_save(f.pre_save(conversation, False), db) for f in changed]
    params.append(conversation.pk)
    params += [f.get_db_prep_save(f.pre_save(message, True), db) for f in _MESSAGE_FIELDS]
    with db.cursor() as cursor:
        cursor.execute(_message_store_sql(tuple(fields)), params)
        row = cursor.fetchone()
    if row is None:
        raise Conversation.DoesNotExist(f"Conversation {conversation.pk} does not exist.")
    message.pk = row[0]
    message._state.adding = False
    message._state.db = db.alias
    _version_mark(conversation, row[1], db)


def conversation_update(conversation: Conversation, fields: Sequence[str]) -> None:
    """``conversation.save(update_fields=fields)`` as one ``UPDATE … WHERE id = %s``, without
    signals (nobody listens to a conversation's save), that also raises the conversation's
    ``version`` (the next payload published in this transaction tells it: no statement
    more for a message)."""
    changed = [_CONVERSATION_FIELDS[name] for name in fields]
    sets = ", ".join(f'"{f.column}" = %s' for f in changed)
    db = _db()
    params = [f.get_db_prep_save(f.pre_save(conversation, False), db) for f in changed]
    with db.cursor() as cursor:
        cursor.execute(
            f'UPDATE chat_conversation SET {sets}, "version" = "version" + 1 WHERE id = %s'
            ' RETURNING "version"',
            [*params, conversation.pk],
        )
        row = cursor.fetchone()
    if row is not None:
        _version_mark(conversation, row[0], db)


class _VersionMark:
    """That a transaction raised a conversation's version; ended when it commits."""

    __slots__ = ("live",)

    def __init__(self) -> None:
        self.live = True

    def end(self) -> None:
        self.live = False


def _version_mark(conversation: Conversation, version: int, db: BaseDatabaseWrapper) -> None:
    conversation.version = version
    if not db.in_atomic_block:
        return  # autocommit: that statement was its own transaction
    mark = _VersionMark()
    conversation._version_mark = mark  # type: ignore[attr-defined]
    transaction.on_commit(mark.end, using=db.alias)


def conversation_version_bump(conversation: Conversation) -> None:
    """Give ``conversation`` its next ``version`` unless this transaction already did (its
    message's UPDATE, an earlier publish): one ``UPDATE … RETURNING``, which takes the row
    lock if the caller does not hold it yet, so versions rise in the order transactions
    commit. Every payload built after it in the transaction tells that version.

    The mark lives on the instance until its transaction commits. A caller that kept an
    instance past a rolled-back transaction would publish its next change without a new
    version (and a client holding a newer one would drop it): every writer loads the
    conversation again in its transaction."""
    mark = getattr(conversation, "_version_mark", None)
    db = _db()
    if mark is not None and mark.live and db.in_atomic_block:
        return
    with db.cursor() as cursor:
        cursor.execute(
            'UPDATE chat_conversation SET "version" = "version" + 1 WHERE id = %s'
            ' RETURNING "version"',
            [conversation.pk],
        )
        row = cursor.fetchone()
    if row is not None:
        _version_mark(conversation, row[0], db)
