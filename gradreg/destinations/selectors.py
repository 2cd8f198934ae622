"""Reads of registrations and 补登, always starting from the actor's scope."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, QuerySet

from gradreg.accounts.scope import scope_q
from gradreg.common.errors import Forbidden, get_in_scope
from gradreg.common.roles import Role
from gradreg.workflow.items import filter_items

from .models import PAPER_STATES, REGISTRATION_STATES, DestinationItem, PaperAgreement, Registration

SCOPE = dict(school="school", department="department", province="school__province", graduate="graduate")
REVIEWER_ROLES = frozenset({Role.DEPARTMENT, Role.SCHOOL})
INVALID = "invalid"  # the lists' 失效 filter: items of a graduate deleted from the EMS roster


def visible_to(model: type[DestinationItem], actor) -> QuerySet:
    if actor.role == Role.EMPLOYER:
        return model.objects.none()
    return model.objects.filter(scope_q(actor, **SCOPE))


def _get_for(model, missing: str):
    def get_for(actor, pk: int, *, for_update: bool = False):
        qs = visible_to(model, actor)
        if for_update:
            # the row is locked; the graduate's units come along for the EMS comparison
            qs = qs.select_for_update(of=("self",)).select_related(
                "school", "graduate__school", "graduate__major", "graduate__department")
        else:
            qs = qs.select_related("school", "department", "graduate__school", "graduate__major",
                                   "graduate__department")
        return get_in_scope(qs, pk, missing)
    return get_for


registration_get_for = _get_for(Registration, "未找到该去向登记记录，或您无权查看。")
paper_get_for = _get_for(PaperAgreement, "未找到该补登记录，或您无权查看。")


def ensure_reviewer(actor) -> None:
    if actor.role not in REVIEWER_ROLES:
        raise Forbidden("只有院系、学校用户可以使用去向登记管理和补登管理。")


def ensure_graduate(actor) -> None:
    if actor.role != Role.GRADUATE or not actor.graduate_id:
        raise Forbidden("只有毕业生本人可以登记毕业去向。")


@dataclass
class Filters:
    status: str = ""          # a state, INVALID, or "" (all)
    type: str = ""            # a destination type (the taxonomy's `type`)
    q: str = ""               # name (prefix) or 考生号
    unit: str = ""            # unit / institution name prefix
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    graduation_year: int | None = None


def search(model: type[DestinationItem], actor, f: Filters) -> QuerySet:
    """A reviewer's list: scoped, filtered on indexed columns, newest change first."""
    ensure_reviewer(actor)
    qs = visible_to(model, actor)
    if f.status == INVALID:
        qs = qs.filter(graduate__is_valid=False)
    elif f.status:
        qs = qs.filter(status=f.status)
    if f.type:
        qs = qs.filter(destination_type=f.type)
    if f.unit:
        qs = qs.filter(unit_name__startswith=f.unit.strip())
    qs = filter_items(qs, q=f.q, date_from=f.date_from, date_to=f.date_to, graduation_year=f.graduation_year)
    return qs.order_by("-updated_at", "-id")


LIST_FIELDS = (
    "id", "status", "graduate_name", "exam_no", "destination_type", "subtype", "unit_name", "credit_code",
    "updated_at", "graduation_year", "last_reason", "voided_at", "approved_at", "reviewer_edited_at",
)


def rows(qs: QuerySet) -> QuerySet:
    return qs.values(*LIST_FIELDS, department_name=F("department__name"), graduate_valid=F("graduate__is_valid"))


def waiting_counts(actor) -> dict[str, Any]:
    """Home page: registrations and 补登 waiting for this reviewer (an invalid graduate's wait for no one)."""
    if actor.role not in REVIEWER_ROLES:
        return {}
    reg = REGISTRATION_STATES.counts(visible_to(Registration, actor).filter(graduate__is_valid=True), actor.role)
    paper = PAPER_STATES.counts(visible_to(PaperAgreement, actor).filter(graduate__is_valid=True), actor.role)
    return {"registration": reg, "paper": paper, "registration_total": sum(n for *_, n in reg),
            "paper_total": sum(n for *_, n in paper)}


def current_items(graduate_id: int) -> list[DestinationItem]:
    """The graduate's registrations and 补登 in flight or approved (at most one of each, and one 未就业)."""
    found: list[DestinationItem] = []
    for model, states in ((Registration, REGISTRATION_STATES), (PaperAgreement, PAPER_STATES)):
        found += list(model.objects.filter(graduate_id=graduate_id, status__in=states.holding()))
    return found
