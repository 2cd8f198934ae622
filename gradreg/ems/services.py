"""Writes to the EMS roster and its training-mode change applications."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from gradreg.accounts.models import Role
from gradreg.codes.loader import code_map
from gradreg.common.errors import DomainError, Forbidden
from gradreg.workflow import audit, engine
from gradreg.workflow.items import graduate_scope
from gradreg.workflow.models import OutboxEvent
from gradreg.workflow.tasks import schedule_delivery

from .flows import TRAINING_MODE_CHANGE, TRAINING_MODE_STATES
from .models import Graduate, TrainingMode, TrainingModeChange
from .selectors import graduate_get_for
from .validation import field_problem, row_problems

# Other modules register what invalidation / restoration means for their items (e.g. pending
# archive applications become rejected; a restored signing is sent to EMS again). Each hook runs
# inside the invalidating / restoring transaction.
INVALIDATION_HOOKS: list[Callable[[Graduate, Any], None]] = []
# (graduate, changed field names): modules that copy the graduate's unit into their rows follow it
UPDATE_HOOKS: list[Callable[[Graduate, set[str]], None]] = []
RESTORATION_HOOKS: list[Callable[[Graduate, Any], None]] = []

EDITABLE_FIELDS = (
    "student_no", "name", "gender", "id_number", "ethnicity", "political_status", "education_level",
    "major", "department", "schooling_years", "directed_unit", "origin_region", "graduation_date",
    "phone", "email", "hukou_moved_to_school",
)

ROSTER_EDITORS = {Role.SCHOOL, Role.OPERATOR}


def _ensure_roster_editor(actor) -> None:
    if actor.role not in ROSTER_EDITORS:
        raise Forbidden("只有学校用户可以在就业管理系统中维护毕业生名单。")


@transaction.atomic
def graduate_update(*, actor, graduate_id: int, changes: dict[str, Any], ip: str | None = None) -> Graduate:
    """Edit basic info in EMS (school users). 培养方式 changes go through the province's approval."""
    _ensure_roster_editor(actor)
    graduate = graduate_get_for(actor, graduate_id, for_update=True)
    diff: dict[str, list[str]] = {}
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            raise DomainError(f"字段“{name}”不能在此修改。", field=name)
        problem = field_problem(name, value)
        if problem:
            raise DomainError(problem, field=name)
        old = getattr(graduate, name)
        if old != value:
            diff[name] = [str(old), str(value)]
            setattr(graduate, name, value)
    if not diff:
        return graduate
    if graduate.major.school_id != graduate.school_id or graduate.department.school_id != graduate.school_id:
        raise DomainError("院系和专业必须属于本校。", field="major")
    # the import's cross-column rules, for the fields this edit touches
    touched = set(diff) | ({"major"} if "department" in diff else set())
    for name, problem in row_problems(graduate):
        if name in touched:
            raise DomainError(problem, field=name)
    graduate.full_clean()
    graduate.save(update_fields=[*diff.keys(), "updated_at"])
    # full ID numbers stay out of the log: only which fields changed for those
    safe = {k: (v if k not in {"id_number", "phone", "email"} else ["***", "***"]) for k, v in diff.items()}
    audit.record(item_type="graduate", item_id=graduate.pk, actor=actor, action="edit", action_label="修改基本信息",
                 data={"changes": safe}, ip=ip, school_id=graduate.school_id)
    for hook in UPDATE_HOOKS:
        hook(graduate, set(diff))
    OutboxEvent.objects.create(
        school_id=graduate.school_id,
        topic="ems.graduate_updated",
        idempotency_key=f"graduate:{graduate.pk}:edit:{timezone.now().timestamp()}",
        payload={"graduate_id": graduate.pk, "fields": sorted(diff)},
    )
    return graduate


@transaction.atomic
def graduate_invalidate(*, actor, graduate_id: int, reason: str = "", ip: str | None = None) -> Graduate:
    """Delete a graduate from the roster: the platform keeps the record, frozen and invalid."""
    _ensure_roster_editor(actor)
    graduate = graduate_get_for(actor, graduate_id, for_update=True)
    if not graduate.is_valid:
        raise DomainError("该毕业生已失效。", code="already_invalid")
    graduate.is_valid = False
    graduate.invalidated_at = timezone.now()
    graduate.invalid_reason = reason.strip() or "已从就业管理系统名单中删除"
    graduate.save(update_fields=["is_valid", "invalidated_at", "invalid_reason", "updated_at"])
    for hook in INVALIDATION_HOOKS:
        hook(graduate, actor)
    audit.record(item_type="graduate", item_id=graduate.pk, actor=actor, action="invalidate",
                 action_label="从名单删除（失效）", reason=graduate.invalid_reason, ip=ip,
                 school_id=graduate.school_id)
    # EMS lets go of what the platform reported for this graduate; a restore sends it again
    OutboxEvent.objects.create(
        school_id=graduate.school_id,
        topic="ems.graduate_invalidated",
        idempotency_key=f"graduate:{graduate.pk}:invalidate:{graduate.invalidated_at.timestamp()}",
        payload={"graduate_id": graduate.pk, "exam_no": graduate.exam_no, "reason": graduate.invalid_reason},
    )
    schedule_delivery()
    return graduate


