"""Reads of EMS items, scoped to the actor."""
from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from gradreg.accounts.models import Role
from gradreg.accounts.scope import scope_filter
from gradreg.codes.loader import region_name
from gradreg.codes.shown import shown_details
from gradreg.common.errors import Forbidden, get_in_scope

from .models import DestinationSource, Graduate, ReportedDestination, RosterImport, TrainingModeChange


def ensure_ems_user(actor) -> None:
    """The EMS pages (roster upload and maintenance) are the school's."""
    if actor.role != Role.SCHOOL:
        raise Forbidden("就业管理系统仅对学校用户开放。")


# department users work in EMS too, within their department (seed 7); uploading the roster stays the school's
EMS_READERS = frozenset({Role.DEPARTMENT, Role.SCHOOL})


def ensure_ems_reader(actor) -> None:
    """The EMS home and graduate pages: department users for their department, schools for their school."""
    if actor.role not in EMS_READERS:
        raise Forbidden("就业管理系统仅对院系和学校用户开放。")


def graduates_visible_to(actor) -> QuerySet[Graduate]:
    return scope_filter(Graduate.objects.all(), actor, graduate="pk")


def graduates_search(actor, q: str = "") -> QuerySet[Graduate]:
    """The EMS roster as this user may see it, newest first; `q` matches 姓名, 考生号 or 学号."""
    qs = graduates_visible_to(actor).select_related("department", "major")
    q = q.replace("\x00", "").strip()[:50]
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(exam_no__contains=q) | Q(student_no__contains=q))
    return qs.order_by("-id")


def graduate_get_for(actor, pk: int, *, for_update: bool = False) -> Graduate:
    qs = graduates_visible_to(actor).select_related("school", "department", "major", "school__province")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    return get_in_scope(qs, pk, "未找到该毕业生，或您无权查看。")


def training_mode_changes_visible_to(actor) -> QuerySet[TrainingModeChange]:
    return scope_filter(TrainingModeChange.objects.all(), actor, graduate="graduate")


def training_mode_change_get_for(actor, pk: int, *, for_update: bool = False) -> TrainingModeChange:
    qs = training_mode_changes_visible_to(actor).select_related("graduate", "school", "department")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    return get_in_scope(qs, pk, "未找到该申请，或您无权查看。")


def roster_imports_visible_to(actor) -> QuerySet[RosterImport]:
    return scope_filter(RosterImport.objects.all(), actor, department=None)


def roster_import_get_for(actor, pk: int) -> RosterImport:
    return get_in_scope(roster_imports_visible_to(actor), pk, "未找到该导入记录，或您无权查看。")


def reported_destination(graduate_id: int) -> ReportedDestination | None:
    """The destination EMS holds for a graduate (system-level read: callers have scoped the graduate)."""
    return ReportedDestination.objects.filter(graduate_id=graduate_id).first()


# the details a held destination also keeps in columns of its own (shown once, with the columns)
_IN_COLUMNS = ("unit_name", "institution", "company_name", "credit_code", "unit_region", "work_region", "position",
               "paper_no")


def held_destination(graduate_id: int) -> dict[str, Any]:
    """What EMS holds for a graduate as pages show it (`snippets/ems_destination.html`): the record, whether
    the platform sent it (read-only in EMS, seed 7), its regions and its other details by name."""
    held = reported_destination(graduate_id)
    if held is None:
        return {"held": None}
    regions = [(label, region_name(code)) for label, code in (("单位所在地", held.employer_region),
                                                              ("工作地点", held.work_region)) if code]
    return {"held": held, "from_platform": held.source == DestinationSource.PLATFORM, "regions": regions,
            "details": shown_details(held.details, skip=_IN_COLUMNS)}
