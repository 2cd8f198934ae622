"""The four signing tables plugged into the table-test harness, and builders for the signing tests.

`signing_in(world, state)` and `termination_in(world, state)` walk the real flow (invite → agree →
review…) along the table's shortest path (`tests/workflow/harness.py`), so every item a test starts
from has its audit trail, snapshot and agreement number as in production. `act(actor, item, action)`
calls the service a page would call for that action. `FLOWS` holds the four plugs; each flow's test
module runs the harness's generated table tests on its plug.

Tests that use the builders ask for the `signing_env` fixture (usually through `pytestmark`): it swaps
the PDF renderer for a stub (rendering and signing a real agreement costs ~0.3 s; the tests that look at
the PDF ask for `real_pdf`) and empties the cache that counts an employer's failed graduate look-ups.
"""
from __future__ import annotations

import io
import itertools
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gradreg.accounts.models import Role, User
from gradreg.common.ids import make_credit_code
from gradreg.ems.models import Graduate
from gradreg.organisations.models import Employer
from gradreg.signing import services
from gradreg.signing.flows import OFFLINE_SIGNING, OFFLINE_TERMINATION, ONLINE_SIGNING, ONLINE_TERMINATION
from gradreg.signing.models import Initiator, Signing, Termination
from gradreg.signing.models import SigningStatus as S
from gradreg.signing.models import TerminationStatus as TS
from gradreg.workflow.engine import T
from tests import factories as f
from tests.workflow.harness import (
    ROLES,
    Harness,
    Plug,
    department_user,
    graduate_user,
    persona,
    recipients_of,
    school_user,
)

__all__ = ["ROLES", "department_user", "graduate_user", "school_user"]

G, E, D, SC, P = Role.GRADUATE, Role.EMPLOYER, Role.DEPARTMENT, Role.SCHOOL, Role.PROVINCE

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

def second_employer(name: str = "另一家科技有限公司") -> tuple[Employer, User]:
    """Employer B, approved, with its own user."""
    n = next(_names)
    employer = Employer.objects.create(name=name, credit_code=make_credit_code(100 + n), approved=True)
    return employer, f.user(f"employer_b{n}", E, employer=employer, display_name=name)


def actor_for(world, role: str, obj: Signing | Termination | None = None, graduate: Graduate | None = None) -> User:
    """The user of `role` closest to the item: its graduate, its employer, its reviewers."""
    return persona(world, role, obj if obj is not None else graduate)


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


# ---- the four tables, plugged into the harness -------------------------------------------------------------

def _act(h: Harness, actor: User, obj, action: str, reason: str, category: str):
    return act(actor, obj, action, reason=reason, category=category)


def _expire(h: Harness, s: Signing) -> None:
    """The platform's run at the invitation's deadline (earlier ones expire too)."""
    services.expire_invitations(now=s.expires_at)


def _terminate(h: Harness, s: Signing) -> None:
    """A signing ends when the school passes its termination."""
    t = h.build(TERMINATION_PLUGS[s.is_online], TS.WAIT_SCHOOL, signing=s)
    act(actor_for(h.world, SC, t), t, "approve")


def _notify_parties(h: Harness, obj, actor: User, t: T) -> dict[int, str]:
    """notify_parties: the graduate's account, and the employer's users when the employer is a party."""
    users = list(User.objects.filter(graduate_id=obj.graduate_id))
    online = obj.is_online if isinstance(obj, Signing) else obj.online
    if online and obj.employer_id:
        users += list(User.objects.filter(employer_id=obj.employer_id, role=E, is_active=True))
    plug = SIGNING_PLUGS[obj.is_online] if isinstance(obj, Signing) else TERMINATION_PLUGS[obj.online]
    return recipients_of(users, plug.workflow.state_label(t.target), actor=actor)


def _hidden(online: bool):
    """An employer cannot even see an offline item (nor the signing an offline termination ends)."""
    return lambda h, role, obj: role == E and not online and isinstance(obj, (Signing, Termination))


