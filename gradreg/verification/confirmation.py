"""登记确认 (seed 5, SPEC 4.8): reads and writes of a graduate's confirmation of their registered information.

The 登记确认状态 is read, not kept: 未上报 while EMS holds no destination for the graduate (no
`ReportedDestination`), whatever was confirmed before (a void or a termination clears EMS's copy and no signal
tells us); otherwise the stored `Confirmation.status`, or 未确认 when the graduate never confirmed. A lists'
status is one CASE over two LEFT JOINs, so lists, filters and statistics stay a fixed number of queries.

The graduate writes 确认无误 / 确认有误 (with a description); an important change of a destination, 档案 or
户口 info (`gradreg.roster.changes`) sends 确认无误 / 确认有误 back to 未确认. Each write keeps a
`ConfirmationRecord` and an audit event (item type "confirmation").
"""
from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.utils import timezone

from gradreg.archives.models import RecordState, TransferRecord
from gradreg.common import registries as reg
from gradreg.common.errors import Conflict, Forbidden, Invalid, get_in_scope
from gradreg.common.roles import Role
from gradreg.ems.models import DestinationSource, Graduate, ReportedDestination
from gradreg.ems.selectors import graduates_visible_to, held_destination
from gradreg.ems.transfer_modules import MODULES
from gradreg.ems.transfer_validation import info_of, shown_rows
from gradreg.roster.gates import ensure_graduate_can_act
from gradreg.workflow import audit

from .models import (
    Confirmation,
    ConfirmationAction,
    ConfirmationRecord,
    ConfirmationStatus,
    TransferCode,
    VerificationGrant,
)

CS = ConfirmationStatus
ITEM_TYPE = "confirmation"
STAFF = frozenset({Role.DEPARTMENT, Role.SCHOOL})
DESCRIPTION_MAX = 500
TONES = {CS.NOT_REPORTED: "off", CS.UNCONFIRMED: "wait", CS.CORRECT: "ok", CS.WRONG: "bad"}
LABELS = dict(CS.choices)
KIND_LABELS = {"destination": "毕业去向", "archive": "档案信息", "hukou": "户口信息"}
MISSING = "未找到该毕业生，或您无权查看。"
# called as hook(confirmation, status) after each 确认无误 / 确认有误, in its transaction (核验授权 ends on 确认有误)
CONFIRMED_HOOKS: list[Callable[[Confirmation, str], None]] = []


def ensure_staff(actor) -> None:
    if actor.role not in STAFF:
        raise Forbidden("只有院系、学校用户可以查看登记确认信息。")


def ensure_graduate(actor) -> None:
    if actor.role != Role.GRADUATE or not actor.graduate_id:
        raise Forbidden("只有毕业生本人可以进行登记确认。")


def status_of(reported: bool, stored: str | None) -> str:
    """The 登记确认状态 of a graduate: EMS first, then what the graduate said (None: never confirmed)."""
    if not reported:
        return CS.NOT_REPORTED
    return stored or CS.UNCONFIRMED


def status_expression() -> Case:
    """`status_of` in SQL over a Graduate queryset (LEFT JOINs to EMS's destination and the confirmation)."""
    return Case(When(reported_destination__isnull=True, then=Value(CS.NOT_REPORTED.value)),
                When(confirmation__status__isnull=False, then=F("confirmation__status")),
                default=Value(CS.UNCONFIRMED.value), output_field=CharField())


# ---- what the graduate confirms ---------------------------------------------------------------------------

def destination_rows(ems: dict[str, Any]) -> list[tuple[str, str]]:
    """EMS's destination (`held_destination`) as (label, value) rows: what a confirmation keeps."""
    held = ems.get("held")
    if held is None:
        return []
    rows = [("毕业去向", held.destination), ("具体去向", held.subtype), ("单位（院校）名称", held.employer_name),
            ("统一社会信用代码", held.credit_code), *ems["regions"], ("工作职位", held.position),
            ("协议书编号", held.agreement_no), *ems["details"]]
    return [(label, str(value)) for label, value in rows if value]


def transfer_sections(graduate: Graduate) -> list[dict[str, Any]]:
    """档案 and 户口 info as registered (each module the graduate is on), in two queries at most."""
    records = {r.kind: r for r in TransferRecord.objects.filter(school_id=graduate.school_id, graduate_id=graduate.pk)}
    sections = []
    for m in MODULES.values():
        if not m.on_roster(graduate):
            continue
        record = records.get(m.kind)
        registered = record is not None and record.state == RecordState.REGISTERED
        sections.append({"kind": m.kind, "title": m.info,
                         "rows": shown_rows(m, info_of(record)) if registered else []})
    return sections


