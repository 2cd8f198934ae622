"""快速审核 (seed 4.3.2, 档案 only): with one click a reviewer passes every application waiting for them whose
档案 goes back to the graduate's 生源地 — 转递类型 转回生源地 and 所在地 the graduate's 生源所在地.

It is the table's 审核通过 in set form (`gradreg.workflow.bulk.perform_set`): the same transitions, roles,
gates and audit chains, one transaction and a fixed number of statements however many pass. The
department's pass sends them to the school; the school's registers each one as `records.register` does
(the record 已登记 from the application, its version bumped, EMS's event under the key of that version,
the important-fields signal) and tells each graduate the result, all in bulk.
"""
from __future__ import annotations

from functools import partial
from types import SimpleNamespace

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from gradreg.accounts.models import User
from gradreg.common.errors import NotFound
from gradreg.common.roles import Role
from gradreg.ems.models import Graduate
from gradreg.ems.transfer_modules import INFO_COLUMNS, Module
from gradreg.ems.transfer_validation import type_code
from gradreg.roster.changes import IMPORTANT_TRANSFER_FIELDS, important_fields_changed, tell
from gradreg.workflow.bulk import movable, perform_set
from gradreg.workflow.models import OutboxEvent

from . import records
from .flows import APPLICATION
from .models import ApplicationStatus, ApplicationType, RecordSource, RecordState, TransferApplication, TransferRecord
from .selectors import applications_visible_to, ensure_staff

ACTION = "approve"
QUICK = {"quick_review": True}  # in each audit event: the pass was a 快速审核


def ensure_quick(actor, module: Module) -> None:
    """The module has 快速审核 (户口 has none: its pages answer as missing) and the actor reviews."""
    if not module.quick_review:
        raise NotFound(f"{module.title}没有快速审核功能。")
    ensure_staff(actor, module)


def quick_review_candidates(actor, module: Module) -> QuerySet[TransferApplication]:
    """The applications this reviewer's 审核通过 would move now (院系: 待院系审核, 学校: 待学校审核), in scope,
    of a valid graduate who may act, whose type is 转回生源地 and whose 所在地 is the graduate's 生源所在地."""
    ensure_quick(actor, module)
    qs = applications_visible_to(actor, module).filter(transfer_type=type_code(module, module.home_origin),
                                                       region=F("graduate__origin_region"))
    return movable(APPLICATION, actor, qs, ACTION)


def quick_review_count(actor, module: Module) -> int:
    """What the page announces before running: 将审核通过 N 条."""
    return quick_review_candidates(actor, module).count()


def quick_review(*, actor, module: Module, ip: str | None = None) -> int:
    """Pass every candidate at once; returns how many passed."""
    with transaction.atomic():
        qs = quick_review_candidates(actor, module)
        final = actor.role == Role.SCHOOL
        return perform_set(APPLICATION, actor=actor, qs=qs, action=ACTION, ip=ip, data=QUICK,
                           values={"decided_at": timezone.now()} if final else None,
                           effect=partial(register_set, module) if final else None,
                           notify=partial(notify_set, module) if final else None)


# ---- the school's pass, in set form ------------------------------------------------------------------------

GRADUATE_FIELDS = ("graduate_id", "graduate__exam_no", "graduate__department_id", "school_id", "apply_type")
HELD_FIELDS = ("graduate_id", "state", "version", "registered_at", *INFO_COLUMNS)


def register_set(module: Module, ids: list[int]) -> list[OutboxEvent]:
    """`records.register` of each approved application's info: the records upserted 已登记 (version + 1) in
    one statement, EMS's events returned for the outbox; the important-fields signal per changed record (when
    anything listens)."""
    apps = list(TransferApplication.objects.filter(pk__in=ids).values(*GRADUATE_FIELDS, *INFO_COLUMNS))
    held = {r["graduate_id"]: r for r in TransferRecord.objects.select_for_update().filter(
        kind=module.kind, graduate_id__in=[a["graduate_id"] for a in apps]).values(*HELD_FIELDS)}
    now = timezone.now()
    rows, before = [], {}
    for a in apps:
        old = held.get(a["graduate_id"])
        registered = old is not None and old["state"] == RecordState.REGISTERED
        before[a["graduate_id"]] = {n: old[n] for n in INFO_COLUMNS} if registered else {}
        rows.append(TransferRecord(
            graduate_id=a["graduate_id"], kind=module.kind, school_id=a["school_id"],
            department_id=a["graduate__department_id"], state=RecordState.REGISTERED, source=RecordSource.APPLICATION,
            registered_at=old["registered_at"] if registered else now, inactive_at=None,
            version=(old["version"] if old is not None else 0) + 1, **{n: a[n] for n in INFO_COLUMNS}))
    TransferRecord.objects.bulk_create(rows, update_conflicts=True, unique_fields=["graduate", "kind"],
                                       update_fields=[*INFO_COLUMNS, "department", "state", "source", "registered_at",
                                                      "inactive_at", "version", "updated_at"])
    listened = important_fields_changed.has_listeners(TransferRecord)
    events = []
    for a, record in zip(apps, rows, strict=True):
        graduate = Graduate(pk=a["graduate_id"], exam_no=a["graduate__exam_no"], school_id=a["school_id"],
                            department_id=a["graduate__department_id"]) if listened else \
            SimpleNamespace(pk=a["graduate_id"], exam_no=a["graduate__exam_no"])
        events.append(OutboxEvent(topic=module.topic, school_id=a["school_id"],
                                  idempotency_key=f"{module.item_type}:{record.pk}:v{record.version}",
                                  payload=records.payload(record, graduate)))
        if listened:
            was = before[a["graduate_id"]]
            tell(TransferRecord, graduate=graduate, item=record, kind=module.kind,
                 fields=[n for n in IMPORTANT_TRANSFER_FIELDS if was.get(n, "") != getattr(record, n)])
    return events


def notify_set(module: Module, ids: list[int]) -> list[dict]:
    """The result each graduate is told (as the table's notifier words it), their accounts read in one query."""
    apps = list(TransferApplication.objects.filter(pk__in=ids).values("pk", "graduate_id", "apply_type", "school_id"))
    accounts = {u.graduate_id: u for u in User.objects.filter(graduate_id__in=[a["graduate_id"] for a in apps])}
    status = ApplicationStatus.APPROVED.label
    return [{"recipient": accounts[a["graduate_id"]], "school_id": a["school_id"],
             "title": f"{module.info}{ApplicationType(a['apply_type']).label}申请：{status}", "body": "",
             "url_name": f"{module.url}:my_application", "url_args": [a["pk"]]}
            for a in apps if a["graduate_id"] in accounts]
