"""Writes of 档案/户口 info: every page, API operation, import and command calls these, which call the
engine (applications) or `records` (the registered info)."""
from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from gradreg.common.errors import Conflict, DomainError, Forbidden
from gradreg.ems.models import Graduate
from gradreg.ems.transfer_modules import INFO_COLUMNS, Module
from gradreg.ems.transfer_validation import clean_info, info_of
from gradreg.roster.gates import ensure_graduate_can_act
from gradreg.workflow import audit, engine
from gradreg.workflow.items import graduate_scope

from . import records
from .flows import APPLICATION, module_workflow
from .models import ApplicationType, RecordSource, RecordState, TransferApplication, TransferRecord
from .selectors import (
    STAFF,
    application_get_for,
    ensure_graduate,
    module_application,
    module_graduate,
    open_application,
    record_of,
)

DATA_ACTIONS = frozenset({"submit", "amend", "edit"})  # these carry info: their own services


def _not_on_roster(module: Module) -> Conflict:
    return Conflict(f"您的户口未迁入学校，不在{module.title}的学生名单中，不能使用该模块的功能。", code="not_on_roster")


def submit(*, actor, module: Module, data: dict[str, Any], ip: str | None = None) -> TransferApplication:
    """The graduate applies: 登记 the first time, 修改 once registered (one open application per module)."""
    ensure_graduate(actor)
    graduate = Graduate.objects.select_related("school", "department").get(pk=actor.graduate_id)
    if not module.on_roster(graduate):
        raise _not_on_roster(module)
    ensure_graduate_can_act(graduate)
    clean = clean_info(module, data)
    held = open_application(graduate.pk, module, graduate.school_id)
    if held is not None:
        raise Conflict(f"您已有一份{module.info}申请（{held.get_status_display()}），请在审核完成前修改该申请。",
                       code="open_application")
    record = record_of(graduate.pk, module, graduate.school_id)
    apply_type = ApplicationType.MODIFY if record is not None and record.registered else ApplicationType.REGISTER
    if apply_type == ApplicationType.MODIFY and clean == info_of(record):
        raise DomainError(f"{module.info}没有变化。", code="unchanged")
    fields = {**clean, **graduate_scope(graduate), "kind": module.kind, "apply_type": apply_type,
              "created_by": actor}
    try:
        with transaction.atomic():
            return engine.start(APPLICATION, actor=actor, lock=graduate, action="submit", fields=fields, ip=ip)
    except IntegrityError:  # a concurrent second application the lock did not see: the partial unique index
        raise Conflict(f"您已有一份{module.info}申请正在审核，请勿重复提交。", code="open_application") from None


def _changes(item, clean: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in clean.items() if getattr(item, name) != value}


def amend(*, actor, module: Module, pk: int, data: dict[str, Any], ip: str | None = None) -> TransferApplication:
    """修改申请: the graduate changes the application while neither 院系 nor 学校 has reviewed it."""
    item = module_application(actor, module, pk)
    changes = _changes(item, clean_info(module, data))
    if not changes:
        raise DomainError(f"{module.info}没有变化。", code="unchanged")
    return engine.perform(APPLICATION, actor=actor, pk=pk, action="amend", data={"changes": changes,
                          "changed": dict(changes)}, ip=ip)


def reviewer_edit(*, actor, module: Module, pk: int, data: dict[str, Any], reason: str = "",
                  ip: str | None = None) -> TransferApplication:
    """修改信息 on an application waiting for this reviewer (recorded as theirs; the graduate is told)."""
    item = module_application(actor, module, pk)
    if actor.role not in STAFF:
        raise Forbidden("只有院系、学校审核人员可以修改申请信息。")
    changes = _changes(item, clean_info(module, data))
    if not changes:
        raise DomainError(f"{module.info}没有变化。", code="unchanged")
    return engine.perform(APPLICATION, actor=actor, pk=pk, action="edit", reason=reason,
                          data={"changes": changes, "changed": dict(changes)}, ip=ip)


def act(*, actor, module: Module | None = None, pk: int, action: str, reason: str = "", category: str = "",
        ip: str | None = None) -> TransferApplication:
    """Every other move (cancel and the reviews; 批量审核 too). Scope first: a missing, foreign or other
    module's application answers as missing. `category` is accepted for the kit's batch form and ignored:
    this review asks none."""
    if action in DATA_ACTIONS:
        application_get_for(actor, pk, module=module)  # scope first: a missing or foreign item answers as missing
        raise DomainError(f"未知操作：{action}", code="unknown_action")
    workflow = APPLICATION if module is None else module_workflow(module)
    return engine.perform(workflow, actor=actor, pk=pk, action=action, reason=reason, ip=ip)


def act_for(module: Module):
    """`act` bound to one module (a list's 批量审核 moves only its own module's applications)."""
    def bound(**kw) -> TransferApplication:
        return act(module=module, **kw)
    return bound


def write_record(*, actor, module: Module, graduate_id: Any, data: dict[str, Any], ip: str | None = None,
                 source: str = RecordSource.DEPARTMENT) -> TransferRecord:
    """院系 (or 学校) register or change a graduate's info directly: no school review (seed 4.3.1), audited,
    sent to EMS at once. A pending application of the graduate stays for its reviewers to decide."""
    if actor.role not in STAFF:
        raise Forbidden(f"只有院系、学校用户可以直接登记{module.info}。")
    clean = clean_info(module, data)
    with transaction.atomic():
        graduate = module_graduate(actor, module, graduate_id, for_update=True)
        ensure_graduate_can_act(graduate)
        record = records.locked_record(graduate, module)
        first, was = not record.registered, record.state
        before = {} if first else info_of(record)
        if not first and before == clean:
            raise DomainError(f"{module.info}没有变化。", code="unchanged")
        records.register(record, graduate, module, clean, source=source, emit=records.emit_now(graduate.school_id))
        changed = {n: [before.get(n, ""), clean[n]] for n in INFO_COLUMNS if before.get(n, "") != clean[n]}
        audit.record(item_type=module.item_type, item_id=record.pk, actor=actor,
                     action="register" if first else "edit",
                     action_label=f"{'登记' if first else '修改'}{module.info}（{RecordSource(source).label}）",
                     from_state=was, to_state=RecordState.REGISTERED,
                     data={"changes": changed}, ip=ip, school_id=graduate.school_id)
        return record
