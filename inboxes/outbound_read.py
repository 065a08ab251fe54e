"""The message a delivery sends, read in one statement written out once per process.

A send reads the message with its conversation, the conversation's channel and visitor, the
message's attachment and its delivery — what ``select_related("conversation__channel",
"conversation__visitor", "attachment", "delivery")`` reads. Django compiled that six-table
query anew for every send: about a quarter of a send's CPU in a worker (docs/performance.md,
Channels). ``message_for_send`` runs the same ``SELECT`` from a string made from the models'
fields at import and fills the same relation caches, so a sender sees what it saw before.
Other databases (SQLite: the embedded default) keep the ORM's query.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.db import connection
from django.db.models import Model

from chat.models import Message

RELATED = ("conversation__channel", "conversation__visitor", "attachment", "delivery")

# (alias, the alias of the row it hangs on, the relation's name there), in join order.
_ROWS = (
    ("c", "m", "conversation"),
    ("ch", "c", "channel"),
    ("v", "c", "visitor"),
    ("a", "m", "attachment"),
    ("d", "m", "delivery"),
)


@dataclass(frozen=True)
class _Part:
    alias: str
    model: type[Model]
    start: int
    attnames: list[str]
    pk: int  # the key's place: NULL there is a missing LEFT JOIN row
    converters: list[tuple[int, list[Callable[..., Any]]]]
    parent: str
    relation: Any  # the parent's relation (a forward field or a reverse one-to-one)
    back: Any  # the other side of a one-to-one, pointing back at the parent

    def instance(self, row: Sequence[Any]) -> Model | None:
        values: Sequence[Any] = row[self.start : self.start + len(self.attnames)]
        if values[self.pk] is None:
            return None
        if self.converters:
            values = list(values)
            for place, converters in self.converters:
                for convert in converters:
                    values[place] = convert(values[place], None, connection)
        return self.model.from_db(connection.alias, self.attnames, values)


def _build() -> tuple[str, list[_Part]]:
    models: dict[str, type[Model]] = {"m": Message}
    parts: list[_Part] = []
    columns: list[str] = []
    joins: list[str] = []

    def add(alias: str, model: type[Model], parent: str, relation: Any, back: Any) -> None:
        fields = list(model._meta.concrete_fields)
        start = len(columns)
        columns.extend(f'{alias}."{f.column}"' for f in fields)
        converters = []
        for place, f in enumerate(fields):
            col = f.get_col(alias)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found:
                converters.append((place, found))
        parts.append(
            _Part(
                alias=alias,
                model=model,
                start=start,
                attnames=[f.attname for f in fields],
                pk=next(i for i, f in enumerate(fields) if f.primary_key),
                converters=converters,
                parent=parent,
                relation=relation,
                back=back,
            )
        )

    add("m", Message, "", None, None)
    for alias, parent, name in _ROWS:
        relation: Any = models[parent]._meta.get_field(name)
        model = cast(type[Model], relation.related_model)
        models[alias] = model
        table = model._meta.db_table
        back: Any
        if relation.concrete:  # a forward key on the parent
            on = f'{alias}."{model._meta.pk.column}" = {parent}."{relation.column}"'
            back = relation.remote_field if relation.one_to_one else None
        else:  # a reverse one-to-one: the key is on this row
            on = f'{alias}."{relation.field.column}" = {parent}."{models[parent]._meta.pk.column}"'
            back = relation.field
        joins.append(f'LEFT JOIN "{table}" {alias} ON {on}')
        add(alias, model, parent, relation, back)
    sql = (
        f'SELECT {", ".join(columns)} FROM "{Message._meta.db_table}" m '
        + " ".join(joins)
        + ' WHERE m."id" = %s'
    )
    return sql, parts


MESSAGE_FOR_SEND, _PARTS = _build()


def message_for_send(message_id: int) -> Message | None:
    """The message with its conversation (channel, visitor), attachment and delivery in their
    relation caches, as ``select_related(*RELATED)`` leaves them; None if there is none."""
    if connection.vendor != "postgresql":
        found = Message.objects.select_related(*RELATED).filter(pk=message_id).order_by()[:1]
        return next(iter(found), None)
    with connection.cursor() as cursor:
        cursor.execute(MESSAGE_FOR_SEND, [message_id])
        row = cursor.fetchone()
    if row is None:
        return None
    loaded: dict[str, Model | None] = {}
    for part in _PARTS:
        obj = loaded[part.alias] = part.instance(row)
        parent = loaded.get(part.parent)
        if parent is None or part.relation is None:
            continue
        part.relation.set_cached_value(parent, obj)
        if obj is not None and part.back is not None:
            part.back.set_cached_value(obj, parent)
    return cast(Message, loaded["m"])
