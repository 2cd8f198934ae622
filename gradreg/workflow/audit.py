"""Append to, read and verify the per-item hash-chained audit log."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from .models import AuditEvent

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
    """Append one event. Callers hold a lock on the item, so the sequence cannot fork."""
    last = (
        AuditEvent.objects.filter(item_type=item_type, item_id=item_id).order_by("-seq").only("seq", "hash").first()
    )
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
        seq=(last.seq + 1) if last else 1,
        action=action,
        action_label=action_label,
        from_state=from_state,
        to_state=to_state,
        at=timezone.now(),
        ip=ip,
        reason=reason,
        data=data or {},
        prev_hash=last.hash if last else GENESIS,
        **snap,
    )
    event.hash = event.compute_hash()
    event.save(force_insert=True)
    return event


def timeline(item_type: str, item_id: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(item_type=item_type, item_id=item_id).order_by("seq"))


def verify_chain(events: Iterable[AuditEvent]) -> list[str]:
    """Problems found in one item's events (given in seq order); empty when the chain holds."""
    problems = []
    prev = GENESIS
    expected_seq = 1
    for e in events:
        where = f"{e.item_type}#{e.item_id} seq {e.seq}"
        if e.seq != expected_seq:
            problems.append(f"{where}: 序号不连续（应为{expected_seq}）")
        if e.prev_hash != prev:
            problems.append(f"{where}: 前一条哈希不符")
        if e.compute_hash() != e.hash:
            problems.append(f"{where}: 内容哈希不符（记录被改动）")
        prev = e.hash
        expected_seq = e.seq + 1
    return problems
