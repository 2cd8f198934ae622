"""Set-based moves: one transition over every item of a queryset, in one transaction and a fixed number of
statements whatever the count (快速审核 of thousands of applications).

`perform_set` is `engine.perform` in set form, and the table still decides: a role the transition does not
list is refused; an item not in one of its source states is left alone; each of the workflow's gates runs
in its set form (`register_set_gate`: a filter leaving out the items the per-item gate would refuse). Then,
per chunk of ids: the rows are locked (`SELECT … FOR UPDATE`), moved in one `UPDATE`, and each item's
hash chain gets its event exactly as `audit.record` appends it (`audit.record_many`). A transition's
per-item effects do not run here: the caller gives their set form, `effect(ids)`, which does the move's
side effects in bulk and returns the outbox rows to insert; a transition with effects and no set form is
refused. Notifications likewise: `notify(ids)` returns the messages (sent after commit); a transition
that notifies and is given no `notify` sends none (documented by the caller).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import IntegerField, QuerySet, Value
from django.utils import timezone

from gradreg.common import bulk
from gradreg.common.errors import DomainError
from gradreg.notifications.services import deliver

from . import audit
from .engine import T, Workflow, role_transitions
from .models import OutboxEvent
from .tasks import schedule_delivery

CHUNK = 5_000  # ids per statement

SetGate = Callable[[QuerySet], QuerySet]
SET_GATES: dict[str, SetGate] = {}


def register_set_gate(name: str, gate: SetGate) -> SetGate:
    """The set form of the gate `name` (see `engine.register_gate`): `gate(qs)` keeps only the items the
    per-item gate lets through."""
    SET_GATES[name] = gate
    return gate


def gated(workflow: Workflow, qs: QuerySet) -> QuerySet:
    """`qs` less the items one of the workflow's gates would refuse."""
    for name in workflow.gates:
        try:
            qs = SET_GATES[name](qs)
        except KeyError:
            raise ImproperlyConfigured(f"workflow {workflow.name!r} names gate {name!r}, which has no set form") from None
    return qs


def set_transitions(workflow: Workflow, actor, action: str) -> list[T]:
    """The transitions `action` makes for the actor's role (refused as `engine.perform` refuses them)."""
    mine = role_transitions(workflow, actor, action)
    for t in mine:
        if t.guard is not None:
            raise ImproperlyConfigured(f"{workflow.name}.{action}: a guarded move has no set form")
    return mine


def movable(workflow: Workflow, actor, qs: QuerySet, action: str) -> QuerySet:
    """The items of `qs` the set move would move: in a source state of the role's transitions, past the
    gates (the count a page shows before the move)."""
    sources = set().union(*(t.source for t in set_transitions(workflow, actor, action)))
    return gated(workflow, qs.filter(**{f"{workflow.state_field}__in": sorted(sources)}))


@transaction.atomic
def perform_set(
    workflow: Workflow,
    *,
    actor,
    qs: QuerySet,
    action: str,
    reason: str = "",
    ip: str | None = None,
    data: dict[str, Any] | None = None,
    values: dict[str, Any] | None = None,
    effect: Callable[[list[int]], Iterable[OutboxEvent]] | None = None,
    notify: Callable[[list[int]], Iterable[dict[str, Any]]] | None = None,
) -> int:
    """Move every item of `qs` (scoped and filtered by the caller) that `action` may move; returns how many.

    `data` goes into every audit event; `values` are further columns set on every moved row (a decision's
    time, say) in the same UPDATE. `effect(ids)` runs after the ids' rows are moved, in the transaction, and returns unsaved outbox rows;
    `notify(ids)` returns messages as a notifier yields them, delivered after commit.
    """
    transitions = set_transitions(workflow, actor, action)
    reason = (reason or "").strip()
    if not reason and any(t.needs_reason for t in transitions):
        raise DomainError("请填写原因。", code="reason_required", field="reason")
    names = {f.name for f in workflow.model._meta.fields}
    stamp = {**({"updated_at": timezone.now()} if "updated_at" in names else {}), **(values or {})}
    # (pk, school, state) of each row; an item of no school routes its rows nowhere
    columns = ("pk", "school_id" if "school" in names else Value(None, IntegerField()), workflow.state_field)
    moved = 0
    for t in transitions:
        if t.effects and effect is None:
            raise ImproperlyConfigured(f"{workflow.name}.{action}: its effects need a set form (effect=)")
        items = gated(workflow, qs.filter(**{f"{workflow.state_field}__in": sorted(t.source)}))
        locked = list(items.select_for_update(of=("self",)).order_by("pk").values_list(*columns))
        labels = _labels(workflow, t, locked)
        for start in range(0, len(locked), CHUNK):
            chunk = locked[start:start + CHUNK]
            moved += _move_chunk(workflow, t, chunk, labels, stamp, actor=actor, reason=reason, ip=ip,
                                 data=data, effect=effect, notify=notify)
    return moved


def _move_chunk(workflow: Workflow, t: T, chunk: list[tuple[int, int | None, str]], labels: dict[Any, str],
                stamp: dict[str, Any], *, actor, reason, ip, data, effect, notify) -> int:
    ids = [pk for pk, _, _ in chunk]
    workflow.model.objects.filter(pk__in=ids).update(**{workflow.state_field: t.target}, **stamp)
    by_state: dict[tuple[str, str], list[tuple[int, int | None]]] = {}
    for pk, school_id, state in chunk:
        by_state.setdefault((state, labels[school_id]), []).append((pk, school_id))
    at = timezone.now()
    audit.record_many([
        {"item_type": workflow.item_type, "item_id": pk, "school_id": school_id, "action": t.action,
         "action_label": label, "from_state": state, "to_state": t.target, "reason": reason, "data": dict(data or {})}
        for (state, label), items in by_state.items() for pk, school_id in items], actor=actor, ip=ip, at=at)
    if effect is not None:
        rows = list(effect(ids))
        if rows:
            bulk.insert_new(OutboxEvent, rows)
            schedule_delivery()
    if notify is not None:
        messages = list(notify(ids))
        if messages:
            transaction.on_commit(lambda: deliver(messages))
    return len(ids)


def _labels(workflow: Workflow, t: T, locked: list[tuple[int, int | None, str]]) -> dict[Any, str]:
    """The move's label per school: the school's own 审核/鉴证 wording where the table uses it (one item
    of each school read for it: one query per school in the set, a department's or school's set has one)."""
    schools = {school_id: pk for pk, school_id, _ in locked}
    if workflow.review_label_of is None or "{review}" not in t.label:
        return {school_id: t.display_label() for school_id in schools}
    return {school_id: t.display_label(workflow.review_label_of(workflow.model.objects.get(pk=pk)))
            for school_id, pk in schools.items()}
