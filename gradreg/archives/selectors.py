"""Reads of 档案/户口 info and applications, always starting from the actor's scope and the module's roster."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, FilteredRelation, Q, QuerySet

from gradreg.accounts.scope import scope_q
from gradreg.common.errors import Forbidden, get_in_scope
from gradreg.common.roles import Role
from gradreg.ems.models import Graduate
from gradreg.ems.selectors import graduates_visible_to
from gradreg.ems.transfer_modules import Module
from gradreg.workflow.items import filter_items

from .models import APPLICATION_STATES, RecordState, TransferApplication, TransferRecord

SCOPE = dict(school="school", department="department", province="school__province", graduate="graduate")
STAFF = frozenset({Role.DEPARTMENT, Role.SCHOOL})
INVALID = "invalid"  # the application list's 失效 filter


def ensure_staff(actor, module: Module) -> None:
    if actor.role not in STAFF:
        raise Forbidden(f"只有院系、学校用户可以使用{module.title}。")


def ensure_graduate(actor) -> None:
    if actor.role != Role.GRADUATE or not actor.graduate_id:
        raise Forbidden("只有毕业生本人可以登记档案/户口信息。")


# ---- the module's roster and its registered info ------------------------------------------------------

def roster_of(actor, module: Module) -> QuerySet[Graduate]:
    """The graduates of this module this actor may see (the hukou module: 户口迁入学校 only)."""
    return graduates_visible_to(actor).filter(module.roster_q())


def module_graduate(actor, module: Module, graduate_id: Any, *, for_update: bool = False) -> Graduate:
    """One graduate of the module's roster in scope; NotFound otherwise (a graduate whose 户口 is not at the
    school is not on the 户口 module's roster: "不可使用该模块的相关功能")."""
    qs = roster_of(actor, module).select_related("school", "department", "major")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    return get_in_scope(qs, graduate_id, f"未找到该毕业生，或该毕业生不在{module.title}的学生名单中。")


def record_of(graduate_id: int, module: Module, school_id: int | None = None) -> TransferRecord | None:
    qs = TransferRecord.objects.filter(graduate_id=graduate_id, kind=module.kind)
    if school_id is not None:
        qs = qs.filter(school_id=school_id)
    return qs.first()


@dataclass
class InfoFilters:
    state: str = ""          # 登记状态: none / pending / registered, or "" (all)
    q: str = ""              # 姓名 (prefix), 考生号 or 学号
    department: int | None = None
    graduation_year: int | None = None
    transfer_type: str = ""


def info_search(actor, module: Module, f: InfoFilters) -> QuerySet[Graduate]:
    """档案/户口信息: every valid graduate of the module's roster with their 登记状态, roster order."""
    ensure_staff(actor, module)
    qs = roster_of(actor, module).filter(is_valid=True).annotate(
        rec=FilteredRelation("transfer_records", condition=Q(transfer_records__kind=module.kind)))
    if f.state == RecordState.NONE:
        qs = qs.filter(Q(rec__state__isnull=True) | Q(rec__state=RecordState.NONE))
    elif f.state:
        qs = qs.filter(rec__state=f.state)
    if f.transfer_type:
        qs = qs.filter(rec__transfer_type=f.transfer_type, rec__state=RecordState.REGISTERED)
    if f.department:
        qs = qs.filter(department_id=f.department)
    if f.graduation_year:
        qs = qs.filter(graduation_year=f.graduation_year)
    if f.q:
        term = f.q.strip()
        qs = qs.filter(Q(name=term) | Q(exam_no=term) | Q(student_no=term) | Q(name__startswith=term))
    return qs.order_by("-graduation_year", "exam_no")


INFO_LIST_FIELDS = ("id", "exam_no", "student_no", "name", "graduation_year", "origin_region")


def info_rows(qs: QuerySet) -> QuerySet:
    return qs.values(*INFO_LIST_FIELDS, department_name=F("department__name"), record_state=F("rec__state"),
                     record_type=F("rec__transfer_type"), record_unit=F("rec__unit_name"),
                     record_region=F("rec__region"), record_updated=F("rec__updated_at"))


# ---- applications ---------------------------------------------------------------------------------------

def applications_visible_to(actor, module: Module | None = None) -> QuerySet[TransferApplication]:
    if actor.role == Role.EMPLOYER:
        return TransferApplication.objects.none()
    qs = TransferApplication.objects.filter(scope_q(actor, **SCOPE))
    return qs.filter(kind=module.kind) if module is not None else qs


MISSING = "未找到该申请记录，或您无权查看。"


def application_get_for(actor, pk: Any, *, for_update: bool = False, module: Module | None = None
                         ) -> TransferApplication:
    """The workflow's scoped selector (either module, or only `module`'s): NotFound outside the actor's scope."""
    qs = applications_visible_to(actor, module)
    if for_update:
        qs = qs.select_for_update(of=("self",)).select_related("graduate")
    else:
        qs = qs.select_related("school", "department", "graduate")
    return get_in_scope(qs, pk, MISSING)


def module_application(actor, module: Module, pk: Any) -> TransferApplication:
    """An application of this module (another module's id answers as missing)."""
    return application_get_for(actor, pk, module=module)


@dataclass
class ApplicationFilters:
    status: str = ""          # a state, INVALID, or "" (all)
    apply_type: str = ""
    q: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    graduation_year: int | None = None


def application_search(actor, module: Module, f: ApplicationFilters) -> QuerySet[TransferApplication]:
    """申请记录: scoped, filtered on indexed columns, newest change first."""
    ensure_staff(actor, module)
    qs = applications_visible_to(actor, module)
    if f.status == INVALID:
        qs = qs.filter(graduate__is_valid=False)
    elif f.status:
        qs = qs.filter(status=f.status)
    if f.apply_type:
        qs = qs.filter(apply_type=f.apply_type)
    qs = filter_items(qs, q=f.q, date_from=f.date_from, date_to=f.date_to, graduation_year=f.graduation_year)
    return qs.order_by("-updated_at", "-id")


APPLICATION_LIST_FIELDS = (
    "id", "status", "apply_type", "graduate_name", "exam_no", "graduation_year", "transfer_type", "unit_name",
    "region", "updated_at", "last_reason", "kind",
)


def application_rows(qs: QuerySet) -> QuerySet:
    return qs.values(*APPLICATION_LIST_FIELDS, department_name=F("department__name"),
                     graduate_valid=F("graduate__is_valid"), origin_region=F("graduate__origin_region"))


def waiting_counts(actor, module: Module) -> list[tuple[str, str, int]]:
    """Home: applications of this module waiting for this reviewer, per state (an invalid graduate's wait for
    no one), zeros included, in one grouped query."""
    if actor.role not in STAFF:
        return []
    qs = applications_visible_to(actor, module).filter(graduate__is_valid=True)
    return APPLICATION_STATES.counts(qs, actor.role)


def open_application(graduate_id: int, module: Module, school_id: int | None = None) -> TransferApplication | None:
    qs = TransferApplication.objects.filter(graduate_id=graduate_id, kind=module.kind,
                                            status__in=APPLICATION_STATES.open_states())
    if school_id is not None:
        qs = qs.filter(school_id=school_id)
    return qs.first()


def mine(actor, module: Module) -> QuerySet[TransferApplication]:
    ensure_graduate(actor)
    return applications_visible_to(actor, module).order_by("-updated_at", "-id")
