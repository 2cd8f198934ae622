"""The table of a 档案/户口 application (seed 4.3.2), one for both modules.

The graduate applies (登记 the first time, 修改 afterwards); before any review they may change it
(修改申请) or withdraw it (撤销申请). 院系 then 学校 review: 审核通过, or 审核不通过 with a reason (no
category: the seed asks none); the reviewer it waits for may change it in place (修改信息) — a
department's change still goes to the school. The school's pass registers the info (已登记) and sends it
to EMS. When the graduate is invalidated (seed 4.4) a pending application becomes 审核不通过.
Only the engine assigns `status`.
"""
from __future__ import annotations

from dataclasses import replace
from functools import partial

from django.utils import timezone

from gradreg.common.errors import Conflict
from gradreg.common.roles import Role
from gradreg.ems.transfer_modules import INFO_COLUMNS
from gradreg.workflow.engine import INITIAL, SYSTEM, Context, T, Workflow, register
from gradreg.workflow.review import AUDIT, two_level_review

from . import records
from .models import APPLICATION_STATES, ApplicationStatus, ApplicationType, RecordSource, TransferApplication
from .selectors import application_get_for

G, D, SC = Role.GRADUATE, Role.DEPARTMENT, Role.SCHOOL
S = ApplicationStatus
INVALIDATED_REASON = "毕业生已从就业管理系统名单中删除（失效），申请审核不通过；重新上传后请重新登记。"


# ---- effects --------------------------------------------------------------------------------------

def open_record(ctx: Context) -> None:
    """The graduate's record, locked: a first application makes it 审核中; a 登记 over a registered record
    (or a 修改 of none) is the other kind (the service chose, this checks under the lock)."""
    item = ctx.obj
    module = item.module
    if not module.on_roster(item.graduate):
        raise Conflict(f"您的户口未迁入学校，不能使用{module.title}。", code="not_on_roster")
    record = records.locked_record(item.graduate, module)
    expected = ApplicationType.MODIFY if record.registered else ApplicationType.REGISTER
    if item.apply_type != expected:
        item.apply_type = expected
        ctx.changed_fields.add("apply_type")
    records.mark_pending(record)


def apply_changes(ctx: Context) -> None:
    """The clean info the service validated (the graduate's 修改申请, a reviewer's 修改信息)."""
    item = ctx.obj
    for name, value in ctx.data.pop("changes", {}).items():
        if name in INFO_COLUMNS:
            setattr(item, name, value)
            ctx.changed_fields.add(name)


def mark_edited(ctx: Context) -> None:
    ctx.obj.reviewer_edited_at = timezone.now()
    ctx.changed_fields.add("reviewer_edited_at")


def decided(ctx: Context) -> None:
    ctx.obj.decided_at = timezone.now()
    ctx.changed_fields.add("decided_at")


def register_info(ctx: Context) -> None:
    """审核通过 by the school: the info is registered (已登记) and goes to EMS at once."""
    item = ctx.obj
    decided(ctx)
    record = records.locked_record(item.graduate, item.module)
    changed = records.register(record, item.graduate, item.module, {n: getattr(item, n) for n in INFO_COLUMNS},
                               source=RecordSource.APPLICATION, emit=ctx.emit)
    ctx.data["important"] = changed


def release(ctx: Context) -> None:
    """Rejected or withdrawn: a first application leaves the record 未登记 again."""
    item = ctx.obj
    decided(ctx)
    records.release_pending(item.graduate_id, item.module, item.school_id)


def invalidated(ctx: Context) -> None:
    item = ctx.obj
    item.last_reason = ctx.reason
    ctx.changed_fields.add("last_reason")
    release(ctx)


# ---- notifications ----------------------------------------------------------------------------------

def notify_graduate(ctx: Context):
    """Results, and a reviewer's 修改信息, go to the graduate."""
    item = ctx.obj
    account = getattr(item.graduate, "account", None)
    if account is None or ctx.actor == account:
        return
    what = f"{item.module.info}{item.get_apply_type_display()}申请"
    if ctx.transition.action == "edit":
        title, body = f"{what}被修改", ctx.reason or f"审核人员修改了您的{what}，请查看。"
    else:
        title, body = f"{what}：{item.get_status_display()}", ctx.reason
    yield {"recipient": account, "title": title, "body": body, "url_name": f"{item.module.url}:my_application",
           "url_args": [item.pk]}


# ---- the table ----------------------------------------------------------------------------------------

APPLICATION = register(Workflow(
    name="transfer_application", title="档案/户口信息申请", model=TransferApplication, states=APPLICATION_STATES,
    get_for=application_get_for, gates=("graduate",), transitions=[
        T("submit", INITIAL, S.WAIT_DEPT, {G}, label="提交申请", effects=(open_record,)),
        T("amend", S.WAIT_DEPT, S.WAIT_DEPT, {G}, label="修改申请", effects=(apply_changes,)),
        T("cancel", S.WAIT_DEPT, S.CANCELLED, {G}, label="撤销申请", effects=(release,)),
        *two_level_review(S.WAIT_DEPT, S.WAIT_SCHOOL, passed=S.APPROVED, rejected=S.REJECTED, wording=AUDIT,
                          categories=False, on_pass=(register_info,), on_reject=(release,), notify=notify_graduate),
        # 修改信息 by the reviewer it waits for; a department's change still goes to the school (seed 4.3.2)
        T("edit", S.WAIT_DEPT, S.WAIT_DEPT, {D}, label="修改信息", effects=(apply_changes, mark_edited),
          notify=notify_graduate),
        T("edit", S.WAIT_SCHOOL, S.WAIT_SCHOOL, {SC}, label="修改信息", effects=(apply_changes, mark_edited),
          notify=notify_graduate),
        # seed 4.4: the graduate left the EMS roster
        T("invalidate", {S.WAIT_DEPT, S.WAIT_SCHOOL}, S.REJECTED, {SYSTEM}, label="毕业生失效，审核不通过",
          effects=(invalidated,), notify=notify_graduate),
    ]))


def module_workflow(module) -> Workflow:
    """The table reading its items through one module's selector (a page or batch of 档案 moves only 档案
    applications, in the move's own read: another module's id answers as missing)."""
    return _BY_MODULE.setdefault(module.kind, replace(
        APPLICATION, get_for=partial(application_get_for, module=module)))


_BY_MODULE: dict[str, Workflow] = {}
