"""The table-test harness: any workflow plugs in, and its table's tests are generated from it.

A `Plug` tells the harness how the real services drive one workflow: how to prepare and create an item
(the table's move out of INITIAL), which service a page calls for a move, how the platform makes its own
(SYSTEM) moves, who may not even see an item, whom a move tells and which outbox topics it writes.
The harness then

- builds an item in any state by walking the real services along the shortest path of the table from
  INITIAL (a breadth-first search over the transitions: the item's "recipe"),
- acts as any role through the personas of `tests/conftest.py` (the item's graduate, its employer, its
  department and school, the province, the operator),
- and generates, in `TableTests`, the checks every table must pass: each legal move by each allowed role
  lands in its target with one audit event (right from/to, intact hash chain; a change in place, whose
  target is its source, records what it changed), the table's messages
  only after commit and the expected outbox rows; every other role is refused and nothing changes;
  every move from a wrong state is a Conflict; SYSTEM moves are nobody's but `engine.move`'s.

A workflow's test module subclasses `TableTests` with its plug:

    class TestTrainingModeChangeTable(TableTests):
        plug = TRAINING_MODE_PLUG
"""
from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection, models, transaction

from gradreg.accounts.models import Role, User
from gradreg.common.errors import Conflict, DomainError, Forbidden, NotFound
from gradreg.notifications.models import Message
from gradreg.workflow import audit, engine
from gradreg.workflow.engine import INITIAL, SYSTEM, T, Workflow
from gradreg.workflow.models import AuditEvent, OutboxEvent
from tests import factories as f

G, E, D, SC, P, OP = Role.GRADUATE, Role.EMPLOYER, Role.DEPARTMENT, Role.SCHOOL, Role.PROVINCE, Role.OPERATOR
ROLES = [r.value for r in Role]
REASON = "理由"


# ---- personas ------------------------------------------------------------------------------------------

def graduate_user(graduate) -> User:
    user = User.objects.filter(graduate=graduate).first()
    return user or f.user(f"grad{graduate.pk}", G, graduate=graduate, display_name=graduate.name)


def department_user(graduate) -> User:
    user = User.objects.filter(role=D, department_id=graduate.department_id).order_by("pk").first()
    return user or f.user(f"dept{graduate.department_id}", D, school=graduate.school,
                          department=graduate.department, display_name=f"{graduate.department.name}老师")


def school_user(graduate) -> User:
    user = User.objects.filter(role=SC, school_id=graduate.school_id).order_by("pk").first()
    return user or f.user(f"school{graduate.school_id}", SC, school=graduate.school, display_name="学校老师")


def employer_user(employer_id: int) -> User:
    return User.objects.filter(role=E, employer_id=employer_id).order_by("pk").first()


def persona(world, role: str, obj: Any = None) -> User:
    """The user of `role` closest to a graduate's item (or to a graduate): its graduate, its employer, its
    department and school; the province and the operator of the personas."""
    item = obj if obj is not None and hasattr(obj, "graduate_id") else None
    graduate = item.graduate if item is not None else (obj or world.zhangsan)
    if role == G:
        return graduate_user(graduate)
    if role == E:
        employer_id = getattr(item, "employer_id", None)
        return employer_user(employer_id) if employer_id else world.u_employer
    if role == D:
        return department_user(graduate)
    if role == SC:
        return school_user(graduate)
    if role == P:
        return world.zhou
    return world.operator


# ---- a workflow plugged into the harness -----------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    """One move of a recipe: the transition, from which state."""

    t: T
    source: str


