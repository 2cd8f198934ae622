"""Many new rows of one model in one statement: COPY on PostgreSQL, `bulk_create` elsewhere.

For the set-based writes (audit events, outbox rows) whose ids nobody reads back: COPY skips the per-value
preparation of an INSERT's parameters, which dominates a bulk insert of thousands of rows.
"""
from __future__ import annotations

import json
from collections.abc import Sequence

from django.db import connection, models


def insert_rows(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Insert `objs` (unsaved, their ids not needed afterwards)."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    stamped = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    as_json = {f.attname for f in fields if isinstance(f, models.JSONField)}
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    names = [f.attname for f in fields]
    with connection.cursor() as c, c.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
        for obj in objs:
            for f in stamped:
                f.pre_save(obj, add=True)
            copy.write_row([json.dumps(getattr(obj, n), ensure_ascii=False) if n in as_json else getattr(obj, n)
                            for n in names])
