"""Builders for the signing tests: bring a signing or a termination to any state through the services.

`signing_in(world, state)` and `termination_in(world, state)` walk the real flow (invite → agree →
review…), so every item a test starts from has its audit trail, snapshot and agreement number as in
production. `act(actor, item, action)` calls the service a page would call for that action.

Tests that use the builders ask for the `signing_env` fixture (usually through `pytestmark`): it swaps
the PDF renderer for a stub (rendering and signing a real agreement costs ~0.3 s; the tests that look at
the PDF ask for `real_pdf`) and empties the cache that counts an employer's failed graduate look-ups.
"""
from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gradreg.accounts.models import Role, User
from gradreg.common.errors import Conflict, DomainError, Forbidden, NotFound
from gradreg.common.ids import make_credit_code
from gradreg.ems.models import Graduate
from gradreg.notifications.models import Message
from gradreg.organisations.models import Employer
from gradreg.signing import services
from gradreg.signing.flows import OFFLINE_SIGNING, OFFLINE_TERMINATION, ONLINE_SIGNING, ONLINE_TERMINATION
from gradreg.signing.models import Initiator, Signing, Termination
from gradreg.signing.models import SigningStatus as S
from gradreg.signing.models import TerminationStatus as TS
from gradreg.workflow.engine import INITIAL, SYSTEM, T, Workflow
from gradreg.workflow.models import AuditEvent
from tests import factories as f

G, E, D, SC, P = Role.GRADUATE, Role.EMPLOYER, Role.DEPARTMENT, Role.SCHOOL, Role.PROVINCE
ROLES = [r.value for r in Role]

TERMS = dict(position="软件工程师", job_category="21", work_region="440106", monthly_salary="12000",
             probation_months="3", service_years="2", breach_terms="违约金5000元", archive_unit="", archive_address="",
             hukou_unit="", hukou_address="", other_terms="")
OFFLINE_TERMS = dict(TERMS, employer_name="线下某某有限公司", credit_code=make_credit_code(901),
                     employer_nature="10", employer_industry="34", employer_region="440106",
                     employer_address="广州市天河路1号", contact_name="李经理", contact_phone="13800000000")

_names = itertools.count(1)


# ---- environment ---------------------------------------------------------------------------------------

def _stub_render(doc) -> bytes:
    return b"%PDF-1.4\n% stub agreement " + doc.number.encode() + b"\n%%EOF\n"


@pytest.fixture
def signing_env(request, monkeypatch):
    """Stub the agreement renderer unless the test asks for `real_pdf`; start with an empty cache."""
    if "real_pdf" not in request.fixturenames:
        monkeypatch.setattr("gradreg.signing.agreement_pdf.render_agreement", _stub_render)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def real_pdf():
    """Render and sign the real agreement PDF (see `signing_env`)."""
    return True


# ---- files -----------------------------------------------------------------------------------------------

def _png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