@dataclass
class Plug:
    workflow: Workflow
    # what the creation needs (the graduate, the signing being terminated…), from build options
    prepare: Callable[[Harness, dict[str, Any]], Any]
    # the table's move out of INITIAL through the service a page calls: (harness, actor, prepared) -> item
    start: Callable[[Harness, User, Any], models.Model]
    # who creates the item when a test does not say: (harness, prepared, options) -> user
    creator: Callable[[Harness, Any, dict[str, Any]], User]
    # a move through the page's service: (harness, actor, item, action, reason, category) -> item
    act: Callable[[Harness, User, models.Model, str, str, str], Any]
    # how the platform makes each of its own moves in production: action -> (harness, item) -> None
    system: dict[str, Callable[[Harness, models.Model], None]] = field(default_factory=dict)
    # build options under which `role` passes the guard of transition `t` (the other party, the applicant)
    options_for: Callable[[T, str], dict[str, Any]] = lambda t, role: {}
    # a role that cannot even see the item (its selector answers NotFound): (harness, role, item or prepared)
    hidden: Callable[[Harness, str, Any], bool] = lambda h, role, obj: False
    # a refusal the service decides before the table (e.g. "operators only"): (harness, action, role, item)
    # -> the error it raises, or None to let the table decide
    refusal: Callable[[Harness, str, str, Any], type[DomainError] | None] = lambda h, action, role, obj: None
    # what a Conflict from a wrong state says, given the action tried and the state's label
    conflict_says: Callable[[str, str], tuple[str, ...]] = lambda action, label: ("当前状态", label)
    # the creation is made by a signed-in user of its role (False: a newcomer, e.g. an employer registering)
    signed_in_creation: bool = True
    # the messages a move sends, after commit: (harness, item, actor, transition) -> {recipient id: title part}
    recipients: Callable[[Harness, models.Model, User, T], dict[int, str]] = lambda h, obj, actor, t: {}
    # the outbox topics a move writes, by (action, target); every other move writes none
    emits: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    # the user acting as `role` on an item (default: the graduate item's personas)
    persona: Callable[[Harness, str, Any], User] | None = None
    # the audit's item type of an item (default: the workflow's)
    item_type: Callable[[models.Model], str] | None = None
    _recipes: dict[str, list[Step]] | None = field(default=None, init=False, repr=False)

    @property
    def name(self) -> str:
        return self.workflow.name

    def type_of(self, obj: models.Model) -> str:
        return self.item_type(obj) if self.item_type else self.workflow.item_type

    # ---- the table, read ----

    def creation(self, role: str | None = None) -> T:
        """The move creating an item: the one `role` makes where the table lets several roles start."""
        starts = [t for t in self.workflow.transitions if INITIAL in t.source]
        return next((t for t in starts if role in t.roles), starts[0])

    def user_moves(self) -> list[Step]:
        """Every (transition, source state) a user makes: not the creation, not the platform's own moves."""
        return [Step(t, src) for t in self.workflow.transitions if SYSTEM not in t.roles
                for src in sorted(t.source) if src != INITIAL]

    def system_moves(self) -> list[Step]:
        return [Step(t, src) for t in self.workflow.transitions if SYSTEM in t.roles for src in sorted(t.source)]

    def action_roles(self) -> list[tuple[str, str]]:
        """Every (action, role) pair the table grants somewhere after creation, for the wrong-state check."""
        pairs = {(t.action, r) for t in self.workflow.transitions if INITIAL not in t.source for r in t.roles}
        return sorted(p for p in pairs if p[1] != SYSTEM)

    def recipes(self) -> dict[str, list[Step]]:
        """The shortest path from the created item to every reachable state (breadth-first, in table order)."""
        if self._recipes is None:
            first = self.creation().target
            paths: dict[str, list[Step]] = {first: []}
            queue = deque([first])
            while queue:
                state = queue.popleft()
                for t in self.workflow.transitions:
                    usable = SYSTEM not in t.roles or t.action in self.system
                    if state in t.source and t.target not in paths and usable:
                        paths[t.target] = [*paths[state], Step(t, state)]
                        queue.append(t.target)
            self._recipes = paths
        return self._recipes

    def states(self) -> list[str]:
        return list(self.recipes())

    def state_of(self, obj: models.Model) -> str:
        return getattr(obj, self.workflow.state_field)


# ---- the harness ---------------------------------------------------------------------------------------

