"""转递编号 (seed 6.2): the school's and departments' codes for the 档案 and 户口 agencies, and when they go stale.

"批量生成/重新生成转递编号" (`generate`) gives every valid graduate of the user's scope who has a reported
destination (EMS holds a `ReportedDestination`; for 户口 only those on the hukou roster) a 转递编号 for that
sheet: a new code where there is none, a new code where the old one is stale; a current code is left as it
is, so a sheet already printed and handed over stays valid. 未就业 counts: an unemployed graduate's 档案 goes
back to the 生源地 and the agency there verifies it too. One run is a few statements whatever the number of
graduates (one SELECT of the targets, one bulk INSERT, one bulk UPDATE, the run and ONE audit event).

A code goes stale (`stale_at`, `stale_reason`) when an important field changes (`gradreg.roster.changes`):
a destination makes both sheets' codes stale, 档案/户口 info that sheet's; and when EMS's destination is
cleared (a void, a termination, an invalidation: `gradreg.ems.sync.CLEARED_HOOKS`). A stale code verifies
nothing until regenerated. Only school and department users see the codes; never the graduate.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, F, FilteredRelation, Q, QuerySet, Value, When
from django.db.models.functions import Concat, Substr
from django.utils import timezone

from gradreg.archives.models import RecordState
from gradreg.common import bulk
from gradreg.common.errors import Forbidden, Invalid, NotFound, get_in_scope
from gradreg.common.roles import Role
from gradreg.ems.models import Graduate
from gradreg.ems.selectors import graduates_visible_to
from gradreg.ems.transfer_modules import MODULES
from gradreg.organisations.models import Department
from gradreg.workflow import audit

from . import codeformat
from .models import SheetKind, TransferCode, TransferCodeRun

STAFF = frozenset({Role.DEPARTMENT, Role.SCHOOL})
ITEM_TYPE = "transfer_code_run"
ACTION, ACTION_LABEL = "generate", "批量生成/重新生成转递编号"
TITLES = {SheetKind.ARCHIVE.value: "档案信息转递列表", SheetKind.HUKOU.value: "户口信息转递列表"}
MISSING = "未找到该毕业生，或您无权查看。"

# 转递编号状态 as the lists show and filter it; "generated" (已生成) is a filter only: current or stale
NONE, CURRENT, STALE, GENERATED = "none", "current", "stale", "generated"
LABELS = {NONE: "未生成", CURRENT: "有效", STALE: "已失效"}
TONES = {NONE: "off", CURRENT: "ok", STALE: "bad"}
FILTER_CHOICES = ((NONE, "未生成"), (GENERATED, "已生成"), (CURRENT, "有效"), (STALE, "已失效"))
CHANGE_LABELS = {"destination": "毕业去向", "archive": "档案信息", "hukou": "户口信息"}
CLEARED = "cleared"  # stale_reason["fields"] of a destination EMS no longer holds


def ensure_staff(actor) -> None:
    if getattr(actor, "role", None) not in STAFF:
        raise Forbidden("只有学校、院系用户可以生成和查看转递编号。")


def clean_kind(kind: Any) -> str:
    if kind not in SheetKind.values:
        raise Invalid({"kind": ["信息表只能是档案（archive）或户口（hukou）。"]})
    return str(kind)


def clean_department(actor, department: Any) -> int | None:
    """The department a school user narrows a run or a list to (one of their school's); a department user's
    own department, whatever is asked (another one is refused as not found)."""
    if department in (None, ""):
        return actor.department_id if actor.role == Role.DEPARTMENT else None
    try:
        pk = int(department)
    except (TypeError, ValueError):
        raise Invalid({"department": ["院系无效。"]}) from None
    if actor.role == Role.DEPARTMENT:
        if pk != actor.department_id:
            raise NotFound("未找到该院系，或您无权操作。")
        return pk
    if not Department.objects.filter(pk=pk, school_id=actor.school_id).exists():
        raise NotFound("未找到该院系，或您无权操作。")
    return pk


# ---- who gets a code ---------------------------------------------------------------------------------------

def targets(actor, kind: str) -> QuerySet[Graduate]:
    """The valid graduates of the user's scope with a reported destination (户口: on the hukou roster), each
    with its code of this sheet joined (`tc`, a LEFT JOIN) and its 转递编号状态 (`code_status`)."""
    ensure_staff(actor)
    return (graduates_visible_to(actor)
            .filter(MODULES[kind].roster_q(), is_valid=True, reported_destination__isnull=False)
            .annotate(tc=FilteredRelation("transfer_codes", condition=Q(transfer_codes__kind=kind)))
            .annotate(code_status=Case(When(tc__id__isnull=True, then=Value(NONE)),
                                       When(tc__stale_at__isnull=False, then=Value(STALE)),
                                       default=Value(CURRENT), output_field=CharField())))


# ---- 批量生成/重新生成 ----------------------------------------------------------------------------------------

def generate(actor, kind: Any, *, department: Any = None, ip: str | None = None) -> TransferCodeRun:
    """批量生成/重新生成转递编号 for one sheet over the user's scope (a school user may name one department).

    New codes where there are none, renewed codes where they are stale; current codes untouched. A unique
    clash of two random 80-bit codes (or a run racing another for the same graduate) fails the statement:
    the whole run is tried once more."""
    ensure_staff(actor)
    kind = clean_kind(kind)
    department_id = clean_department(actor, department)
    try:
        return _generate(actor, kind, department_id, ip)
    except IntegrityError:
        return _generate(actor, kind, department_id, ip)


@transaction.atomic
def _generate(actor, kind: str, department_id: int | None, ip: str | None) -> TransferCodeRun:
    qs = targets(actor, kind)
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    wanted = list(qs.exclude(code_status=CURRENT).order_by()
                  .values_list("pk", "school_id", "department_id", "tc__id"))
    now = timezone.now()
    new_code, new_token = codeformat.new_code, codeformat.new_qr_token
    fresh = [(pk, kind, school_id, dept_id, new_code(), new_token(), now, now, None, {})
             for pk, school_id, dept_id, tc_id in wanted if tc_id is None]
    renewed = [(tc_id, dept_id, new_code(), new_token(), now, None, {})
               for pk, school_id, dept_id, tc_id in wanted if tc_id is not None]
    bulk.insert_rows(TransferCode, ("graduate_id", "kind", "school_id", "department_id", "code", "qr_token",
                                    "generated_at", "updated_at", "stale_at", "stale_reason"), fresh)
    bulk.update_rows(TransferCode, ("department_id", "code", "qr_token", "updated_at", "stale_at", "stale_reason"),
                     renewed)
    run = TransferCodeRun.objects.create(school_id=actor.school_id, department_id=department_id, kind=kind,
                                         actor=actor, created=len(fresh), renewed=len(renewed))
    # the counts only: a code is never written into the audit log
    audit.record(item_type=ITEM_TYPE, item_id=run.pk, actor=actor, action=ACTION, action_label=ACTION_LABEL,
                 data={"kind": kind, "department": department_id, "created": run.created, "renewed": run.renewed},
                 ip=ip, school_id=run.school_id)
    return run


def run_message(run: TransferCodeRun) -> str:
    if not run.created and not run.renewed:
        return "没有需要生成的转递编号：范围内已上报毕业去向的毕业生的转递编号均有效。"
    return f"已生成{TITLES[run.kind][:2]}转递编号：新生成 {run.created} 个，重新生成 {run.renewed} 个。"


# ---- staleness ---------------------------------------------------------------------------------------------

def kinds_of(change: str) -> list[str]:
    """The sheets a change touches: a destination is on both, 档案/户口 info on its own."""
    return list(SheetKind.values) if change == "destination" else [change] if change in SheetKind.values else []


def mark_stale(change: str, changes: Iterable[tuple[int, Iterable[str]]], school_id: int | None = None) -> int:
    """Current codes of these graduates' sheets touched by the change go stale: one UPDATE per distinct set of
    changed fields (a signal of one graduate, or of a whole batch import: one). Returns how many."""
    kinds = kinds_of(change)
    by_fields: dict[tuple[str, ...], list[int]] = {}
    for graduate_id, fields in changes:
        by_fields.setdefault(tuple(sorted(set(fields))), []).append(graduate_id)
    if not kinds or not by_fields:
        return 0
    now, n = timezone.now(), 0
    base = TransferCode.objects.filter(school_id=school_id) if school_id is not None else TransferCode.objects
    for fields, ids in by_fields.items():
        n += (base.filter(bulk.one_of("graduate_id", ids), kind__in=kinds, stale_at__isnull=True)
              .update(stale_at=now, stale_reason={"kind": change, "fields": list(fields)}))
    return n


def on_destination_cleared(graduate: Graduate) -> None:
    """EMS no longer holds the graduate's destination (a CLEARED_HOOKS hook): both sheets' codes go stale."""
    mark_stale("destination", [(graduate.pk, [CLEARED])], graduate.school_id)


def stale_text(reason: dict) -> str:
    """Why a code went stale, in words."""
    change = CHANGE_LABELS.get(reason.get("kind", ""), "信息")
    if CLEARED in reason.get("fields", []):
        return "就业管理系统中的毕业去向已清除（解约、作废或失效）"
    return f"{change}的重要字段已变更"


# ---- the lists ---------------------------------------------------------------------------------------------

@dataclass
class Filters:
    status: str = ""
    updated_from: dt.date | None = None
    updated_to: dt.date | None = None
    q: str = ""
    graduation_year: int | None = None
    department: int | None = None


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def search(actor, kind: str, f: Filters) -> QuerySet[Graduate]:
    qs = targets(actor, clean_kind(kind))
    if f.status == GENERATED:
        qs = qs.filter(tc__id__isnull=False)
    elif f.status in LABELS:
        qs = qs.filter(code_status=f.status)
    if f.updated_from:
        qs = qs.filter(tc__updated_at__gte=_day_start(f.updated_from))
    if f.updated_to:
        qs = qs.filter(tc__updated_at__lt=_day_start(f.updated_to + dt.timedelta(days=1)))
    if f.graduation_year:
        qs = qs.filter(graduation_year=f.graduation_year)
    if f.department and actor.role == Role.SCHOOL:
        qs = qs.filter(department_id=f.department)
    term = (f.q or "").replace("\x00", "").strip()[:50]
    if term:
        qs = qs.filter(Q(name=term) | Q(exam_no=term) | Q(name__startswith=term))
    return qs.order_by("-graduation_year", "exam_no", "id")


def grouped_code() -> Concat:
    """The current code as printed (K7QF-9XM2-C4TR-HW8N), empty when none or stale: in SQL, for the export."""
    parts: list[Any] = []
    for i in range(0, codeformat.LENGTH, codeformat.GROUP):
        if parts:
            parts.append(Value("-"))
        parts.append(Substr("tc__code", i + 1, codeformat.GROUP))
    return Case(When(code_status=CURRENT, then=Concat(*parts, output_field=CharField())), default=Value(""),
                output_field=CharField())


def with_records(qs: QuerySet, kind: str) -> QuerySet:
    """The graduates with their registered 档案/户口 record of this sheet joined (`tr`), for the export."""
    return qs.annotate(tr=FilteredRelation("transfer_records", condition=Q(
        transfer_records__kind=kind, transfer_records__state=RecordState.REGISTERED)), code_shown=grouped_code())


LIST_FIELDS = ("id", "exam_no", "name", "graduation_year", "code_status")


def rows(qs: QuerySet) -> QuerySet:
    return qs.values(*LIST_FIELDS, department_name=F("department__name"),
                     destination=F("reported_destination__destination"), subtype=F("reported_destination__subtype"),
                     code=F("tc__code"), code_updated=F("tc__updated_at"))


def decorate(rows_: list[dict], user) -> None:
    for r in rows_:
        status = r["code_status"]
        r["status_label"], r["status_class"] = LABELS[status], TONES[status]
        # a stale code verifies nothing: the list shows only a current one
        r["code_shown"] = codeformat.grouped(r["code"]) if status == CURRENT else ""
        r["destination"] = r["subtype"] or r["destination"] or ""


# ---- one graduate ------------------------------------------------------------------------------------------

def staff_graduate(actor, graduate_id: Any) -> Graduate:
    """One graduate of the staff user's scope (NotFound otherwise, as for a missing id)."""
    ensure_staff(actor)
    return get_in_scope(graduates_visible_to(actor).select_related("school", "department", "major"), graduate_id,
                        MISSING)


def code_of(graduate: Graduate, kind: str) -> TransferCode | None:
    return TransferCode.objects.filter(school_id=graduate.school_id, graduate_id=graduate.pk, kind=kind).first()


def status_of(tc: TransferCode | None) -> str:
    return NONE if tc is None else STALE if tc.stale_at is not None else CURRENT
