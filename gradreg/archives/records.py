"""A graduate's registered 档案/户口 info (`TransferRecord`): every write to it goes through here.

Whoever registers it — an approved application, the department's own entry or import, an approved
destination or signing, an edit in EMS — the record is locked, its info replaced, its version bumped;
EMS receives it (unless it came from EMS) under a key of that version; an important-field change is
told (`gradreg.roster.changes`) for 登记确认 and the 转递编号.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from gradreg.ems.models import DestinationSource, Graduate
from gradreg.ems.transfer_modules import INFO_COLUMNS, Module
from gradreg.roster.changes import IMPORTANT_TRANSFER_FIELDS, tell
from gradreg.workflow.models import OutboxEvent
from gradreg.workflow.tasks import schedule_delivery

from .models import RecordState, TransferRecord

Emit = Callable[[str, str, dict[str, Any]], None]


def emit_now(school_id: int) -> Emit:
    """An outbox writer for a write that is not a move (the engine's moves use `ctx.emit`)."""
    def emit(topic: str, key: str, payload: dict[str, Any]) -> None:
        OutboxEvent.objects.create(topic=topic, idempotency_key=key, payload=payload, school_id=school_id)
        schedule_delivery()
    return emit


def locked_record(graduate: Graduate, module: Module) -> TransferRecord:
    """The graduate's record of this module, locked (made 未登记 if there is none; callers hold the
    graduate's row, so two first writes cannot both make one)."""
    qs = TransferRecord.objects.select_for_update().filter(school_id=graduate.school_id, graduate_id=graduate.pk,
                                                            kind=module.kind)
    record = qs.first()
    if record is None:
        record = TransferRecord.objects.create(graduate=graduate, school_id=graduate.school_id,
                                               department_id=graduate.department_id, kind=module.kind)
    return record


def payload(record: TransferRecord, graduate: Graduate) -> dict[str, Any]:
    """What EMS receives: the graduate, the module, every info column, the version."""
    return {
        "graduate_id": graduate.pk, "exam_no": graduate.exam_no, "kind": record.kind,
        "source": DestinationSource.PLATFORM.label, "version": record.version,
        **{name: getattr(record, name) for name in INFO_COLUMNS},
    }


def register(record: TransferRecord, graduate: Graduate, module: Module, info: dict[str, str], *, source: str,
             emit: Emit | None) -> list[str]:
    """Replace the record's info and make it 已登记; EMS receives it through `emit` (None: it came from EMS).
    Returns the important fields that changed (all that are filled, for a first registration)."""
    fields = fill(record, graduate, info, source=source, now=timezone.now())
    record.save()
    if emit is not None:
        emit(module.topic, event_key(module, record), payload(record, graduate))
    tell_changed(record, graduate, module, fields)
    return fields


def fill(record: TransferRecord, graduate: Graduate, info: dict[str, str], *, source: str, now) -> list[str]:
    """The record made 已登记 with this info, its version bumped (not saved: `register` saves one, an import
    saves many at once). Returns the important fields that changed (all that are filled, for a first one)."""
    before = {name: getattr(record, name) for name in INFO_COLUMNS} if record.registered else {}
    for name in INFO_COLUMNS:
        setattr(record, name, info.get(name, ""))
    if not record.registered:
        record.registered_at = now
    record.state = RecordState.REGISTERED
    record.source = source
    record.inactive_at = None
    record.version += 1
    record.department_id = graduate.department_id
    record.updated_at = now
    return important_changes(before, info)


def important_changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The important fields whose value differs (`before` is {} for a record not registered yet)."""
    return [n for n in IMPORTANT_TRANSFER_FIELDS if before.get(n, "") != after.get(n, "")]


# a first registration's row, as `fill` makes a new record (an import writes thousands without an instance each)
FIRST_FIELDS = ("kind", *INFO_COLUMNS, "graduate_id", "school_id", "department_id", "state", "source", "registered_at",
                "updated_at", "inactive_at", "version")


def first_row(graduate: Any, school_id: int, module: Module, info: dict[str, str], *, source: str,
              now) -> tuple[Any, ...]:
    """The values of FIRST_FIELDS of the graduate's new record registered with this info (version 1)."""
    return (module.kind, *[info.get(name, "") for name in INFO_COLUMNS], graduate.pk, school_id,
            graduate.department_id, RecordState.REGISTERED, source, now, now, None, 1)


def event_key(module: Module, record: TransferRecord) -> str:
    """EMS's idempotency key of one version of the record."""
    return f"{module.item_type}:{record.pk}:v{record.version}"


def tell_changed(record: TransferRecord, graduate: Graduate, module: Module, fields: list[str]) -> None:
    """登记确认 and the 转递编号 learn of the important fields that changed."""
    tell(TransferRecord, graduate=graduate, item=record, kind=module.kind, fields=fields)


def mark_pending(record: TransferRecord) -> None:
    """A first application is in review: 审核中 (a registered record stays 已登记 while a 修改 is reviewed)."""
    if record.state == RecordState.NONE:
        record.state = RecordState.PENDING
        record.save(update_fields=["state", "updated_at"])


def release_pending(graduate_id: int, module: Module, school_id: int) -> None:
    """A first application ended without registering (不通过, 撤销, 失效): back to 未登记."""
    TransferRecord.objects.filter(school_id=school_id, graduate_id=graduate_id, kind=module.kind,
                                  state=RecordState.PENDING).update(state=RecordState.NONE, updated_at=timezone.now())


def follow_department(graduate: Graduate, changed: set[str]) -> None:
    """EMS moved the graduate to another department: their records go with them (an UPDATE_HOOKS hook; a
    move to another school is a new registration there, as every item's is)."""
    if "department" in changed:
        TransferRecord.objects.filter(school_id=graduate.school_id, graduate_id=graduate.pk).update(
            department_id=graduate.department_id)
