"""培养方式修改 (SPEC 4.10, seed 3.9): the whole workflow in one table."""
from __future__ import annotations

from gradreg.accounts.models import Role
from gradreg.workflow.engine import INITIAL, Context, T, Workflow, register
from gradreg.workflow.review import two_level_review
from gradreg.workflow.states import State, StateSet

from .models import TrainingModeChange
from .selectors import training_mode_change_get_for

S = TrainingModeChange.Status

TRAINING_MODE_STATES = StateSet(S, {
    S.REQUESTED: State("wait", open=True),
    S.SUBMITTED: State("wait", open=True),
    S.APPROVED: State("ok"),
    S.REJECTED: State("bad"),
    S.RETURNED: State("bad"),
    S.WITHDRAWN: State(""),
})


def apply_training_mode(ctx: Context) -> None:
    """Approval changes the graduate's 培养方式 in EMS and the platform, and tells EMS consumers."""
    change: TrainingModeChange = ctx.obj  # type: ignore[assignment]
    graduate = change.graduate
    graduate.training_mode = change.to_mode
    graduate.directed_unit = change.directed_unit
    graduate.save(update_fields=["training_mode", "directed_unit", "updated_at"])
    ctx.emit(
        "ems.training_mode_changed",
        f"training_mode_change:{change.pk}:approved",
        {"graduate_id": graduate.pk, "exam_no": graduate.exam_no, "training_mode": change.to_mode,
         "directed_unit": change.directed_unit},
    )


def notify_requester(ctx: Context):
    change: TrainingModeChange = ctx.obj  # type: ignore[assignment]
    label = S(change.status).label
    yield {
        "recipient": change.created_by,
        "title": f"培养方式修改申请：{change.graduate.name} {label}",
        "body": ctx.reason,
        "url_name": "ems:training_mode_detail",
        "url_args": [change.pk],
    }
    account = getattr(change.graduate, "account", None)
    if change.status == S.APPROVED and account is not None:
        yield {
            "recipient": account,
            "title": "您的培养方式已修改",
            "body": f"培养方式已修改为 {change.to_mode}",
        }


TRAINING_MODE_CHANGE = register(
    Workflow(
        name="training_mode_change",
        title="培养方式修改申请",
        model=TrainingModeChange,
        states=TRAINING_MODE_STATES,
        get_for=training_mode_change_get_for,
        gates=("graduate",),
        transitions=[
            T("request", source=INITIAL, target=S.REQUESTED, roles={Role.DEPARTMENT}, label="申请修改", needs_reason=True),
            # the school may ask the province itself (seed 3.9: 学校在就业管理系统…提交修改申请)
            T("request", source=INITIAL, target=S.SUBMITTED, roles={Role.SCHOOL}, label="申请修改", needs_reason=True),
            T("withdraw", source=S.REQUESTED, target=S.WITHDRAWN, roles={Role.DEPARTMENT}, label="撤回"),
            # the school forwards (or returns) the department's request; the province decides
            *two_level_review(S.REQUESTED, S.SUBMITTED, passed=S.APPROVED, returned=S.RETURNED, rejected=S.REJECTED,
                              roles=(Role.SCHOOL, Role.PROVINCE), forward=("submit", "提交省级审核"),
                              return_label="退回院系", return_at=(0,), reject_at=(1,), record=False,
                              on_pass=(apply_training_mode,), notify=notify_requester),
        ],
    )
)