def restore_graduate(graduate: Graduate, actor, *, how: str, ip: str | None = None) -> None:
    """Bring an invalid graduate back at once, with every frozen signing/registration state."""
    graduate.is_valid = True
    graduate.restored_at = timezone.now()
    graduate.invalid_reason = ""
    graduate.invalidated_at = None
    graduate.save(update_fields=["is_valid", "restored_at", "invalid_reason", "invalidated_at", "updated_at"])
    for hook in RESTORATION_HOOKS:
        hook(graduate, actor)
    audit.record(item_type="graduate", item_id=graduate.pk, actor=actor, action="restore", action_label=how, ip=ip,
                 school_id=graduate.school_id)
    OutboxEvent.objects.create(
        school_id=graduate.school_id,
        topic="ems.graduate_restored",
        idempotency_key=f"graduate:{graduate.pk}:restore:{graduate.restored_at.timestamp()}",
        payload={"graduate_id": graduate.pk, "exam_no": graduate.exam_no},
    )
    schedule_delivery()


@transaction.atomic
def graduate_restore(*, actor, graduate_id: int, ip: str | None = None) -> Graduate:
    """恢复网签数据: restore one graduate explicitly."""
    _ensure_roster_editor(actor)
    graduate = graduate_get_for(actor, graduate_id, for_update=True)
    if graduate.is_valid:
        raise DomainError("该毕业生当前有效，无需恢复。", code="not_invalid")
    restore_graduate(graduate, actor, how="恢复网签数据", ip=ip)
    return graduate


def training_mode_change_request(
    *, actor, graduate_id: int, to_mode: str, directed_unit: str = "", reason: str, ip: str | None = None
) -> TrainingModeChange:
    graduate = graduate_get_for(actor, graduate_id)
    modes = code_map("pyfs")
    if to_mode not in modes:
        raise DomainError("请选择有效的培养方式。", field="to_mode")
    if to_mode == graduate.training_mode:
        raise DomainError("申请的培养方式与当前相同。", field="to_mode")
    if (to_mode in TrainingMode.NEEDS_UNIT) == (graduate.training_mode in TrainingMode.NEEDS_UNIT):
        # seed 3.9: the request is for graduates moving into or out of 定向/委培, nothing else
        raise DomainError("培养方式修改仅限转入或转出定向/委培：只能由非定向改为定向/委培，或由定向/委培改为非定向。",
                          code="mode_change_not_allowed", field="to_mode")
    if to_mode in TrainingMode.NEEDS_UNIT and not directed_unit.strip():
        raise DomainError("定向/委培培养方式须填写定向/委培单位。", field="directed_unit")
    if to_mode not in TrainingMode.NEEDS_UNIT:
        directed_unit = ""
    with transaction.atomic():
        change = engine.start(
            TRAINING_MODE_CHANGE,
            actor=actor,
            lock=graduate,
            action="request",
            reason=reason,
            ip=ip,
            fields={
                **graduate_scope(graduate),
                "from_mode": graduate.training_mode, "to_mode": to_mode, "directed_unit": directed_unit.strip(),
                "reason": reason.strip(), "created_by": actor,
            },
            data={"from": graduate.training_mode, "to": to_mode},
        )
        # checked after the graduate row is locked by start(): two requests cannot both be open
        others = TrainingModeChange.objects.filter(graduate=graduate, status__in=TRAINING_MODE_STATES.open_states())
        if others.exclude(pk=change.pk).exists():
            raise DomainError("该毕业生已有一条未完成的培养方式修改申请。", code="duplicate_open")
    return change


def training_mode_change_act(
    *, actor, change_id: int, action: str, reason: str = "", ip: str | None = None
) -> TrainingModeChange:
    return engine.perform(TRAINING_MODE_CHANGE, actor=actor, pk=change_id, action=action, reason=reason, ip=ip)