class Harness:
    """Builds items and acts as personas for the plugs; one per test (it holds the test's `world`)."""

    def __init__(self, world) -> None:
        self.world = world

    def actor(self, plug: Plug, role: str, obj: Any = None) -> User:
        """The persona acting as `role` on an item (or on what its creation was prepared from)."""
        if plug.persona is not None:
            return plug.persona(self, role, obj)
        return persona(self.world, role, obj)

    def create(self, plug: Plug, **options: Any) -> models.Model:
        prepared = plug.prepare(self, options)
        return plug.start(self, plug.creator(self, prepared, options), prepared)

    def build(self, plug: Plug, state: str, **options: Any) -> models.Model:
        """An item brought to `state` through the real services, along the table's shortest path."""
        try:
            recipe = plug.recipes()[state]
        except KeyError:
            raise ValueError(f"{state} is not a state the {plug.name} table reaches") from None
        obj = self.create(plug, **options)
        for step in recipe:
            self.step(plug, obj, step.t)
            obj.refresh_from_db()
        assert plug.state_of(obj) == state, (plug.state_of(obj), state)
        return obj

    def step(self, plug: Plug, obj: models.Model, t: T) -> None:
        """Make one move of the table the way production makes it: by a role the guard lets through."""
        if SYSTEM in t.roles:
            plug.system[t.action](self, obj)
            return
        for role in sorted(t.roles):
            actor = self.actor(plug, role, obj)
            if t.guard is None or t.guard(actor, obj):
                plug.act(self, actor, obj, t.action, REASON, "other")
                return
        raise AssertionError(f"no role of {t.action} passes its guard on {obj!r}")

    def act(self, plug: Plug, actor: User, obj: models.Model, action: str, *, reason: str = REASON,
            category: str = "other"):
        return plug.act(self, actor, obj, action, reason, category if action == "reject" else "")

    # ---- what a check looks at ----

    def events(self, plug: Plug, obj: models.Model) -> list[AuditEvent]:
        return list(AuditEvent.objects.filter(item_type=plug.type_of(obj), item_id=obj.pk).order_by("seq"))

    def snapshot(self, plug: Plug, obj: models.Model) -> tuple:
        """Status, last change and audit length: what a refused move must leave as it was."""
        fresh = type(obj).objects.get(pk=obj.pk)
        return plug.state_of(fresh), getattr(fresh, "updated_at", None), len(self.events(plug, obj))

    def expected_refusal(self, plug: Plug, action: str, role: str, obj: Any) -> type[DomainError]:
        """Out of scope, no such action for the role, or the action is the role's but not from here."""
        decided = plug.refusal(self, action, role, obj)
        if decided is not None:
            return decided
        if plug.hidden(self, role, obj):
            return NotFound
        if any(t.action == action and role in t.roles for t in plug.workflow.transitions):
            return Conflict
        return Forbidden


class Watch:
    """What a move wrote: new audit events of the item, messages and outbox rows since it was made."""

    def __init__(self, h: Harness, plug: Plug, obj: models.Model) -> None:
        self.h, self.plug, self.obj = h, plug, obj
        self.n_events = len(h.events(plug, obj)) if obj.pk else 0
        self.messages = set(Message.objects.values_list("pk", flat=True))
        self.outbox = set(OutboxEvent.objects.values_list("pk", flat=True))

    def new_events(self, obj: models.Model | None = None) -> list[AuditEvent]:
        return self.h.events(self.plug, obj or self.obj)[self.n_events:]

    def new_messages(self) -> list[Message]:
        return list(Message.objects.exclude(pk__in=self.messages))

    def new_topics(self) -> list[str]:
        return sorted(OutboxEvent.objects.exclude(pk__in=self.outbox).values_list("topic", flat=True))

    def nothing_written(self) -> None:
        assert self.new_messages() == []
        assert self.new_topics() == []


# ---- the checks ------------------------------------------------------------------------------------------

def _check_moved(h: Harness, plug: Plug, obj, t: T, src: str, actor: User, watch: Watch, capture) -> None:
    """After a legal move: the target, one chained audit event, the outbox rows, the messages after commit."""
    obj.refresh_from_db()
    assert plug.state_of(obj) == t.target
    new = watch.new_events(obj)
    assert len(new) == 1, [e.action for e in new]
    ev = new[0]
    assert (ev.action, ev.from_state, ev.to_state) == (t.action, src, t.target)
    assert (ev.actor_id, ev.actor_role, ev.actor_name, ev.actor_unit) == (
        actor.pk, actor.role, actor.display_name, actor.unit_name)
    review = plug.workflow.review_label_of(obj) if plug.workflow.review_label_of else "审核"
    assert ev.action_label == t.display_label(review)
    assert audit.verify_chain(h.events(plug, obj)) == []
    if src == t.target:
        # a change in place (修改去向): the state says nothing, so the record must say what changed
        assert ev.data, f"{t.action} leaves the item in {src} and records no change"
    assert watch.new_topics() == sorted(plug.emits.get((t.action, t.target), ()))
    # notifications wait for the commit
    assert watch.new_messages() == []
    for callback in capture:
        callback()
    messages = watch.new_messages()
    if t.notify is None:
        assert messages == []
        return
    expected = plug.recipients(h, obj, actor, t)
    assert messages, "the table notifies on this move"
    assert sorted(m.recipient_id for m in messages) == sorted(expected)
    assert all(expected[m.recipient_id] in m.title for m in messages), [m.title for m in messages]


