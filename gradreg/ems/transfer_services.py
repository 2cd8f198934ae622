"""档案/户口 info in EMS (seed 4.3.1): department users (their department) and school users (their school) may
report or change a graduate's info directly in EMS, and the change flows back to the platform.

EMS holds its copy (`ReportedTransfer`); an edit here is validated by the one validator, audited on the copy's
chain, and sent to the platform through the outbox (`platform.transfer_updated`), which registers it there.
"""
from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F, FilteredRelation, Q, QuerySet
from django.utils import timezone

from gradreg.common.errors import DomainError, get_in_scope
from gradreg.workflow import audit
from gradreg.workflow.models import OutboxEvent
from gradreg.workflow.tasks import schedule_delivery

from .models import DestinationSource, Graduate, ReportedTransfer
from .selectors import ensure_ems_reader, graduates_visible_to
from .sync import TRANSFER_UPDATED
from .transfer_modules import INFO_COLUMNS, Module
from .transfer_validation import clean_info, info_of

TOPIC_UPDATED = TRANSFER_UPDATED  # EMS → platform
ITEM_TYPE = "ems_transfer"  # the audit chain of EMS's copy
# an edit made in EMS itself (the platform's "来源" of what EMS holds)
EMS_SOURCE = DestinationSource.EMS_UPLOAD


def transfer_roster(actor, module: Module) -> QuerySet[Graduate]:
    """The valid graduates of the module's roster this actor may see (户口: 户口迁入学校 only)."""
    ensure_ems_reader(actor)
    return graduates_visible_to(actor).filter(module.roster_q(), is_valid=True)


def transfer_search(actor, module: Module, q: str = "") -> QuerySet[Graduate]:
    """The list: each graduate with the info EMS holds of this module (none yet: empty), roster order."""
    qs = transfer_roster(actor, module).annotate(
        held=FilteredRelation("reported_transfers", condition=Q(reported_transfers__kind=module.kind)))
    q = q.replace("\x00", "").strip()[:50]
    if q:
        qs = qs.filter(Q(name__startswith=q) | Q(exam_no=q) | Q(student_no=q))
    return qs.order_by("-graduation_year", "exam_no", "id")


def transfer_rows(qs: QuerySet) -> QuerySet:
    return qs.values("id", "exam_no", "student_no", "name", "graduation_year", department_name=F("department__name"),
                     **{f"held_{name}": F(f"held__{name}") for name in INFO_COLUMNS},
                     held_source=F("held__source"), held_at=F("held__reported_at"))


def transfer_graduate(actor, module: Module, graduate_id: Any, *, for_update: bool = False) -> Graduate:
    """One graduate of the module's roster in the actor's scope; NotFound otherwise."""
    qs = transfer_roster(actor, module).select_related("department")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    return get_in_scope(qs, graduate_id, f"未找到该毕业生，或该毕业生不在{module.title}的学生名单中。")


def held_transfer(graduate: Graduate, module: Module, *, for_update: bool = False) -> ReportedTransfer | None:
    qs = ReportedTransfer.objects.filter(school_id=graduate.school_id, graduate=graduate, kind=module.kind)
    return (qs.select_for_update() if for_update else qs).first()


def transfer_update(*, actor, module: Module, graduate_id: Any, data: dict[str, Any],
                    ip: str | None = None) -> ReportedTransfer:
    """上报或修改 a graduate's info in EMS: validated, audited, and sent to the platform in the same transaction."""
    clean = clean_info(module, data)
    with transaction.atomic():
        graduate = transfer_graduate(actor, module, graduate_id, for_update=True)
        held = held_transfer(graduate, module, for_update=True)
        before = info_of(held) if held is not None else {}
        if held is not None and before == clean:
            raise DomainError(f"{module.info}没有变化。", code="unchanged")
        if held is None:
            held = ReportedTransfer(graduate=graduate, school_id=graduate.school_id, kind=module.kind)
        now = timezone.now()
        for name, value in clean.items():
            setattr(held, name, value)
        held.source = EMS_SOURCE
        held.reported_at = now
        held.save()
        changed = {n: [before.get(n, ""), clean[n]] for n in INFO_COLUMNS if before.get(n, "") != clean[n]}
        first = not before
        audit.record(item_type=ITEM_TYPE, item_id=held.pk, actor=actor, action="report" if first else "edit",
                     action_label=f"{'上报' if first else '修改'}{module.info}（就业管理系统）",
                     data={"kind": module.kind, "changes": changed}, ip=ip, school_id=graduate.school_id)
        OutboxEvent.objects.create(
            school_id=graduate.school_id, topic=TOPIC_UPDATED,
            idempotency_key=f"{ITEM_TYPE}:{held.pk}:{now.timestamp()}",
            payload={"graduate_id": graduate.pk, "exam_no": graduate.exam_no, "kind": module.kind, **clean,
                     "updated_by": actor.display_name or actor.username},
        )
        schedule_delivery()
        return held

