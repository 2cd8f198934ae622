"""Batch moves (批量审核): one action over many items, one transaction each, a result per item.

A refused item (a DomainError: wrong state, outside the actor's scope, a missing reason…) becomes a
failed result carrying its Chinese message, and the others go on; the message of an item outside the
scope is the same "not found" as for one that does not exist, so a batch cannot probe the scope.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from gradreg.common.errors import DomainError, Invalid

MAX_BATCH = 200
OK_MESSAGE = "操作成功"


@dataclass(frozen=True)
class BatchResult:
    pk: int
    ok: bool
    message: str
    state_label: str


def batch_ids(values: Iterable[Any], *, limit: int = MAX_BATCH) -> list[int]:
    """The distinct item ids of a batch, in the order given; refuses none, a non-number, or more than `limit`."""
    try:
        ids = list(dict.fromkeys(int(v) for v in values))
    except (TypeError, ValueError):
        raise Invalid({"ids": ["所选记录编号无效。"]}) from None
    if not ids:
        raise Invalid({"ids": ["请至少选择一条记录。"]})
    if len(ids) > limit:
        raise Invalid({"ids": [f"一次最多批量处理 {limit} 条，您选择了 {len(ids)} 条，请分批处理。"]})
    return ids


def state_label(obj: Any) -> str:
    display = getattr(obj, "get_status_display", None)
    return str(display()) if callable(display) else ""


def perform_many(act: Callable[[int], Any], pks: Iterable[int], *, limit: int = MAX_BATCH) -> list[BatchResult]:
    """Run `act(pk)` for each distinct pk in its own transaction; a DomainError fails that item only."""
    results = []
    for pk in batch_ids(pks, limit=limit):
        try:
            with transaction.atomic():
                obj = act(pk)
        except DomainError as e:
            results.append(BatchResult(pk=pk, ok=False, message=e.message, state_label=""))
        else:
            results.append(BatchResult(pk=pk, ok=True, message=OK_MESSAGE, state_label=state_label(obj)))
    return results
