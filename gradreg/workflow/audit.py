"""Append to, read and verify the per-item hash-chained audit log."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from .models import AuditEvent, AuditHead
from .rows import insert_rows

GENESIS = "0" * 64


def record(
    *,
    item_type: str,
    item_id: int,
    actor,
    action: str,
    action_label: str = "",
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
    ip: str | None = None,
    school_id: int | None = None,
) -> AuditEvent:
    """Append one event and move the item's head with it, in one transaction.

    Callers hold a lock on the item, so the sequence cannot fork; the head row is locked too. Inside a
    caller's transaction (every move) no savepoint is made: a failure here fails the whole move anyway.
    `school_id` is the item's school (None for an item of no school): it routes the rows to the school's
    shard, so the head is read by it too.
    """
    with transaction.atomic(savepoint=False):
        return _append(item_type=item_type, item_id=item_id, actor=actor, action=action, action_label=action_label,
                       from_state=from_state, to_state=to_state, reason=reason, data=data, ip=ip,
                       school_id=school_id)


def _append(*, item_type, item_id, actor, action, action_label, from_state, to_state, reason, data, ip, school_id):
    heads = AuditHead.objects.select_for_update().filter(item_type=item_type, item_id=item_id)
    if school_id is not None:
        heads = heads.filter(school_id=school_id)
    head = heads.first()
    event = _event(head, item_type=item_type, item_id=item_id, school_id=school_id, action=action,
                   action_label=action_label, from_state=from_state, to_state=to_state, at=timezone.now(), ip=ip,
                   reason=reason, data=data or {}, **actor_snapshot(actor))
    event.save(force_insert=True)
    if head is None:
        AuditHead.objects.create(item_type=item_type, item_id=item_id, school_id=school_id, count=event.seq,
                                 last_hash=event.hash)
    else:
        AuditHead.objects.filter(pk=head.pk, **_at_school(school_id)).update(count=event.seq, last_hash=event.hash)
    return event


def actor_snapshot(actor) -> dict[str, Any]:
    """What an event keeps of its actor: the account and what it was at that moment (系统 for none)."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        return {
            "actor": actor,
            "actor_name": actor.display_name or actor.username,
            "actor_role": actor.role,
            "actor_unit": actor.unit_name,
        }
    return {"actor": None, "actor_name": "系统", "actor_role": "system", "actor_unit": "平台"}


def _event(head: AuditHead | tuple[int, int, str] | None, **fields: Any) -> AuditEvent:
    """The next event of the chain ending at `head` (None: the first; a head or its (pk, count, last hash)),
    its seq, predecessor and hash set."""
    if isinstance(head, AuditHead):
        head = (head.pk, head.count, head.last_hash)
    count, last = (head[1], head[2]) if head else (0, GENESIS)
    event = AuditEvent(seq=count + 1, prev_hash=last, **fields)
    event.hash = event.compute_hash()
    return event


def record_many(*, item_type: str, items: list[tuple[int, int | None]], actor, action: str, action_label: str = "",
                from_state: str = "", to_state: str = "", reason: str = "", data: dict[str, Any] | None = None,
                ip: str | None = None) -> list[AuditEvent]:
    """The same event appended to many items' chains (`items`: (item_id, school_id)), in a fixed number of
    statements: the heads read (and locked) in one query, the events inserted in one, the missing heads
    created in one and the others moved in one. Each chain is exactly what `record` would have made;
    callers hold the items' locks and the transaction."""
    if not items:
        return []
    ids = [item_id for item_id, _ in items]
    heads = {item_id: (pk, count, last) for item_id, pk, count, last in AuditHead.objects.select_for_update().filter(
        item_type=item_type, item_id__in=ids).values_list("item_id", "pk", "count", "last_hash")}
    at, snap = timezone.now(), actor_snapshot(actor)
    events = [_event(heads.get(item_id), item_type=item_type, item_id=item_id, school_id=school_id, action=action,
                     action_label=action_label, from_state=from_state, to_state=to_state, at=at, ip=ip,
                     reason=reason, data=dict(data or {}), **snap)
              for item_id, school_id in items]
    insert_rows(AuditEvent, events)
    insert_rows(AuditHead, [AuditHead(item_type=item_type, item_id=e.item_id, school_id=e.school_id, count=e.seq,
                                      last_hash=e.hash) for e in events if e.item_id not in heads])
    moved = [(heads[e.item_id][0], e.seq, e.hash) for e in events if e.item_id in heads]
    if moved:
        _move_heads(moved)
    return events


