"""Querysets compiled once and run again with other values: the message path's hot reads.

Django compiles a queryset to SQL on every evaluation; for the joined load of a conversation
that is ~0.6 ms of CPU per message, more than running the prepared statement
(docs/performance.md). A ``Compiled`` builds its queryset once per thread from sample values,
remembers where each value lands among the SQL parameters, and afterwards only substitutes
the new values, executes and builds the instances (``select_related`` included) the way
Django's own ``ModelIterable`` does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import FlatValuesListIterable, get_related_populators


@dataclass
class _Plan:
    sql: str
    params: list[Any]
    slots: list[list[int]]  # for each argument, the parameter positions it fills
    compiler: Any
    init_list: list[str]
    start: int
    end: int
    populators: list[Any]
    flat: bool
    converters: dict[int, Any]


class Compiled:
    """``build(*args)`` makes the queryset; ``samples`` are distinct values of the same types
    that appear nowhere else in it (they locate each argument's parameter slots).

    ``build`` may return a ``values_list(..., flat=True)`` queryset: ``run`` then returns
    the first column of each row.
    """

    def __init__(self, build: Callable[..., QuerySet[Any, Any]], samples: Sequence[Any]) -> None:
        self.build = build
        self.samples = tuple(samples)
        self.local = threading.local()

    def _plan(self, alias: str) -> _Plan:
        plans: dict[str, _Plan] = self.local.__dict__.setdefault("plans", {})
        plan = plans.get(alias)
        if plan is not None:
            return plan
        qs = self.build(*self.samples).using(alias)
        compiler = qs.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        params = list(params)
        slots = [[i for i, p in enumerate(params) if p == s] for s in self.samples]
        for sample, found in zip(self.samples, slots, strict=True):
            if not found:
                raise ValueError(f"sample {sample!r} not found in the compiled parameters")
        flat = qs._iterable_class is FlatValuesListIterable
        # Converting values (e.g. JSON, timestamps on SQLite) is decided once, not per run: asking
        # each of the ~90 selected columns for its converters took a sixth of a message's CPU.
        converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
        klass_info = compiler.klass_info
        if flat or klass_info is None:
            plan = _Plan(sql, params, slots, compiler, [], 0, 0, [], True, converters)
        else:
            select = compiler.select
            fields = klass_info["select_fields"]
            start, end = fields[0], fields[-1] + 1
            init_list = [f[0].target.attname for f in select[start:end]]
            # django-stubs describes a later Django (with a fetch_mode argument).
            populators = get_related_populators(klass_info, select, alias)  # type: ignore[call-arg]
            plan = _Plan(
                sql, params, slots, compiler, init_list, start, end, populators, False, converters
            )
        plans[alias] = plan
        return plan

    def run(self, *args: Any, using: str = "default") -> list[Any]:
        plan = self._plan(using)
        params = list(plan.params)
        for value, positions in zip(args, plan.slots, strict=True):
            for i in positions:
                params[i] = value
        with connections[using].cursor() as cursor:
            cursor.execute(plan.sql, params)
            rows = cursor.fetchall()
        if plan.converters:
            rows = [tuple(row) for row in plan.compiler.apply_converters(rows, plan.converters)]
        if plan.flat:
            return [row[0] for row in rows]
        model = plan.compiler.klass_info["model"]
        out = []
        for row in rows:
            obj = model.from_db(using, plan.init_list, row[plan.start : plan.end])
            for populator in plan.populators:
                populator.populate(row, obj)
            out.append(obj)
        return out

    def first(self, *args: Any, using: str = "default") -> Any:
        rows = self.run(*args, using=using)
        return rows[0] if rows else None


def _auto_pk(model: type[Model]) -> bool:
    from django.db.models import AutoField, BigAutoField, SmallAutoField

    return isinstance(model._meta.pk, AutoField | BigAutoField | SmallAutoField)


_insert_sql: dict[tuple[type[Model], str], tuple[str, list[Any]]] = {}


def row_insert(obj: Model, *, using: str = "default") -> None:
    """``obj.save()`` for a new row of a model with an auto primary key, without compiling an
    INSERT each time: the statement is built once per model. Sends no ``pre_save`` /
    ``post_save`` signals (use it only for models nobody listens to), runs each field's
    ``pre_save`` (``auto_now_add``) and database preparation as Django does."""
    model = type(obj)
    assert _auto_pk(model), "row_insert needs an auto primary key"
    connection = connections[using]
    key = (model, connection.vendor)
    cached = _insert_sql.get(key)
    if cached is None:
        qn = connection.ops.quote_name
        fields = [f for f in model._meta.local_concrete_fields if not f.primary_key]
        sql = (
            f"INSERT INTO {qn(model._meta.db_table)} "
            f"({', '.join(qn(str(f.column)) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {qn(str(model._meta.pk.column))}"
        )
        cached = _insert_sql[key] = (sql, fields)
    sql, fields = cached
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        obj.pk = cursor.fetchone()[0]
    obj._state.adding = False
    obj._state.db = using


def row_update(obj: Model, fields: Sequence[str], *, using: str = "default") -> int:
    """``obj.save(update_fields=fields)`` as one UPDATE built without the ORM's compiler (no
    signals); returns the number of rows updated."""
    connection = connections[using]
    qn = connection.ops.quote_name
    meta = obj._meta
    model_fields: list[Any] = [meta.get_field(name) for name in fields]
    sets = ", ".join(f"{qn(str(f.column))} = %s" for f in model_fields)
    params = [f.get_db_prep_save(f.pre_save(obj, False), connection) for f in model_fields]
    params.append(obj.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {qn(meta.db_table)} SET {sets} WHERE {qn(str(meta.pk.column))} = %s", params
        )
        return int(cursor.rowcount)