def snapshot(ems: dict[str, Any], sections: list[dict[str, Any]]) -> dict[str, Any]:
    return {"destination": [list(r) for r in destination_rows(ems)],
            **{s["kind"]: [list(r) for r in s["rows"]] for s in sections}}


@dataclass
class Overview:
    """One graduate's confirmation as the pages and the API show it."""

    graduate: Graduate
    status: str
    confirmation: Confirmation | None
    ems: dict[str, Any]
    sections: list[dict[str, Any]]

    @property
    def status_label(self) -> str:
        return LABELS[self.status]

    @property
    def status_class(self) -> str:
        return TONES[self.status]

    @property
    def description(self) -> str:
        return self.confirmation.description if self.confirmation and self.status == CS.WRONG else ""

    @property
    def reported(self) -> bool:
        return self.status != CS.NOT_REPORTED

    def records(self, limit: int = 50) -> list[ConfirmationRecord]:
        if self.confirmation is None:
            return []
        return list(ConfirmationRecord.objects.filter(confirmation=self.confirmation,
                                                      school_id=self.graduate.school_id)[:limit])


def overview(graduate: Graduate) -> Overview:
    ems = held_destination(graduate.pk)
    confirmation = Confirmation.objects.filter(school_id=graduate.school_id, graduate_id=graduate.pk).first()
    status = status_of(ems["held"] is not None, confirmation.status if confirmation else None)
    return Overview(graduate, status, confirmation, ems, transfer_sections(graduate))


def my_graduate(actor) -> Graduate:
    ensure_graduate(actor)
    return Graduate.objects.select_related("school", "department").get(pk=actor.graduate_id)


def may_confirm(o: Overview) -> bool:
    """The two buttons: a destination is reported, and the graduate may act (valid, within the window)."""
    try:
        ensure_graduate_can_act(o.graduate)
    except Exception:  # noqa: BLE001 - the gate's refusals are DomainErrors; the page only hides the buttons
        return False
    return o.reported


# ---- the graduate's confirmation ---------------------------------------------------------------------------

def clean_description(raw: Any) -> str:
    """确认有误's description: required, at most 500 characters, no control characters (line breaks allowed);
    refused by field, never silently changed."""
    text = raw if isinstance(raw, str) else ""
    if not text.strip():
        raise Invalid({"description": ["请填写有误的具体内容。"]})
    if len(text) > DESCRIPTION_MAX:
        raise Invalid({"description": [f"有误说明最多{DESCRIPTION_MAX}个字符。"]})
    if any(unicodedata.category(c) == "Cc" and c not in "\r\n\t" for c in text):
        raise Invalid({"description": ["有误说明不能含不可见的控制字符。"]})
    return text.strip()


@transaction.atomic
def confirm(*, actor, correct: bool, description: Any = "", ip: str | None = None) -> Confirmation:
    """确认无误, or 确认有误 with the graduate's description of what is wrong."""
    ensure_graduate(actor)
    text = "" if correct else clean_description(description)
    graduate = (Graduate.objects.select_for_update(of=("self",)).select_related("school", "department")
                .get(pk=actor.graduate_id))
    ensure_graduate_can_act(graduate)
    o = overview(graduate)
    if not o.reported:
        raise Conflict("就业管理系统中暂无您的毕业去向（未上报），暂不能进行登记确认。")
    target = CS.CORRECT if correct else CS.WRONG
    if target == CS.CORRECT and o.status == CS.CORRECT:
        raise Conflict("您已确认无误，无需重复确认。")
    before = o.status
    c = o.confirmation or Confirmation(graduate=graduate)
    c.school_id, c.department_id = graduate.school_id, graduate.department_id
    c.status, c.description, c.confirmed_at = target, text, timezone.now()
    c.save()
    action = ConfirmationAction.CONFIRM_OK if correct else ConfirmationAction.CONFIRM_WRONG
    rec = ConfirmationRecord.objects.create(confirmation=c, school_id=c.school_id, action=action, status=target,
                                            description=text, snapshot=snapshot(o.ems, o.sections))
    audit.record(item_type=ITEM_TYPE, item_id=c.pk, actor=actor, action=action, action_label=action.label,
                 from_state=before, to_state=target, reason=text, data={"record": rec.pk}, ip=ip,
                 school_id=c.school_id)
    for hook in CONFIRMED_HOOKS:
        hook(c, target)
    return c


