"""Append to, read and verify the per-item hash-chained audit log."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import AuditEvent, AuditHead

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
) -> AuditEvent:
    """Append one event and move the item's head with it, in one transaction.

    Callers hold a lock on the item, so the sequence cannot fork; the head row is locked too. Inside a
    caller's transaction (every move) no savepoint is made: a failure here fails the whole move anyway.
    """
    with transaction.atomic(savepoint=False):
        return _append(item_type=item_type, item_id=item_id, actor=actor, action=action, action_label=action_label,
                       from_state=from_state, to_state=to_state, reason=reason, data=data, ip=ip)


def _append(*, item_type, item_id, actor, action, action_label, from_state, to_state, reason, data, ip):
    head = AuditHead.objects.select_for_update().filter(item_type=item_type, item_id=item_id).first()
    if actor is not None and getattr(actor, "is_authenticated", False):
        snap = {
            "actor": actor,
            "actor_name": actor.display_name or actor.username,
            "actor_role": actor.role,
            "actor_unit": actor.unit_name,
        }
    else:
        snap = {"actor": None, "actor_name": "系统", "actor_role": "system", "actor_unit": "平台"}
    event = AuditEvent(
        item_type=item_type,
        item_id=item_id,
        seq=(head.count + 1) if head else 1,
        action=action,
        action_label=action_label,
        from_state=from_state,
        to_state=to_state,
        at=timezone.now(),
        ip=ip,
        reason=reason,
        data=data or {},
        prev_hash=head.last_hash if head else GENESIS,
        **snap,
    )
    event.hash = event.compute_hash()
    event.save(force_insert=True)
    if head is None:
        AuditHead.objects.create(item_type=item_type, item_id=item_id, count=event.seq, last_hash=event.hash)
    else:
        AuditHead.objects.filter(pk=head.pk).update(count=event.seq, last_hash=event.hash)
    return event


def timeline(item_type: str, item_id: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(item_type=item_type, item_id=item_id).order_by("seq"))


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