def check_start(h: Harness, plug: Plug, role: str, capture_on_commit) -> None:
    """Creating an item: the table's INITIAL move by the roles it lists; refused for every other."""
    t = plug.creation(role)
    prepared = plug.prepare(h, {})
    actor = h.actor(plug, role, prepared)
    model = plug.workflow.model
    count = model.objects.count()
    watch = Watch(h, plug, model())
    if role not in t.roles:
        expected = NotFound if plug.hidden(h, role, prepared) else Forbidden
        with pytest.raises(DomainError) as exc:
            plug.start(h, actor, prepared)
        assert type(exc.value) is expected, (role, exc.value.message)
        assert model.objects.count() == count
        watch.nothing_written()
        return
    with capture_on_commit(execute=False) as callbacks:
        obj = plug.start(h, actor, prepared)
    assert plug.state_of(obj) == t.target
    if not plug.signed_in_creation:  # the creator's account came with the item
        actor = h.actor(plug, role, obj)
    _check_moved(h, plug, obj, t, INITIAL, actor, watch, callbacks)


def check_legal_move(h: Harness, plug: Plug, step: Step, role: str, capture_on_commit) -> None:
    t, src = step.t, step.source
    obj = h.build(plug, src, **plug.options_for(t, role))
    actor = h.actor(plug, role, obj)
    watch = Watch(h, plug, obj)
    with capture_on_commit(execute=False) as callbacks:
        done = h.act(plug, actor, obj, t.action)
    assert plug.state_of(done) == t.target
    _check_moved(h, plug, obj, t, src, actor, watch, callbacks)


def check_refused_roles(h: Harness, plug: Plug, step: Step) -> None:
    """Every role the move does not list is refused, and nothing changes."""
    t = step.t
    obj = h.build(plug, step.source, **plug.options_for(t, sorted(t.roles)[0]))
    before = h.snapshot(plug, obj)
    watch = Watch(h, plug, obj)
    for role in ROLES:
        if role in t.roles:
            continue
        expected = h.expected_refusal(plug, t.action, role, obj)
        with pytest.raises(DomainError) as exc:
            h.act(plug, h.actor(plug, role, obj), obj, t.action)
        assert type(exc.value) is expected, (role, exc.value.message)
        assert h.snapshot(plug, obj) == before
    watch.nothing_written()


def check_wrong_state(h: Harness, plug: Plug, state: str) -> None:
    """From `state`, every (action, role) the table does not allow here is a Conflict that changes nothing;
    so is every platform move the table does not list from here."""
    obj = h.build(plug, state)
    before = h.snapshot(plug, obj)
    watch = Watch(h, plug, obj)
    tried = 0
    for action, role in plug.action_roles():
        if plug.workflow.find(action, state, role) is not None:
            continue
        with pytest.raises(Conflict) as exc:
            h.act(plug, h.actor(plug, role, obj), obj, action)
        for words in plug.conflict_says(action, plug.workflow.state_label(state)):
            assert words in exc.value.message, (action, role, exc.value.message)
        assert h.snapshot(plug, obj) == before
        tried += 1
    for t in plug.workflow.transitions:
        if SYSTEM in t.roles and state not in t.source:
            with pytest.raises(Conflict), transaction.atomic():
                engine.move(plug.workflow, type(obj).objects.select_for_update().get(pk=obj.pk), action=t.action)
            assert h.snapshot(plug, obj) == before
            tried += 1
    every_move_allowed = all(plug.workflow.find(a, state, r) for a, r in plug.action_roles())
    assert tried or every_move_allowed, "nothing was tried from this state"
    watch.nothing_written()


