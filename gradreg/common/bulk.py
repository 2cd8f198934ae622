"""Many new rows of one model at once: what a batch import writes.

On PostgreSQL the rows go by COPY, with ids reserved from the table's sequence first where the caller
needs them (Django's bulk_create sends every value through its field preparation and psycopg's array
quoting, which for tens of thousands of text-heavy rows costs more than the rest of an import).
Elsewhere: bulk_create.
"""
from __future__ import annotations

import gc
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, models
from django.db.models import F, Q
from django.db.models.expressions import Expression
from django.utils import timezone
from psycopg.copy import QueuedLibpqWriter

BATCH = 2_000


class JsonText(str):
    """A JSON field's value given already encoded (PostgreSQL only: COPY sends the text as it is)."""


class AnyOf(Expression):
    """`field = ANY(array)`: a filter on one of many values (PostgreSQL), given as one array parameter."""

    output_field = models.BooleanField()

    def __init__(self, field: str | Expression, values: list) -> None:
        super().__init__()
        self.target = F(field) if isinstance(field, str) else field
        self.values = values

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        c = self.copy()
        c.target = self.target.resolve_expression(query, allow_joins, reuse, summarize, for_save)
        return c

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.target)
        cast = "bigint[]" if self.values and isinstance(self.values[0], int) else "text[]"
        return f"{sql} = ANY(%s::{cast})", [*params, list(self.values)]


def one_of(field: str, values: list) -> Q | AnyOf:
    """A filter on `field` holding one of `values` (thousands of them: a batch import's keys). On PostgreSQL one
    array parameter, `field = ANY(array)`: thousands of placeholders cost more to send and to compile than the
    rows found, and `IN (SELECT unnest(array))` is planned as a join whose estimate (stale statistics of rows just
    imported) may pick a nested loop over every pair; elsewhere `field IN (...)`."""
    if connection.vendor != "postgresql" or not values:
        return Q(**{f"{field}__in": values})
    return AnyOf(field, values)


@contextmanager
def many_objects() -> Iterator[None]:
    """A block that makes hundreds of thousands of objects (a batch import's rows, events and messages).

    Python's automatic collections, which such a block sets off again and again (several of them full ones,
    walking every object of the process: the framework, the caches, millions), find nothing to free there: the
    block's objects are rows and values, kept until it ends, with no reference cycles. So they are paused for
    the block (`gc.disable`) and resumed after it; the next collection frees whatever is garbage then. Left
    alone when collection is already paused (a nested block, or the process's own choice).
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys of the model's table (PostgreSQL: from its sequence)."""
    if count <= 0:
        return []
    with connection.wrap_database_errors, connection.cursor() as cur:
        cur.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [connection.ops.quote_name(model._meta.db_table), model._meta.pk.column, count])
        return [r[0] for r in cur.fetchall()]