# ---- resets on important changes ---------------------------------------------------------------------------

def reset(kind: str, changes: Iterable[tuple[int, Iterable[str]]], school_id: int | None = None) -> int:
    """确认无误 / 确认有误 back to 未确认 for each (graduate id, changed fields) of one kind, with a record and
    an audit event each; graduates never confirmed (or already 未确认) are left alone. Runs in the change's
    transaction; a few statements whatever the number of graduates. Given the graduates' school (one change),
    every statement stays on its shard; a batch's reads name the graduates alone (docs/confirmation.md)."""
    fields_of: dict[int, list[str]] = {}
    for graduate_id, fields in changes:
        fields_of.setdefault(graduate_id, [])
        fields_of[graduate_id] = sorted({*fields_of[graduate_id], *fields})
    if not fields_of:
        return 0
    with transaction.atomic(savepoint=False):
        scoped = Confirmation.objects.filter(school_id=school_id) if school_id is not None else Confirmation.objects
        confirmed = list(scoped.select_for_update()
                         .filter(graduate_id__in=list(fields_of), status__in=(CS.CORRECT, CS.WRONG))
                         .order_by("pk").only("pk", "graduate_id", "school_id", "status"))
        if not confirmed:
            return 0
        Confirmation.objects.filter(school_id__in={c.school_id for c in confirmed},
                                    pk__in=[c.pk for c in confirmed]).update(
            status=CS.UNCONFIRMED, description="", updated_at=timezone.now())
        label = ConfirmationAction.RESET.label
        ConfirmationRecord.objects.bulk_create([
            ConfirmationRecord(confirmation_id=c.pk, school_id=c.school_id, action=ConfirmationAction.RESET,
                               status=CS.UNCONFIRMED, changed={"kind": kind, "fields": fields_of[c.graduate_id]})
            for c in confirmed])
        audit.record_many([
            {"item_type": ITEM_TYPE, "item_id": c.pk, "school_id": c.school_id, "action": ConfirmationAction.RESET,
             "action_label": label, "from_state": c.status, "to_state": CS.UNCONFIRMED,
             "reason": f"{KIND_LABELS.get(kind, kind)}的重要字段已变更",
             "data": {"kind": kind, "fields": fields_of[c.graduate_id]}}
            for c in confirmed], actor=None)
    return len(confirmed)


def follow_department(graduate: Graduate, changed: set[str]) -> None:
    """EMS moved the graduate to another department: the copies kept by 登记确认, the 核验授权 and the 转递编号
    follow (an UPDATE_HOOKS hook)."""
    if "department" in changed:
        for model in (Confirmation, VerificationGrant, TransferCode):
            model.objects.filter(school_id=graduate.school_id, graduate_id=graduate.pk).update(
                department_id=graduate.department_id)


# ---- staff reads -------------------------------------------------------------------------------------------

@dataclass
class Filters:
    status: str = ""
    q: str = ""
    graduation_year: int | None = None
    department: int | None = None


def graduates_of(actor) -> QuerySet[Graduate]:
    """The valid graduates in the staff user's scope, each with its 登记确认状态 (`confirm_status`)."""
    ensure_staff(actor)
    return graduates_visible_to(actor).filter(is_valid=True).annotate(confirm_status=status_expression())


def search(actor, f: Filters) -> QuerySet[Graduate]:
    return narrow(graduates_of(actor), f, "confirm_status")


def narrow(qs: QuerySet[Graduate], f: Filters, status_field: str) -> QuerySet[Graduate]:
    """A graduates' list filtered (its status annotation named `status_field`) and in the lists' order."""
    if f.status:
        qs = qs.filter(**{status_field: f.status})
    if f.graduation_year:
        qs = qs.filter(graduation_year=f.graduation_year)
    if f.department:
        qs = qs.filter(department_id=f.department)
    term = (f.q or "").strip()
    if term:
        qs = qs.filter(Q(name=term) | Q(exam_no=term) | Q(name__startswith=term))
    return qs.order_by("-graduation_year", "exam_no")


LIST_FIELDS = ("id", "exam_no", "name", "graduation_year", "confirm_status")


