"""Append to, read and verify the per-item hash-chained audit log."""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from gradreg.common import bulk

from .models import AuditEvent, AuditHead, canonical_json, chain_mac, hash_body_text

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
    event = _event(_snapshot(actor), head, item_type=item_type, item_id=item_id, school_id=school_id, action=action,
                   action_label=action_label, from_state=from_state, to_state=to_state, at=timezone.now(), ip=ip,
                   reason=reason, data=data)
    event.save(force_insert=True)
    if head is None:
        AuditHead.objects.create(item_type=item_type, item_id=item_id, school_id=school_id, count=event.seq,
                                 last_hash=event.hash)
    else:
        AuditHead.objects.filter(pk=head.pk, **_at_school(school_id)).update(count=event.seq, last_hash=event.hash)
    return event


def _snapshot(actor) -> dict[str, Any]:
    """What the actor was at that moment, whatever happens to the account later."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        return {
            "actor": actor,
            "actor_name": actor.display_name or actor.username,
            "actor_role": actor.role,
            "actor_unit": actor.unit_name,
        }
    return {"actor": None, "actor_name": "系统", "actor_role": "system", "actor_unit": "平台"}


def _event(snap: dict[str, Any], head: AuditHead | None, **item: Any) -> AuditEvent:
    """The next event of an item's chain after `head` (None: its first), hashed, not yet saved."""
    return _chained(AuditEvent(**snap), head, **item)


def _chained(event: AuditEvent, head: AuditHead | tuple[int, str] | None, *, item_type, item_id, school_id, action,
             action_label="", from_state="", to_state="", at, ip=None, reason="", data=None) -> AuditEvent:
    """`event` (its actor already set) made the item's next event after `head` ((count, last hash) will do), and
    hashed."""
    count, last = (head.count, head.last_hash) if isinstance(head, AuditHead) else (head or (0, GENESIS))
    event.item_type = item_type
    event.item_id = item_id
    event.school_id = school_id
    event.seq = count + 1
    event.action = action
    event.action_label = action_label
    event.from_state = from_state
    event.to_state = to_state
    event.at = at
    event.ip = ip
    event.reason = reason
    event.data = data or {}
    event.prev_hash = last
    event.hash = event.compute_hash()
    return event


# rows per statement of a bulk append
BULK_ROWS = 2_000


def record_many(events: list[dict[str, Any]], *, actor, ip: str | None = None, at=None) -> int:
    """Append one event to each of many items' chains (a batch import), in a few statements; returns how many.

    Each dict holds `record`'s item arguments (item_type, item_id, school_id, action, action_label,
    from_state, to_state, reason, data); the events and heads are the ones `record` would write one by
    one, hashed as `AuditEvent.compute_hash` hashes them (the same bytes: what the events share — the actor,
    the time, the address, repeated actions and states — is encoded once) and chained the same way (an item
    named twice gets two events in order). Callers hold the items' locks and a transaction; the heads are
    read locked, a few thousand per query.
    """
    if not events:
        return 0
    snap = _snapshot(actor)
    at = at or timezone.now()
    heads: dict[tuple[str, int], tuple[int, int, str]] = {}  # (pk, count, last hash)
    wanted: dict[str, set[int]] = {}
    for e in events:
        wanted.setdefault(e["item_type"], set()).add(e["item_id"])
    with transaction.atomic(savepoint=False):
        for item_type, ids in wanted.items():
            pks = sorted(ids)
            for i in range(0, len(pks), BULK_ROWS):
                found = (AuditHead.objects.select_for_update()
                         .filter(bulk.one_of("item_id", pks[i : i + BULK_ROWS]), item_type=item_type)
                         .values_list("item_id", "pk", "count", "last_hash"))
                heads.update(((item_type, item_id), rest) for item_id, *rest in found)
        known = set(heads)
        ends: dict[tuple[str, int], tuple[int, str]] = {k: (count, last) for k, (_, count, last) in heads.items()}
        schools: dict[tuple[str, int], int | None] = {}
        # the rows are made while COPY sends the ones before (the hashing overlaps the database's inserts)
        bulk.insert_rows(AuditEvent, EVENT_FIELDS, _event_rows(events, ends, schools, snap, at, ip))
        bulk.insert_rows(AuditHead, ("item_type", "item_id", "school_id", "count", "last_hash"),
                         ((*k, schools[k], *end) for k, end in ends.items() if k not in known))
        moved = [(heads[k][0], *ends[k]) for k in known]
        bulk.update_rows(AuditHead, ("count", "last_hash"), moved)
    return len(events)


# the columns of a bulk append's rows, in order
EVENT_FIELDS = ("item_type", "item_id", "school_id", "seq", "action", "action_label", "from_state", "to_state",
                "actor_id", "actor_name", "actor_role", "actor_unit", "at", "ip", "reason", "data", "prev_hash", "hash")


def _event_rows(events: list[dict[str, Any]], ends: dict[tuple[str, int], tuple[int, str]],
                schools: dict[tuple[str, int], int | None], snap: dict[str, Any], at, ip: str | None,
                ) -> Iterator[tuple[Any, ...]]:
    """The events' rows (EVENT_FIELDS), each chained after `ends` (moved along: the items' new ends) and hashed
    as `AuditEvent.compute_hash` would: the same canonical JSON, what the events share encoded once."""
    actor_id = snap["actor"].pk if snap["actor"] is not None else None
    actor = (snap["actor_name"], snap["actor_role"], snap["actor_unit"])
    shared = dict(actor=canonical_json([actor_id, *actor]), at=canonical_json(at.isoformat()), ip=canonical_json(ip))
    said: dict[Any, str] = {}  # actions, states, reasons: few distinct texts, each encoded once

    def text(value: Any) -> str:
        if value not in said:
            said[value] = canonical_json(value)
        return said[value]

    mac = chain_mac()
    # the data is stored as the hash encoded it (a value JSON has no type for, a date, is its str() in both)
    stored = bulk.JsonText if connection.vendor == "postgresql" else json.loads
    for e in events:
        item_type, item_id = e["item_type"], e["item_id"]
        key = (item_type, item_id)
        seq, prev = ends.get(key) or (0, GENESIS)
        seq += 1
        action, from_state, to_state = e["action"], e.get("from_state", ""), e.get("to_state", "")
        reason = e.get("reason", "")
        data_json = canonical_json(e.get("data") or {})
        item = f"[{text(item_type)},{item_id},{seq}]" if item_id.__class__ is int else canonical_json(
            [item_type, item_id, seq])
        body = hash_body_text(item=item, action=text(action), from_state=text(from_state), to_state=text(to_state),
                              reason=text(reason), data=data_json, prev=_quoted(prev), **shared)
        digest = _hex_mac(mac, body)
        school_id = schools[key] = e.get("school_id")
        ends[key] = (seq, digest)
        yield (item_type, item_id, school_id, seq, action, e.get("action_label", ""), from_state, to_state, actor_id,
               *actor, at, ip, reason, stored(data_json), prev, digest)


def _quoted(digest: str) -> str:
    """A hex digest as canonical JSON (no escaping needed for hex digits)."""
    return f'"{digest}"' if digest.isascii() and digest.isalnum() else canonical_json(digest)


def _hex_mac(mac, body: str) -> str:
    """The hex HMAC of one event's body, from a copy of the keyed `mac`."""
    h = mac.copy()
    h.update(body.encode("utf-8"))
    return h.hexdigest()


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
