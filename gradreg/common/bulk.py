"""Many new rows of one model at once: what a batch import writes.

On PostgreSQL the rows go by COPY, with ids reserved from the table's sequence first where the caller
needs them (Django's bulk_create sends every value through its field preparation and psycopg's array
quoting, which for tens of thousands of text-heavy rows costs more than the rest of an import).
Elsewhere: bulk_create.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone
from psycopg.copy import QueuedLibpqWriter

BATCH = 2_000


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
    json_at = [(i, f.encoder) for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
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
                    for i, encoder in json_at:
                        if row[i] is not None:
                            row[i] = json.dumps(row[i], cls=encoder, ensure_ascii=False)
                write(row)


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