def _signing_plug(workflow, online: bool) -> Plug:
    def prepare(h: Harness, options: dict[str, Any]) -> Graduate:
        return options.get("graduate") or h.world.zhangsan

    def creator(h: Harness, graduate: Graduate, options: dict[str, Any]) -> User:
        return (options.get("employer_actor") or h.world.u_employer) if online else graduate_user(graduate)

    def start(h: Harness, actor: User, graduate: Graduate) -> Signing:
        if online:
            return services.invitation_create(actor=actor, name=graduate.name, id_number=graduate.id_number,
                                              terms=TERMS)
        return services.offline_apply(actor=actor, data=OFFLINE_TERMS)

    return Plug(workflow=workflow, prepare=prepare, creator=creator, start=start, act=_act,
                system={"expire": _expire, "terminate": _terminate}, hidden=_hidden(online),
                recipients=_notify_parties, emits={("approve", S.SIGNED): ("ems.signing_completed",)},
                item_type=lambda s: s.workflow_name)


def _termination_options(t: T, role: str) -> dict[str, Any]:
    """Who applied for a termination so that `role` passes the move's guard (the other party, the applicant)."""
    if t.guard is None or role not in (G, E):
        return {}
    own = Initiator.EMPLOYER if role == E else Initiator.GRADUATE
    other = Initiator.GRADUATE if role == E else Initiator.EMPLOYER
    return {"applicant": own if t.guard.__name__ == "is_applicant" else other}


def _termination_plug(workflow, online: bool) -> Plug:
    def prepare(h: Harness, options: dict[str, Any]) -> Signing:
        signing = options.get("signing")
        return signing or h.build(SIGNING_PLUGS[online], S.SIGNED, graduate=options.get("graduate"))

    def creator(h: Harness, signing: Signing, options: dict[str, Any]) -> User:
        return party_user(h.world, signing, options.get("applicant", Initiator.GRADUATE))

    def start(h: Harness, actor: User, signing: Signing) -> Termination:
        return services.termination_apply(actor=actor, signing_id=signing.pk, reason="个人原因，另有去向",
                                          file=None if online else material_pdf())

    return Plug(workflow=workflow, prepare=prepare, creator=creator, start=start, act=_act,
                options_for=_termination_options, hidden=_hidden(online), recipients=_notify_parties,
                emits={("approve", TS.TERMINATED): ("ems.signing_terminated",)},
                item_type=lambda t: t.workflow_name)


SIGNING_PLUGS = {True: _signing_plug(ONLINE_SIGNING, True), False: _signing_plug(OFFLINE_SIGNING, False)}
TERMINATION_PLUGS = {True: _termination_plug(ONLINE_TERMINATION, True),
                     False: _termination_plug(OFFLINE_TERMINATION, False)}
FLOWS = {plug.name: plug for plug in (*SIGNING_PLUGS.values(), *TERMINATION_PLUGS.values())}


def signing_in(world, state: str, *, online: bool | None = None, graduate: Graduate | None = None,
               employer_actor: User | None = None) -> Signing:
    """A signing of `graduate` (张三 by default) brought to `state` through the services.

    Online unless the state belongs to the offline flow or `online=False`.
    """
    if online is None:
        online = state in SIGNING_PLUGS[True].recipes() or state not in SIGNING_PLUGS[False].recipes()
    return Harness(world).build(SIGNING_PLUGS[online], state, graduate=graduate, employer_actor=employer_actor)


def termination_in(world, state: str, *, online: bool = True, applicant: str = Initiator.GRADUATE,
                   graduate: Graduate | None = None, signing: Signing | None = None) -> Termination:
    """A termination of a signed agreement (online by default, applied for by the graduate) in `state`."""
    if signing is not None:
        online = signing.is_online
    return Harness(world).build(TERMINATION_PLUGS[online], state, applicant=applicant, graduate=graduate,
                                signing=signing)


def state_of(obj: Signing | Termination) -> tuple:
    """Status, last change and audit length: what a refused move must leave as it was."""
    return Harness(None).snapshot(FLOWS[obj.workflow_name], obj)
