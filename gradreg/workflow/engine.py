"""The workflow engine: the only code that moves a status field.

A workflow is one declarative table of transitions (see `<app>/flows.py`). `perform` runs any of
them: lock the row, check role, scope, the workflow's gates and source state, apply, append the audit
event, write outbox events in the same transaction, and send notifications after commit.

Gates are checks an app above the kit plugs in by name (`register_gate`, from its `apps.py`): the
roster registers "graduate" (a graduate off the roster or out of their cohort's window is frozen),
and a workflow over graduate items declares `gates=("graduate",)`. An item with no graduate (an
employer's registration) declares none.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models, transaction

from gradreg.common.errors import Conflict, DomainError, Forbidden, Invalid
from gradreg.notifications.services import deliver

from . import audit
from .models import OutboxEvent
from .states import INITIAL, SYSTEM, StateSet
from .tasks import schedule_delivery


@dataclass
class Context:
    """What an effect or notifier sees, and where it leaves its outbox events and changed fields."""

    actor: Any
    obj: models.Model
    transition: T
    reason: str
    data: dict[str, Any]
    ip: str | None
    changed_fields: set[str] = field(default_factory=set)
    outbox: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    def emit(self, topic: str, key: str, payload: dict[str, Any]) -> None:
        """Queue an event for another system; `key` makes its delivery idempotent."""
        self.outbox.append((topic, key, payload))


Effect = Callable[[Context], None]
Notifier = Callable[[Context], Iterable[dict[str, Any]]]
Gate = Callable[[models.Model], None]

GATES: dict[str, Gate] = {}


def register_gate(name: str, gate: Gate) -> Gate:
    """Name a check every move of a workflow declaring it passes first; it raises a DomainError to refuse."""
    GATES[name] = gate
    return gate


def run_gates(workflow: Workflow, obj: models.Model) -> None:
    for name in workflow.gates:
        try:
            gate = GATES[name]
        except KeyError:
            raise ImproperlyConfigured(f"workflow {workflow.name!r} names gate {name!r}, which no app registered") from None
        gate(obj)


@dataclass(frozen=True)
class T:
    action: str
    source: str | frozenset[str] | set[str]
    target: str
    roles: frozenset[str] | set[str]
    label: str = ""
    needs_reason: bool = False
    effects: tuple[Effect, ...] = ()
    notify: Notifier | None = None
    # who else must hold for this actor: (actor, obj) -> bool, e.g. "the other party of the termination"
    guard: Callable[[Any, models.Model], bool] | None = None
    guard_message: str = "您不能执行此操作。"
    # False: a move its roles may make at any time, not one the item waits for (the school's 修改去向 of an
    # approved registration): its source states do not wait for them (lists, home counts, defaults)
    waits: bool = True

    def __post_init__(self) -> None:
        src = self.source
        object.__setattr__(self, "source", frozenset({src}) if isinstance(src, str) else frozenset(src))
        object.__setattr__(self, "roles", frozenset(self.roles))
        object.__setattr__(self, "effects", tuple(self.effects))

    def display_label(self, review_label: str = "审核") -> str:
        return self.label.format(review=review_label)


@dataclass
class Workflow:
    name: str
    title: str
    model: type[models.Model]
    states: StateSet  # the vocabulary's state facts; registering the workflow attaches it there
    transitions: list[T]
    # scoped selector: (actor, pk, for_update) -> obj; raises NotFound outside the actor's scope
    get_for: Callable[..., models.Model]
    # names of registered gates every move passes, before the table is read (see register_gate)
    gates: tuple[str, ...] = ()
    state_field: str = "status"
    # the school's 审核/鉴证 wording for an item, used in labels and the audit trail
    review_label_of: Callable[[models.Model], str] | None = None

    @property
    def item_type(self) -> str:
        return self.name

    def state_label(self, state: str) -> str:
        if state == INITIAL:
            return "（新建）"
        return self.states.label(state)

    def actions(self) -> list[str]:
        return list(dict.fromkeys(t.action for t in self.transitions))

    def find(self, action: str, state: str, role: str) -> T | None:
        for t in self.transitions:
            if t.action == action and state in t.source and role in t.roles:
                return t
        return None

    def available(self, actor, obj) -> list[T]:
        """The moves this actor could make on obj now (for the page's buttons)."""
        state = getattr(obj, self.state_field)
        return [t for t in self.transitions if state in t.source and actor.role in t.roles and t.source != {INITIAL}
                and (t.guard is None or t.guard(actor, obj))]

    def allows(self, actor, obj, action: str) -> bool:
        """May this actor make this move on obj now (a page's upload or edit form, say)?"""
        return any(t.action == action for t in self.available(actor, obj))

    def may_start(self, role: str, action: str) -> bool:
        """Is this role among those creating an item through `action`?"""
        return any(t.action == action and INITIAL in t.source and role in t.roles for t in self.transitions)

    def graphviz(self) -> str:
        lines = [f'digraph "{self.name}" {{', "  rankdir=LR;", '  node [shape=box, fontname="WenQuanYi Micro Hei"];']
        states = [INITIAL, *self.states.values]
        for s in states:
            node = "start" if s == INITIAL else s
            shape = ", shape=circle" if s == INITIAL else ""
            lines.append(f'  "{node}" [label="{self.state_label(s)}"{shape}];')
        for t in self.transitions:
            roles = ",".join(sorted(t.roles))
            for src in sorted(t.source):
                node = "start" if src == INITIAL else src
                lines.append(f'  "{node}" -> "{t.target}" [label="{t.display_label()} ({roles})"];')
        lines.append("}")
        return "\n".join(lines)


def role_transitions(workflow: Workflow, actor, action: str) -> list[T]:
    """The transitions `action` names for the actor's role; an unknown action or another role is refused."""
    candidates = [t for t in workflow.transitions if t.action == action]
    if not candidates:
        raise DomainError(f"未知操作：{action}", code="unknown_action")
    by_role = [t for t in candidates if actor.role in t.roles]
    if not by_role:
        raise Forbidden("您的角色不能执行此操作。")
    return by_role


def _check(workflow: Workflow, actor, state: str, action: str, reason: str, obj: models.Model | None = None) -> T:
    by_role = role_transitions(workflow, actor, action)
    t = next((t for t in by_role if state in t.source), None)
    if t is None:
        raise Conflict(
            f"当前状态为“{workflow.state_label(state)}”，不能执行“{by_role[0].display_label()}”。"
            "可能已有其他用户处理，请刷新后查看。"
        )
    if t.guard is not None and obj is not None and not t.guard(actor, obj):
        raise Forbidden(t.guard_message)
    if t.needs_reason and not (reason or "").strip():
        raise DomainError("请填写原因。", code="reason_required", field="reason")
    return t


def _finish(workflow: Workflow, ctx: Context, from_state: str) -> None:
    t = ctx.transition
    review = workflow.review_label_of(ctx.obj) if workflow.review_label_of else "审核"
    # the item's school routes every row written here to its shard; None for an item of no school
    school_id = getattr(ctx.obj, "school_id", None)
    audit.record(
        item_type=workflow.item_type,
        item_id=ctx.obj.pk,
        actor=ctx.actor,
        action=t.action,
        action_label=t.display_label(review),
        from_state=from_state,
        to_state=t.target,
        reason=ctx.reason,
        data=ctx.data,
        ip=ctx.ip,
        school_id=school_id,
    )
    for topic, key, payload in ctx.outbox:
        OutboxEvent.objects.create(topic=topic, idempotency_key=key, payload=payload, school_id=school_id)
    if ctx.outbox:
        schedule_delivery()
    if t.notify is not None:
        messages = [{"school_id": school_id, **m} for m in t.notify(ctx)]
        if messages:
            transaction.on_commit(lambda: deliver(messages))


@transaction.atomic
def perform(
    workflow: Workflow,
    *,
    actor,
    pk: int,
    action: str,
    reason: str = "",
    data: dict[str, Any] | None = None,
    ip: str | None = None,
) -> models.Model:
    """Run one transition on an existing item. Exactly one of two concurrent attempts succeeds."""
    obj = workflow.get_for(actor, pk, for_update=True)
    run_gates(workflow, obj)
    state = getattr(obj, workflow.state_field)
    t = _check(workflow, actor, state, action, reason, obj)
    ctx = Context(actor=actor, obj=obj, transition=t, reason=(reason or "").strip(), data=data or {}, ip=ip)
    return _apply(workflow, ctx, state)


def _apply(workflow: Workflow, ctx: Context, state: str) -> models.Model:
    """Move a locked, checked item: set the state, run the effects, save what changed, record it."""
    obj = ctx.obj
    setattr(obj, workflow.state_field, ctx.transition.target)
    ctx.changed_fields.add(workflow.state_field)
    for effect in ctx.transition.effects:
        effect(ctx)
    if any(f.name == "updated_at" for f in obj._meta.fields):
        ctx.changed_fields.add("updated_at")
    obj.save(update_fields=sorted(ctx.changed_fields))
    _finish(workflow, ctx, state)
    return obj


@transaction.atomic
def start(
    workflow: Workflow,
    *,
    actor,
    action: str,
    fields: dict[str, Any],
    lock: models.Model | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    ip: str | None = None,
) -> models.Model:
    """Create an item through the table's transition out of INITIAL.

    `lock` is a row locked first (the graduate, from a scoped selector): two creations for the same
    graduate serialise there. The gates see the new, unsaved item.
    """
    if lock is not None:
        school = {"school_id": lock.school_id} if getattr(lock, "school_id", None) is not None else {}
        type(lock).objects.select_for_update().filter(pk=lock.pk, **school).first()
    obj = workflow.model(**fields)
    run_gates(workflow, obj)
    t = _check(workflow, actor, INITIAL, action, reason)
    setattr(obj, workflow.state_field, t.target)
    try:
        obj.full_clean(validate_constraints=False)
    except ValidationError as e:  # services validate first; this is the last line, never a 500
        raise Invalid(e.message_dict) from None
    ctx = Context(actor=actor, obj=obj, transition=t, reason=(reason or "").strip(), data=data or {}, ip=ip)
    for effect in t.effects:
        effect(ctx)
    # The table's checks speak first: a partial unique index ("one holding signing") would otherwise
    # answer a second application with its constraint name instead of naming what holds the graduate.
    try:
        obj.validate_constraints()
    except ValidationError as e:
        raise Invalid(e.message_dict) from None
    obj.save(force_insert=True)
    _finish(workflow, ctx, INITIAL)
    return obj


def record_created(
    workflow: Workflow, obj: models.Model, *, actor, action: str, data: dict[str, Any] | None = None,
    ip: str | None = None,
) -> models.Model:
    """An item saved by its service together with its creator's account (which cannot exist before it).

    The table still decides: the creation must be listed for the actor's role, and the item must be in
    its target state. Records it as `start` would (audit, outbox, notifications); the caller holds the
    transaction.
    """
    t = _check(workflow, actor, INITIAL, action, "")
    if getattr(obj, workflow.state_field) != t.target:
        raise Conflict(f"新建的记录应为“{workflow.state_label(t.target)}”状态。")
    ctx = Context(actor=actor, obj=obj, transition=t, reason="", data=data or {}, ip=ip)
    _finish(workflow, ctx, INITIAL)
    return obj


def move(
    workflow: Workflow, obj: models.Model, *, action: str, actor=None, reason: str = "", data: dict[str, Any] | None = None
) -> models.Model:
    """A move the platform makes inside another transition (role SYSTEM); the caller holds the row lock.

    The table still decides: the move must be listed for SYSTEM from the item's current state.
    """
    state = getattr(obj, workflow.state_field)
    t = next((t for t in workflow.transitions if t.action == action and SYSTEM in t.roles and state in t.source), None)
    if t is None:
        raise Conflict(f"当前状态为“{workflow.state_label(state)}”，不能{action}。")
    ctx = Context(actor=actor, obj=obj, transition=t, reason=reason, data=data or {}, ip=None)
    return _apply(workflow, ctx, state)


REGISTRY: dict[str, Workflow] = {}


def register(workflow: Workflow) -> Workflow:
    """Make a workflow known by name, and to its vocabulary's StateSet (waiting states, defaults)."""
    REGISTRY[workflow.name] = workflow
    workflow.states.attach(workflow)
    return workflow
