"""用人单位注册审核: the employer review table through the table-test harness.

The item belongs to no graduate: the employer registers itself (a newcomer, no one signed in), the
operator passes or rejects it, a rejected unit (or a pending one still missing something) corrects its
data and submits again. The review services refuse a non-operator, and a unit's users act on their
own unit only, before the table is read.
"""
from __future__ import annotations

import itertools
from typing import Any

import pytest

from gradreg.accounts.models import Role, User
from gradreg.common.errors import Conflict, Forbidden, NotFound
from gradreg.organisations.models import Employer, ReviewStatus
from gradreg.workflow.engine import T
from tests.workflow.harness import Harness, Plug, TableTests, persona, recipients_of

from .helpers import png, registration

# employer registration and review run on the engine in their own app
services = pytest.importorskip("gradreg.employers.services")
EMPLOYER_REVIEW = pytest.importorskip("gradreg.employers.flows").EMPLOYER_REVIEW

R = ReviewStatus
_serial = itertools.count(401)
UNIT = ("name", "credit_code", "nature_code", "industry_code", "region_code", "address", "contact_name",
        "contact_phone")


def _prepare(h: Harness, options: dict[str, Any]) -> dict[str, Any]:
    n = next(_serial)
    return {"data": registration(n, name=f"注册测试{n}有限公司"), "incomplete": options.get("incomplete", False)}


def _start(h: Harness, actor, prepared: dict[str, Any]) -> Employer:
    employer = services.employer_register(**prepared["data"]).employer
    if prepared["incomplete"]:  # (set-up) a unit still missing its licence, as one entered without it
        Employer.objects.filter(pk=employer.pk).update(licence="")
        employer.refresh_from_db()
    return employer


def _act(h: Harness, actor, employer: Employer, action: str, reason: str, category: str) -> Employer:
    if action == "approve":
        return services.employer_approve(actor=actor, employer_id=employer.pk)
    if action == "reject":
        return services.employer_reject(actor=actor, employer_id=employer.pk, reason=reason)
    if action == "resubmit":
        unit = {name: getattr(employer, name) for name in UNIT}
        return services.employer_resubmit(actor=actor, employer_id=employer.pk, **dict(unit, address="广州市天河区新址1号"),
                                          licence=png())
    raise AssertionError(action)


def _persona(h: Harness, role: str, obj: Any) -> User:
    """The unit's own user for the employer role; the world's personas for the others."""
    if role == Role.EMPLOYER and isinstance(obj, Employer):
        return User.objects.filter(employer=obj).order_by("pk").first()
    return persona(h.world, role)


def _refusal(h: Harness, action: str, role: str, obj: Any) -> type | None:
    """Only an operator reviews (Forbidden); only the unit's own users resubmit (NotFound for the rest)."""
    if action in ("approve", "reject"):
        return Forbidden
    if action == "resubmit":
        return NotFound
    return None


def _recipients(h: Harness, employer: Employer, actor, t: T) -> dict[int, str]:
    title = "单位信息审核通过" if t.target == R.APPROVED else "单位信息审核未通过"
    return recipients_of(User.objects.filter(employer=employer, is_active=True), title, actor=actor)


PLUG = Plug(
    workflow=EMPLOYER_REVIEW, prepare=_prepare, start=_start, act=_act, persona=_persona, refusal=_refusal,
    creator=lambda h, prepared, options: h.world.operator,  # not used: a registration signs no one in
    options_for=lambda t, role: {"incomplete": t.action == "resubmit"},
    recipients=_recipients, signed_in_creation=False,
    # "该单位当前为“已通过”状态，不能审核通过。"; an approved unit: "单位信息已审核通过，不能自行修改。"
    conflict_says=lambda action, label: ("不能自行修改",) if action == "resubmit" else ("当前为", label),
)


class TestEmployerReviewTable(TableTests):
    plug = PLUG


def test_a_pending_unit_with_nothing_missing_waits_for_the_operator(world):
    """The table lists 重新提交 from 待审核 for a unit still missing something; a complete one waits."""
    h = Harness(world)
    employer = h.build(PLUG, R.PENDING)
    before = h.snapshot(PLUG, employer)
    with pytest.raises(Conflict, match="正在审核中"):
        h.act(PLUG, h.actor(PLUG, Role.EMPLOYER, employer), employer, "resubmit")
    assert h.snapshot(PLUG, employer) == before