PNG = _png_bytes()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def stamped_png(name: str = "盖章协议.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def material_pdf(name: str = "解约函.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


# ---- people ----------------------------------------------------------------------------------------------

def graduate_user(graduate: Graduate) -> User:
    user = User.objects.filter(graduate=graduate).first()
    return user or f.user(f"grad{graduate.pk}", Role.GRADUATE, graduate=graduate, display_name=graduate.name)


def department_user(graduate: Graduate) -> User:
    user = User.objects.filter(role=D, department_id=graduate.department_id).order_by("pk").first()
    return user or f.user(f"dept{graduate.department_id}", D, school=graduate.school,
                          department=graduate.department, display_name=f"{graduate.department.name}老师")


def school_user(graduate: Graduate) -> User:
    user = User.objects.filter(role=SC, school_id=graduate.school_id).order_by("pk").first()
    return user or f.user(f"school{graduate.school_id}", SC, school=graduate.school, display_name="学校老师")


def employer_user(employer: Employer) -> User:
    return User.objects.filter(role=E, employer=employer).order_by("pk").first()


def second_employer(name: str = "另一家科技有限公司") -> tuple[Employer, User]:
    """Employer B, approved, with its own user."""
    n = next(_names)
    employer = Employer.objects.create(name=name, credit_code=make_credit_code(100 + n), approved=True)
    return employer, f.user(f"employer_b{n}", E, employer=employer, display_name=name)


def actor_for(world, role: str, obj: Signing | Termination | None = None, graduate: Graduate | None = None) -> User:
    """The user of `role` closest to the item: its graduate, its employer, its reviewers."""
    graduate = obj.graduate if obj is not None else (graduate or world.zhangsan)
    if role == G:
        return graduate_user(graduate)
    if role == E:
        if obj is not None and obj.employer_id:
            return employer_user(obj.employer)
        return world.u_employer
    if role == D:
        return department_user(graduate)
    if role == SC:
        return school_user(graduate)
    if role == P:
        return world.zhou
    return world.operator


def party_user(world, obj: Termination | Signing, party: str) -> User:
    return actor_for(world, G if party == Initiator.GRADUATE else E, obj)


# ---- doing things ------------------------------------------------------------------------------------

def act(actor: User, obj: Signing | Termination, action: str, *, reason: str = "理由", category: str = "other"):
    """Perform `action` on the item through the service a page or the API calls for it."""
    category = category if action == "reject" else ""
    if isinstance(obj, Signing):
        if action == "upload":
            return services.stamped_upload(actor=actor, pk=obj.pk, file=stamped_png())
        if action == "resubmit":
            return services.offline_resubmit(actor=actor, pk=obj.pk, data=dict(OFFLINE_TERMS, position="高级软件工程师"))
        return services.signing_act(actor=actor, pk=obj.pk, action=action, reason=reason, category=category)
    file = material_pdf() if action == "resubmit" else None
    return services.termination_act(actor=actor, pk=obj.pk, action=action, reason=reason, category=category, file=file)


def invite(world, graduate: Graduate | None = None, employer_actor: User | None = None, **terms: Any) -> Signing:
    graduate = graduate or world.zhangsan
    return services.invitation_create(actor=employer_actor or world.u_employer, name=graduate.name,
                                      id_number=graduate.id_number, terms=dict(TERMS, **terms))


def apply_offline(world, graduate: Graduate | None = None, **terms: Any) -> Signing:
    graduate = graduate or world.zhangsan
    return services.offline_apply(actor=graduate_user(graduate), data=dict(OFFLINE_TERMS, **terms))


# Each reachable state: the moves from the item's creation that lead there, as (role, action).
ONLINE_PATHS: dict[str, list[tuple[str, str]]] = {
    S.INVITED: [],
    S.DECLINED: [(G, "decline")],
    S.WITHDRAWN: [(E, "withdraw")],
    S.EXPIRED: [(SYSTEM, "expire")],
    S.AGREED: [(G, "agree")],
    S.ONLINE_WAIT_SCHOOL: [(G, "agree"), (D, "approve")],
    S.SIGNED: [(G, "agree"), (D, "approve"), (SC, "approve")],
    S.REJECTED: [(G, "agree"), (D, "reject")],
    S.TERMINATED: [(G, "agree"), (D, "approve"), (SC, "approve"), (SYSTEM, "terminate")],
}
_DRAFT_PASSED = [(D, "approve"), (SC, "approve")]
_UPLOADED = [*_DRAFT_PASSED, (G, "upload")]
OFFLINE_PATHS: dict[str, list[tuple[str, str]]] = {
    S.DRAFT_WAIT_DEPT: [],
    S.DRAFT_WITHDRAWN: [(G, "withdraw")],
    S.DRAFT_RETURNED: [(D, "return")],
    S.DRAFT_WAIT_SCHOOL: [(D, "approve")],
    S.AWAIT_UPLOAD: _DRAFT_PASSED,
    S.UPLOAD_WAIT_DEPT: _UPLOADED,
    S.UPLOAD_RETURNED: [*_UPLOADED, (D, "return")],
    S.UPLOAD_WAIT_SCHOOL: [*_UPLOADED, (D, "approve")],
    S.SIGNED: [*_UPLOADED, (D, "approve"), (SC, "approve")],
    S.REJECTED: [(D, "reject")],
    S.CANCELLED: [(G, "withdraw"), (G, "abandon")],
    S.TERMINATED: [*_UPLOADED, (D, "approve"), (SC, "approve"), (SYSTEM, "terminate")],
}
# terminations: "applicant" and "other" are the parties; reviewers by role
ONLINE_TERMINATION_PATHS: dict[str, list[tuple[str, str]]] = {
    TS.PENDING_OTHER: [],
    TS.CANCELLED: [("applicant", "cancel")],
    TS.OTHER_DECLINED: [("other", "decline")],
    TS.AGREED: [("other", "agree")],
    TS.WAIT_SCHOOL: [("other", "agree"), (D, "approve")],
    TS.TERMINATED: [("other", "agree"), (D, "approve"), (SC, "approve")],
    TS.FAILED: [("other", "agree"), (D, "reject")],
}
OFFLINE_TERMINATION_PATHS: dict[str, list[tuple[str, str]]] = {
    TS.OFFLINE_WAIT_DEPT: [],
    TS.CANCELLED: [("applicant", "cancel")],
    TS.RETURNED: [(D, "return")],
    TS.WAIT_SCHOOL: [(D, "approve")],
    TS.TERMINATED: [(D, "approve"), (SC, "approve")],
    TS.FAILED: [(D, "reject")],
}


def signing_in(world, state: str, *, online: bool | None = None, graduate: Graduate | None = None,
               employer_actor: User | None = None) -> Signing:
    """A signing of `graduate` (张三 by default) brought to `state` through the services.

    Online unless the state belongs to the offline flow or `online=False`.
    """
    if online is None:
        online = state not in OFFLINE_PATHS or state in ONLINE_PATHS
    paths = ONLINE_PATHS if online else OFFLINE_PATHS
    if state not in paths:
        raise ValueError(f"{state} is not a state of the {'online' if online else 'offline'} flow")
    graduate = graduate or world.zhangsan
    s = invite(world, graduate, employer_actor) if online else apply_offline(world, graduate)
    for role, action in paths[state]:
        if action == "expire":  # the platform's run at the invitation's deadline (earlier ones expire too)
            services.expire_invitations(now=s.expires_at)
        elif action == "terminate":
            t = termination_in(world, TS.WAIT_SCHOOL, signing=s)
            act(actor_for(world, SC, t), t, "approve")
        else:
            act(actor_for(world, role, s), s, action)
        s.refresh_from_db()
    assert s.status == state, (s.status, state)
    return s


def termination_in(world, state: str, *, online: bool = True, applicant: str = Initiator.GRADUATE,
                   graduate: Graduate | None = None, signing: Signing | None = None) -> Termination:
    """A termination of a signed agreement (online by default, applied for by the graduate) in `state`."""
    if signing is not None:
        online = signing.is_online
    paths = ONLINE_TERMINATION_PATHS if online else OFFLINE_TERMINATION_PATHS
    if state not in paths:
        raise ValueError(f"{state} is not a state of the {'online' if online else 'offline'} termination flow")
    if signing is None:
        signing = signing_in(world, S.SIGNED, online=online, graduate=graduate)
    applicant_user = party_user(world, signing, applicant)
    t = services.termination_apply(actor=applicant_user, signing_id=signing.pk, reason="个人原因，另有去向",
                                   file=None if online else material_pdf())
    other = Initiator.EMPLOYER if applicant == Initiator.GRADUATE else Initiator.GRADUATE
    for who, action in paths[state]:
        if who == "applicant":
            actor = applicant_user
        elif who == "other":
            actor = party_user(world, t, other)
        else:
            actor = actor_for(world, who, t)
        act(actor, t, action)
        t.refresh_from_db()
    assert t.status == state, (t.status, state)
    return t


# ---- the four tables, for the parametrised tests ------------------------------------------------------

@dataclass(frozen=True)
class Flow:
    workflow: Workflow
    online: bool
    states: tuple[str, ...]
    build: Callable[..., Signing | Termination]

    @property
    def name(self) -> str:
        return self.workflow.name

    def user_moves(self) -> list[tuple[T, str]]:
        """Every (transition, source state) a user makes: not the creation, not the platform's own moves."""
        return [(t, src) for t in self.workflow.transitions if SYSTEM not in t.roles
                for src in sorted(t.source) if src != INITIAL]

    def system_moves(self) -> list[tuple[T, str]]:
        return [(t, src) for t in self.workflow.transitions if SYSTEM in t.roles for src in sorted(t.source)]

    def action_roles(self) -> list[tuple[str, str]]:
        """Every (action, role) pair the table grants somewhere, for the wrong-state test."""
        pairs = {(t.action, r) for t in self.workflow.transitions if INITIAL not in t.source for r in t.roles}
        return sorted(p for p in pairs if p[1] != SYSTEM)


def _signing_builder(online: bool):
    def build(world, state, **kw):
        kw.pop("applicant", None)
        return signing_in(world, state, online=online, **kw)
    return build


def _termination_builder(online: bool):
    def build(world, state, **kw):
        return termination_in(world, state, online=online, **kw)
    return build


FLOWS = {
    "online_signing": Flow(ONLINE_SIGNING, True, tuple(ONLINE_PATHS), _signing_builder(True)),
    "offline_signing": Flow(OFFLINE_SIGNING, False, tuple(OFFLINE_PATHS), _signing_builder(False)),
    "online_termination": Flow(ONLINE_TERMINATION, True, tuple(ONLINE_TERMINATION_PATHS), _termination_builder(True)),
    "offline_termination": Flow(OFFLINE_TERMINATION, False, tuple(OFFLINE_TERMINATION_PATHS),
                                _termination_builder(False)),
}


def move_id(move: tuple[T, str]) -> str:
    t, src = move
    return f"{t.action}:{src}->{t.target}"


def builder_kwargs(t: T, role: str) -> dict[str, Any]:
    """Who applied for a termination so that `role` passes the move's guard (the other party, the applicant)."""
    if t.guard is None or role not in (G, E):
        return {}
    own = Initiator.EMPLOYER if role == E else Initiator.GRADUATE
    other = Initiator.GRADUATE if role == E else Initiator.EMPLOYER
    return {"applicant": own if t.guard.__name__ == "is_applicant" else other}


def expected_refusal(flow: Flow, t: T, role: str) -> type[Exception]:
    """What refuses a role the move does not list: out of scope, no such action for it, or not from here."""
    if role == E and not flow.online:
        return NotFound  # an employer cannot even see an offline item
    if any(t2.action == t.action and role in t2.roles for t2 in flow.workflow.transitions):
        return Conflict  # the role has this action, but from another state (e.g. school 审核通过 at the dept stage)
    return Forbidden


# ---- what a test asserts after a move ---------------------------------------------------------------------

def events_of(obj: Signing | Termination) -> list[AuditEvent]:
    item_type = obj.workflow_name
    return list(AuditEvent.objects.filter(item_type=item_type, item_id=obj.pk).order_by("seq"))


def expected_recipients(obj: Signing | Termination, actor: User | None) -> set[int]:
    """notify_parties: the graduate's account, and the employer's users when the employer is a party."""
    ids = set(User.objects.filter(graduate_id=obj.graduate_id).values_list("pk", flat=True))
    online = obj.is_online if isinstance(obj, Signing) else obj.online
    if online and obj.employer_id:
        ids |= set(User.objects.filter(employer_id=obj.employer_id, role=E, is_active=True)
                   .values_list("pk", flat=True))
    return ids - {getattr(actor, "pk", None)}


def new_messages(before: Iterable[int]) -> list[Message]:
    return list(Message.objects.exclude(pk__in=list(before)))


def state_of(obj: Signing | Termination) -> tuple:
    fresh = type(obj).objects.get(pk=obj.pk)
    return fresh.status, fresh.updated_at, len(events_of(obj))


# ---- the table checks, shared by the four flow test modules ----------------------------------------------

def check_legal_move(world, flow: Flow, t: T, src: str, role: str, capture) -> None:
    """The move by this role succeeds: target state, one audit event, the table's notifications."""
    obj = flow.build(world, src, **builder_kwargs(t, role))
    actor = actor_for(world, role, obj)
    n_events = len(events_of(obj))
    before_msgs = list(Message.objects.values_list("pk", flat=True))
    with capture(execute=True):
        done = act(actor, obj, t.action)
    assert done.status == t.target
    obj.refresh_from_db()
    assert obj.status == t.target
    new = events_of(obj)[n_events:]
    assert len(new) == 1, [e.action for e in new]
    ev = new[0]
    assert (ev.action, ev.from_state, ev.to_state) == (t.action, src, t.target)
    assert (ev.actor_id, ev.actor_role, ev.actor_name) == (actor.pk, role, actor.display_name)
    assert ev.action_label == t.display_label(obj.school.review_label)
    msgs = new_messages(before_msgs)
    if t.notify is None:
        assert msgs == []
    else:
        assert msgs, "the table notifies on this move"
        assert sorted(m.recipient_id for m in msgs) == sorted(expected_recipients(obj, actor))
        label = flow.workflow.state_label(t.target)
        assert all(label in m.title for m in msgs)


def check_refused_roles(world, flow: Flow, t: T, src: str) -> None:
    """Every role the move does not list is refused, and nothing changes."""
    obj = flow.build(world, src, **builder_kwargs(t, sorted(t.roles)[0]))
    before = state_of(obj)
    before_msgs = list(Message.objects.values_list("pk", flat=True))
    for role in ROLES:
        if role in t.roles:
            continue
        expected = expected_refusal(flow, t, role)
        with pytest.raises(DomainError) as exc:
            act(actor_for(world, role, obj), obj, t.action)
        assert type(exc.value) is expected, (role, exc.value.message)
        assert state_of(obj) == before
    assert new_messages(before_msgs) == []


def check_wrong_state(world, flow: Flow, state: str) -> None:
    """From `state`, every (action, role) the table does not allow here is a Conflict that changes nothing."""
    obj = flow.build(world, state)
    before = state_of(obj)
    tried = 0
    for action, role in flow.action_roles():
        if flow.workflow.find(action, state, role) is not None:
            continue
        with pytest.raises(Conflict) as exc:
            act(actor_for(world, role, obj), obj, action)
        assert "当前状态" in exc.value.message and flow.workflow.state_label(state) in exc.value.message
        assert state_of(obj) == before
        tried += 1
    assert tried, "every state forbids something"


def check_system_move(world, flow: Flow, t: T, src: str) -> None:
    """A move the platform makes itself (expiry, termination) is no user's to perform."""
    from gradreg.workflow import engine

    obj = flow.build(world, src)
    before = state_of(obj)
    for role in ROLES:
        actor = actor_for(world, role, obj)
        expected = NotFound if role == E and not flow.online else Forbidden
        with pytest.raises(DomainError) as exc:
            engine.perform(flow.workflow, actor=actor, pk=obj.pk, action=t.action, reason="理由")
        assert type(exc.value) is expected, role
        with pytest.raises(DomainError) as exc:
            act(actor, obj, t.action)
        assert type(exc.value) is expected, role
        assert state_of(obj) == before


def start_item(world, flow: Flow, actor: User, signing: Signing | None):
    if flow.workflow is ONLINE_SIGNING:
        return services.invitation_create(actor=actor, name=world.zhangsan.name, id_number=world.zhangsan.id_number,
                                          terms=TERMS)
    if flow.workflow is OFFLINE_SIGNING:
        return services.offline_apply(actor=actor, data=OFFLINE_TERMS)
    return services.termination_apply(actor=actor, signing_id=signing.pk, reason="个人原因",
                                      file=None if flow.online else material_pdf())


def check_start(world, flow: Flow, role: str, capture) -> None:
    """Creating an item: the table's INITIAL move, by the roles it lists; refused for every other."""
    t = next(t for t in flow.workflow.transitions if INITIAL in t.source)
    signing = None
    if flow.workflow.model is Termination:
        signing = signing_in(world, S.SIGNED, online=flow.online)
    actor = actor_for(world, role, signing)
    model = flow.workflow.model
    count = model.objects.count()
    before_msgs = list(Message.objects.values_list("pk", flat=True))
    if role in t.roles:
        with capture(execute=True):
            obj = start_item(world, flow, actor, signing)
        assert obj.status == t.target
        [ev] = events_of(obj)
        assert (ev.action, ev.from_state, ev.to_state, ev.actor_id) == (t.action, INITIAL, t.target, actor.pk)
        msgs = new_messages(before_msgs)
        if t.notify is None:
            assert msgs == []
        else:
            assert sorted(m.recipient_id for m in msgs) == sorted(expected_recipients(obj, actor))
            assert msgs
        return
    expected = NotFound if (signing is not None and role == E and not flow.online) else Forbidden
    with pytest.raises(DomainError) as exc:
        start_item(world, flow, actor, signing)
    assert type(exc.value) is expected, (role, exc.value.message)
    assert model.objects.count() == count
    assert new_messages(before_msgs) == []

