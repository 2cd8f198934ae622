"""Reads of signings and terminations, always starting from the actor's scope."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone

from gradreg.accounts.models import Role
from gradreg.accounts.scope import scope_q
from gradreg.common.errors import Forbidden, get_in_scope
from gradreg.workflow.items import filter_items

from .models import SIGNING_STATES, TERMINATION_STATES, Initiator, Signing, SigningStatus, Termination

SCOPE = dict(school="school", department="department", province="school__province", graduate="graduate",
             employer="employer")
REVIEWER_ROLES = frozenset({Role.DEPARTMENT, Role.SCHOOL})


def signings_visible_to(actor) -> QuerySet[Signing]:
    return Signing.objects.filter(scope_q(actor, **SCOPE))


def signing_get_for(actor, pk: int, *, for_update: bool = False) -> Signing:
    qs = signings_visible_to(actor)
    if for_update:
        # only the signing row is locked; the joined rows are what every move reads (the EMS comparison
        # of the graduate's school, major and department, the school's 审核/鉴证 label)
        qs = qs.select_for_update(of=("self",)).select_related(
            "school", "graduate__school", "graduate__major", "graduate__department")
    else:
        qs = qs.select_related("school", "department", "employer", "graduate__school", "graduate__major",
                               "graduate__department")
    return get_in_scope(qs, pk, "未找到该签约记录，或您无权查看。")


def terminations_visible_to(actor) -> QuerySet[Termination]:
    return Termination.objects.filter(scope_q(actor, **SCOPE))


def termination_get_for(actor, pk: int, *, for_update: bool = False) -> Termination:
    qs = terminations_visible_to(actor)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    else:
        qs = qs.select_related("school", "department", "employer", "graduate", "signing")
    return get_in_scope(qs, pk, "未找到该解约记录，或您无权查看。")


def ensure_reviewer(actor) -> None:
    if actor.role not in REVIEWER_ROLES:
        raise Forbidden("只有院系、学校用户可以使用在线签约管理和解约管理。")


# The lists' default status filter per reviewer role, read from the state sets (role -> state).
DEFAULT_SIGNING_STATUS = SIGNING_STATES.defaults(REVIEWER_ROLES)
DEFAULT_TERMINATION_STATUS = TERMINATION_STATES.defaults(REVIEWER_ROLES)


@dataclass
class ReviewFilters:
    initiator: str = ""       # 签约发起方: employer / graduate / "" (both)
    status: str = ""          # "" = all
    q: str = ""               # name or 考生号, exact (or name prefix)
    employer: str = ""        # employer name prefix
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    graduation_year: int | None = None


def _filter(qs: QuerySet, f: ReviewFilters, *, has_initiator: bool) -> QuerySet:
    if has_initiator and f.initiator:
        qs = qs.filter(initiator=f.initiator)
    elif not has_initiator and f.initiator:
        qs = qs.filter(online=f.initiator == Initiator.EMPLOYER)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.employer:
        qs = qs.filter(employer_name__startswith=f.employer.strip())
    qs = filter_items(qs, q=f.q, date_from=f.date_from, date_to=f.date_to, graduation_year=f.graduation_year)
    return qs.order_by("-updated_at", "-id")


def signing_search(actor, f: ReviewFilters) -> QuerySet[Signing]:
    """在线签约管理's list: scoped, filtered on indexed columns, newest change first."""
    ensure_reviewer(actor)
    return _filter(signings_visible_to(actor), f, has_initiator=True)


def termination_search(actor, f: ReviewFilters) -> QuerySet[Termination]:
    ensure_reviewer(actor)
    return _filter(terminations_visible_to(actor), f, has_initiator=False)


SIGNING_LIST_FIELDS = (
    "id", "initiator", "status", "graduate_name", "exam_no", "employer_name", "position", "updated_at",
    "submitted_at", "graduation_year", "last_reason", "employer_id", "expires_at", "credit_code",
)
TERMINATION_LIST_FIELDS = (
    "id", "online", "applicant", "status", "graduate_name", "exam_no", "employer_name", "updated_at",
    "graduation_year", "last_reason", "employer_id", "reason",
)


def signing_rows(qs: QuerySet[Signing]) -> QuerySet:
    return qs.values(*SIGNING_LIST_FIELDS, department_name=F("department__name"), graduate_valid=F("graduate__is_valid"))


def termination_rows(qs: QuerySet[Termination]) -> QuerySet:
    return qs.values(*TERMINATION_LIST_FIELDS, department_name=F("department__name"),
                     credit_code=F("signing__credit_code"), graduate_valid=F("graduate__is_valid"))


def waiting_counts(actor) -> dict[str, Any]:
    """Home page: what waits for this reviewer now, in signing and termination (the tables say what waits).

    Items of an invalid (失效) graduate are frozen: they wait for no one.
    """
    if actor.role not in REVIEWER_ROLES:
        return {}
    sig = SIGNING_STATES.counts(signings_visible_to(actor).filter(graduate__is_valid=True), actor.role)
    term = TERMINATION_STATES.counts(terminations_visible_to(actor).filter(graduate__is_valid=True), actor.role)
    return {"signing": sig, "termination": term,
            "signing_total": sum(n for *_, n in sig), "termination_total": sum(n for *_, n in term)}


def holding_signing(graduate_id: int, *, exclude_pk: int | None = None) -> Signing | None:
    qs = Signing.objects.filter(graduate_id=graduate_id, status__in=SIGNING_STATES.holding())
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.only("id", "status", "employer_name").first()


def ensure_graduate(actor) -> None:
    if actor.role != Role.GRADUATE:
        raise Forbidden("只有毕业生本人可以使用此功能。")


def ensure_employer(actor) -> None:
    if actor.role != Role.EMPLOYER:
        raise Forbidden("只有用人单位可以使用此功能。")


def invitations_for(actor) -> QuerySet[Signing]:
    """A graduate's inbox: invitations still waiting for an answer, not yet expired."""
    ensure_graduate(actor)
    return signings_visible_to(actor).filter(status=SigningStatus.INVITED, expires_at__gt=timezone.now())