def rows(qs: QuerySet) -> QuerySet:
    return qs.values(*LIST_FIELDS, department_name=F("department__name"), source=F("reported_destination__source"),
                     destination=F("reported_destination__destination"), description=F("confirmation__description"),
                     confirmed_at=F("confirmation__confirmed_at"))


def decorate(rows_: list[dict], user) -> None:
    sources = dict(DestinationSource.choices)
    for r in rows_:
        status = r["confirm_status"]
        r["status_label"], r["status_class"] = LABELS[status], TONES[status]
        r["source_label"] = sources.get(r["source"], "") if r["source"] else ""
        r["description"] = r["description"] if status == CS.WRONG else ""
        r["destination"] = r["destination"] or ""


def staff_graduate(actor, graduate_id: Any) -> Graduate:
    """One graduate of the staff user's scope (NotFound otherwise, as for a missing id)."""
    ensure_staff(actor)
    qs = graduates_visible_to(actor).select_related("school", "department", "major")
    return get_in_scope(qs, graduate_id, MISSING)


STATUSES = (CS.NOT_REPORTED, CS.UNCONFIRMED, CS.CORRECT, CS.WRONG)
SOURCES = tuple(DestinationSource)


def statistics(actor, graduation_year: int | None = None) -> dict[str, Any]:
    """登记确认情况统计: per 毕业生信息来源 (EMS's destination's source; none: 未上报) and per department, the
    count of each status, in one grouped query."""
    qs = graduates_of(actor)
    if graduation_year:
        qs = qs.filter(graduation_year=graduation_year)
    grouped = (qs.order_by().values("department_id", "department__name", "confirm_status",
                                    source=F("reported_destination__source"))
               .annotate(n=Count("pk")))
    zero = dict.fromkeys(STATUSES, 0)
    by_source = {s: dict(zero) for s in SOURCES}
    by_department: dict[int, dict[str, Any]] = {}
    totals = dict(zero)
    for g in grouped:
        status, n = g["confirm_status"], g["n"]
        totals[status] += n
        if g["source"] in by_source:
            by_source[g["source"]][status] += n
        d = by_department.setdefault(g["department_id"], {"name": g["department__name"], **zero})
        d[status] += n
    return {
        "statuses": [(s, LABELS[s]) for s in STATUSES],
        "by_source": [{"source": s.value, "label": s.label, "counts": [c[k] for k in STATUSES],
                       "total": sum(c.values())} for s, c in by_source.items()],
        "by_department": [{"name": d["name"], "counts": [d[k] for k in STATUSES], "total": sum(d[k] for k in STATUSES)}
                          for d in sorted(by_department.values(), key=lambda d: d["name"])],
        "totals": [totals[k] for k in STATUSES], "total": sum(totals.values()),
    }


# ---- shared pages ------------------------------------------------------------------------------------------

def graduate_panel(user) -> dict | None:
    """The graduate's home: their 登记确认状态 and the link (two small queries)."""
    if user.role != Role.GRADUATE or not user.graduate_id:
        return None
    graduate = Graduate.objects.filter(pk=user.graduate_id).only("school_id").first()
    if graduate is None:
        return None
    reported = ReportedDestination.objects.filter(school_id=graduate.school_id, graduate_id=graduate.pk).exists()
    stored = (Confirmation.objects.filter(school_id=graduate.school_id, graduate_id=graduate.pk)
              .values_list("status", flat=True).first())
    status = status_of(reported, stored)
    return {"status_label": LABELS[status], "status_class": TONES[status],
            "may_confirm": status in (CS.UNCONFIRMED, CS.WRONG)}


def register_pages() -> None:
    """The module's entry of 选择功能模块, its menu and the graduate's home panel."""
    graduate = frozenset({Role.GRADUATE})
    reg.register_module(reg.ModuleEntry("confirmation", "登记确认信息", "管理毕业生去向登记确认信息",
                                        STAFF | graduate, "confirmation:home", 40))
    reg.register_nav(
        reg.NavEntry("confirmation", "list", "登记确认情况列表", "confirmation:list", 10, active="list", roles=STAFF),
        reg.NavEntry("confirmation", "statistics", "登记确认情况统计", "confirmation:statistics", 20,
                     active="statistics", roles=STAFF),
        reg.NavEntry("confirmation", "mine", "我的登记确认", "confirmation:mine", 10, active="mine", roles=graduate),
    )
    reg.register_panel(reg.HomePanel(reg.GRADUATE_HOME, "confirmation", "verification/_confirmation_panel.html",
                                     graduate_panel, 40))
