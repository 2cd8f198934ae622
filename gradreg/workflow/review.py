"""The two-level review (院系 then 学校) every review module runs, declared in a few lines.

    transitions=[
        T("apply", INITIAL, S.WAIT_DEPT, {G}, label="申请"),
        *two_level_review(S.WAIT_DEPT, S.WAIT_SCHOOL, passed=S.DONE, returned=S.RETURNED,
                          rejected=S.REJECTED, wording=REVIEW, on_pass=(finish,), notify=notify_parties),
    ]

gives, for each level, 通过 (to the next level, then to `passed`), 退回修改 (with a reason, to
`returned`; omit it where the table has none) and 不通过 (with a reason and a category, to
`rejected`). Returns and rejections keep their reason on the item's review fields (`last_reason`,
`returned`, `reject_category`). Results — the final pass, each return and rejection — are told
through `notify`; the first level's pass, a step inside the review, is not.
"""
from __future__ import annotations

from collections.abc import Sequence

from gradreg.common.errors import DomainError
from gradreg.common.roles import Role

from .engine import Context, Effect, Notifier, T

REVIEW = "{review}"  # wording: the school's own 审核 or 鉴证 (the workflow's review_label_of)
AUDIT = "审核"       # wording: always 审核


def record_return(ctx: Context) -> None:
    """退回修改: the reason stays on the item, which is marked as returned once (for the returned list)."""
    ctx.obj.last_reason = ctx.reason
    ctx.obj.returned = True
    ctx.changed_fields |= {"last_reason", "returned"}


def record_rejection(ctx: Context) -> None:
    """不通过: a category (one of the item's `reject_category` choices) and the reason stay on the item."""
    category = ctx.data.get("category", "")
    allowed = {value for value, _ in ctx.obj._meta.get_field("reject_category").choices}
    if category not in allowed:
        raise DomainError("请选择审核不通过的原因类别。", code="category_required", field="category")
    ctx.obj.reject_category = category
    ctx.obj.last_reason = ctx.reason
    ctx.changed_fields |= {"reject_category", "last_reason"}


def record_reason(ctx: Context) -> None:
    """不通过 of a review asking no category (档案/户口 info, seed 4.3.2): the reason alone stays on the item."""
    ctx.obj.last_reason = ctx.reason
    ctx.changed_fields.add("last_reason")


def two_level_review(
    first: str,
    second: str,
    *,
    passed: str,
    rejected: str | None,
    returned: str | None = None,
    wording: str = AUDIT,
    checks: Sequence[Effect] = (),
    on_pass: Sequence[Effect] = (),
    notify: Notifier | None = None,
    roles: tuple[str, str] = (Role.DEPARTMENT, Role.SCHOOL),
    forward: tuple[str, str] | None = None,
    return_label: str = "退回修改",
    return_at: Sequence[int] = (0, 1),
    reject_at: Sequence[int] = (0, 1),
    record: bool = True,
    categories: bool = True,
    on_reject: Sequence[Effect] = (),
) -> list[T]:
    """The review's transitions: pass ×2, return ×2 (if `returned`), reject ×2 (if `rejected`).

    first, second: the states waiting for the first and the second level (roles[0], roles[1]).
    checks: run on both passes (a pass refused by a check moves nothing); on_pass: then on the final pass.
    forward: (action, label) of the first level's pass where it is not "approve" / "<wording>通过".
    return_at, reject_at: the levels (0, 1) that may return or reject; record=False for an item without
    the review fields (the reason then lives in the audit trail only, and a rejection needs no category);
    categories=False: a rejection keeps its reason but asks no category; on_reject: effects of either rejection.
    """
    waiting = (first, second)
    step_action, step_label = forward or ("approve", f"{wording}通过")
    moves = [
        T(step_action, first, second, {roles[0]}, label=step_label, effects=tuple(checks)),
        T("approve", second, passed, {roles[1]}, label=f"{wording}通过", effects=(*checks, *on_pass), notify=notify),
    ]
    if returned is not None:
        effects = (record_return,) if record else ()
        moves += [T("return", waiting[i], returned, {roles[i]}, label=return_label, needs_reason=True,
                    effects=effects, notify=notify) for i in return_at]
    if rejected is not None:
        effects = ((record_rejection if categories else record_reason,) if record else ()) + tuple(on_reject)
        moves += [T("reject", waiting[i], rejected, {roles[i]}, label=f"{wording}不通过", needs_reason=True,
                    effects=effects, notify=notify) for i in reject_at]
    return moves