def _move_heads(moved: list[tuple[int, int, str]]) -> None:
    """Heads (pk, count, last hash) moved in one statement: a join on VALUES on PostgreSQL (a CASE over
    thousands of rows is quadratic), `bulk_update` elsewhere."""
    if connection.vendor == "postgresql":
        table = AuditHead._meta.db_table
        values = ", ".join(["(%s, %s, %s)"] * len(moved))
        with connection.cursor() as c:
            c.execute(f"UPDATE {table} AS h SET count = v.count, last_hash = v.hash "
                      f"FROM (VALUES {values}) AS v(id, count, hash) WHERE h.id = v.id",
                      [x for row in moved for x in row])
        return
    AuditHead.objects.bulk_update([AuditHead(pk=pk, count=count, last_hash=last) for pk, count, last in moved],
                                  ["count", "last_hash"], batch_size=len(moved))


def _at_school(school_id: int | None) -> dict[str, int]:
    return {} if school_id is None else {"school_id": school_id}


def timeline(item_type: str, item_id: int, school_id: int | None = None) -> list[AuditEvent]:
    """One item's events in order; given the item's school, the read stays on its shard."""
    return list(AuditEvent.objects.filter(item_type=item_type, item_id=item_id, **_at_school(school_id)).order_by("seq"))


def move_school(item_type: str, item_ids: list[int], school_id: int) -> None:
    """Items moved to another school (their graduate moved): their chains' rows go with them.

    Only the storage column changes; it is outside the hash, so the chains still verify. This is the one
    write that touches stored events, hence the plain queryset past the append-only manager.
    """
    AuditHead.objects.filter(item_type=item_type, item_id__in=item_ids).update(school_id=school_id)
    models.QuerySet(model=AuditEvent).filter(item_type=item_type, item_id__in=item_ids).update(school_id=school_id)


def verify_chain(events: Iterable[AuditEvent], head: AuditHead | None = None, *, check_head: bool = False) -> list[str]:
    """Problems found in one item's events (given in seq order); empty when the chain holds.

    With check_head, the chain must also end where the item's head says (its count and last hash): this is
    what notices deleted last events and a truncated chain.
    """
    problems = []
    prev = GENESIS
    expected_seq = 1
    last: AuditEvent | None = None
    for e in events:
        last = e
        where = f"{e.item_type}#{e.item_id} seq {e.seq}"
        if e.seq != expected_seq:
            problems.append(f"{where}: 序号不连续（应为{expected_seq}）")
        if e.prev_hash != prev:
            problems.append(f"{where}: 前一条哈希不符")
        if e.compute_hash() != e.hash:
            problems.append(f"{where}: 内容哈希不符（记录被改动）")
        prev = e.hash
        expected_seq = e.seq + 1
    if check_head:
        problems += _against_head(last, head)
    return problems


def _against_head(last: AuditEvent | None, head: AuditHead | None) -> list[str]:
    if head is None:
        return [f"{last.item_type}#{last.item_id}: 缺少链尾记录（条目头）"] if last else []
    where = f"{head.item_type}#{head.item_id}"
    count = last.seq if last else 0
    if count != head.count:
        return [f"{where}: 记录条数不符（链尾记录为 {head.count} 条，现存 {count} 条，末尾记录被删除）"]
    if last is not None and last.hash != head.last_hash:
        return [f"{where}: 最后一条哈希与链尾记录不符"]
    return []


def verify_all() -> tuple[int, list[str]]:
    """(items checked, problems) over every item's chain and head; streams, so memory stays flat."""
    heads = {(h.item_type, h.item_id): h for h in AuditHead.objects.all().iterator(chunk_size=2000)}
    problems: list[str] = []
    items = 0
    current: tuple[str, int] | None = None
    chain: list[AuditEvent] = []
    for event in AuditEvent.objects.order_by("item_type", "item_id", "seq").iterator(chunk_size=2000):
        key = (event.item_type, event.item_id)
        if key != current:
            if chain:
                problems += verify_chain(chain, heads.pop(current, None), check_head=True)
                items += 1
            current, chain = key, []
        chain.append(event)
    if chain:
        problems += verify_chain(chain, heads.pop(current, None), check_head=True)
        items += 1
    for head in heads.values():  # heads whose whole chain is gone
        problems += _against_head(None, head)
        items += 1
    return items, problems