def insert_rows(model: type[models.Model], attnames: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert rows given as values of these fields (by attname; JSON fields as Python values, the rest as the
    model holds them). Fields left out take their database default (the id) or must be nullable."""
    meta = model._meta
    fields = [meta.get_field(a) for a in attnames]
    if connection.vendor != "postgresql":
        model.objects.bulk_create((model(**dict(zip(attnames, row))) for row in rows), batch_size=BATCH)
        return
    # one encoder per field (what json.dumps(value, cls=encoder, ensure_ascii=False) would build per value)
    json_at = [(i, (f.encoder or json.JSONEncoder)(ensure_ascii=False).encode) for i, f in enumerate(fields)
               if isinstance(f, models.JSONField)]
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.wrap_database_errors, connection.cursor() as cur:
        # a queued writer sends the rows from a thread while the next ones are built: the server's work on
        # block k overlaps ours on block k+1
        # (psycopg's own cursor: Django's debug wrapper, under DEBUG or a query capture, takes no writer)
        raw = cur.cursor
        with raw.copy(f"COPY {connection.ops.quote_name(meta.db_table)} ({names}) FROM STDIN",
                      writer=QueuedLibpqWriter(raw)) as copy:
            write = copy.write_row
            for row in rows:
                if json_at:
                    row = list(row)
                    for i, encode in json_at:
                        if row[i] is not None and row[i].__class__ is not JsonText:
                            row[i] = encode(row[i])
                write(row)


def insert_with_ids(model: type[models.Model], attnames: Sequence[str], rows: Iterable[Sequence[Any]],
                    count: int) -> list[int]:
    """`insert_rows` for `count` rows whose new primary keys the caller needs: returns them, in the rows' order
    (PostgreSQL: reserved from the sequence, then one COPY, the rows made while the ones before are sent;
    elsewhere bulk_create)."""
    if count <= 0:
        return []
    if connection.vendor != "postgresql":
        objs = [model(**dict(zip(attnames, row))) for row in rows]
        model.objects.bulk_create(objs, batch_size=BATCH)
        return [o.pk for o in objs]
    ids = reserve_ids(model, count)
    insert_rows(model, (model._meta.pk.attname, *attnames), ((pk, *row) for pk, row in zip(ids, rows, strict=True)))
    return ids


def update_rows(model: type[models.Model], attnames: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Existing rows given as (pk, *values of these fields) updated: on PostgreSQL one UPDATE joined on VALUES per
    BATCH rows (a CASE per field over thousands of rows, as bulk_update writes it, grows quadratically);
    elsewhere bulk_update."""
    if not rows:
        return
    meta = model._meta
    fields = [meta.get_field(a) for a in attnames]
    if connection.vendor != "postgresql":
        model.objects.bulk_update([model(pk=row[0], **dict(zip(attnames, row[1:]))) for row in rows],
                                  [f.name for f in fields], batch_size=max(1, BATCH // 4))
        return
    quote = connection.ops.quote_name
    # each value typed as its column, texts as text: a cast to varchar(n) would cut a longer one where storing it
    # must fail
    casts = [re.sub(r"^varchar\(\d+\)$", "text", f.db_type(connection)) for f in (meta.pk, *fields)]
    one = "(" + ", ".join(f"%s::{cast}" for cast in casts) + ")"
    names = ", ".join(quote(f.column) for f in fields)
    sets = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in fields)
    pk = quote(meta.pk.column)
    with connection.wrap_database_errors, connection.cursor() as cur:
        for i in range(0, len(rows), BATCH):
            part = rows[i : i + BATCH]
            params = [f.get_db_prep_value(value, connection) for row in part
                      for f, value in zip((meta.pk, *fields), row, strict=True)]
            cur.execute(f"UPDATE {quote(meta.db_table)} AS t SET {sets} FROM (VALUES {', '.join([one] * len(part))}) "
                        f"AS v({pk}, {names}) WHERE t.{pk} = v.{pk}", params)


def insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Insert new instances and set their primary keys (one COPY on PostgreSQL)."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=BATCH)
        return
    fields = list(model._meta.concrete_fields)
    now = timezone.now()
    for f in fields:  # what Model.save's pre_save would fill in
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            for o in objs:
                if f.auto_now or getattr(o, f.attname) is None:
                    setattr(o, f.attname, now)
    missing = [o for o in objs if o.pk is None]
    for o, pk in zip(missing, reserve_ids(model, len(missing))):
        o.pk = pk
    attnames = [f.attname for f in fields]
    insert_rows(model, attnames, ([getattr(o, a) for a in attnames] for o in objs))
    for o in objs:
        o._state.adding = False
        o._state.db = connection.alias


def insert_new(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Insert new instances whose ids nobody reads back (audit, outbox rows of a set move): one COPY on
    PostgreSQL without reserving ids; their auto_now fields are filled in as save would."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=BATCH)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            for o in objs:
                if f.auto_now or getattr(o, f.attname) is None:
                    setattr(o, f.attname, now)
    attnames = [f.attname for f in fields]
    insert_rows(model, attnames, ([getattr(o, a) for a in attnames] for o in objs))