def check_system_move(h: Harness, plug: Plug, step: Step) -> None:
    """A move the platform makes itself is no user's to perform; `engine.move` makes it."""
    t = step.t
    obj = h.build(plug, step.source)
    before = h.snapshot(plug, obj)
    for role in ROLES:
        actor = h.actor(plug, role, obj)
        expected = NotFound if plug.hidden(h, role, obj) else Forbidden
        with pytest.raises(DomainError) as exc:
            engine.perform(plug.workflow, actor=actor, pk=obj.pk, action=t.action, reason=REASON)
        assert type(exc.value) is expected, role
        with pytest.raises(DomainError) as exc:
            h.act(plug, actor, obj, t.action)
        assert type(exc.value) is expected, role
        assert h.snapshot(plug, obj) == before
    watch = Watch(h, plug, obj)
    with transaction.atomic():
        engine.move(plug.workflow, type(obj).objects.select_for_update().get(pk=obj.pk), action=t.action)
    obj.refresh_from_db()
    assert plug.state_of(obj) == t.target
    [ev] = watch.new_events()
    assert (ev.action, ev.from_state, ev.to_state, ev.actor_role) == (t.action, step.source, t.target, SYSTEM)
    assert audit.verify_chain(h.events(plug, obj)) == []


# ---- the generated tests ---------------------------------------------------------------------------------

def step_id(step: Step) -> str:
    return f"{step.t.action}:{step.source}->{step.t.target}"


def _params(plug: Plug, argname: str) -> tuple[list[Any], list[str]]:
    if argname == "role":
        # a newcomer's creation (no one is signed in) is checked for its own roles only
        roles = ROLES if plug.signed_in_creation else sorted(plug.creation().roles)
        return roles, roles
    if argname == "legal":
        legal = [(step, role) for step in plug.user_moves() for role in sorted(step.t.roles)]
        return legal, [f"{step_id(s)}-{r}" for s, r in legal]
    if argname == "user_move":
        moves = plug.user_moves()
        return moves, [step_id(s) for s in moves]
    if argname == "state":
        return plug.states(), plug.states()
    if argname == "system_move":
        moves = plug.system_moves()
        # a table without platform moves still says so, rather than leaving an empty parameter set
        return (moves, [step_id(s) for s in moves]) if moves else ([None], ["none"])
    raise LookupError(argname)


class TableTests:
    """Subclass as `Test<Name>Table` with `plug = <Plug>`: the table's tests, one per move, role and state."""

    plug: Plug

    def pytest_generate_tests(self, metafunc) -> None:
        for argname in ("role", "legal", "user_move", "state", "system_move"):
            if argname in metafunc.fixturenames:
                values, ids = _params(self.plug, argname)
                metafunc.parametrize(argname, values, ids=ids)

    @pytest.fixture
    def h(self, world) -> Harness:
        return Harness(world)

    def test_table_reaches_every_state(self):
        targets = {t.target for t in self.plug.workflow.transitions}
        assert set(self.plug.states()) == targets
        assert self.plug.creation().target in targets

    def test_start_by_each_role(self, h, role, django_capture_on_commit_callbacks):
        check_start(h, self.plug, role, django_capture_on_commit_callbacks)

    def test_each_legal_move_by_each_allowed_role(self, h, legal, django_capture_on_commit_callbacks):
        step, role = legal
        check_legal_move(h, self.plug, step, role, django_capture_on_commit_callbacks)

    def test_each_move_refused_to_every_other_role(self, h, user_move):
        check_refused_roles(h, self.plug, user_move)

    def test_each_move_from_each_wrong_state_is_refused(self, h, state):
        check_wrong_state(h, self.plug, state)

    def test_platform_moves_are_no_users_to_make(self, h, system_move):
        if system_move is None:
            assert self.plug.system_moves() == []
            return
        check_system_move(h, self.plug, system_move)


def race(*attempts: Callable[[], Any]) -> list[str]:
    """Start every attempt at the same moment, each in its own thread and connection (PostgreSQL's row locks
    across connections: tests marked `postgres_only` and `django_db(transaction=True)`); the sorted outcomes,
    "ok" or the name of the error each attempt raised."""
    barrier = threading.Barrier(len(attempts))
    results: list[str] = []

    def run(attempt: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            attempt()
            results.append("ok")
        except Exception as e:  # noqa: BLE001 - we record which error each thread saw
            results.append(type(e).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in attempts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(results)


def recipients_of(users: Iterable[User], title_part: str, *, actor: User | None = None) -> dict[int, str]:
    """{user id: title part} for every user but the actor (a party is not told of its own move)."""
    return {u.pk: title_part for u in users if u is not None and u != actor}
