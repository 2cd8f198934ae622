"""用人单位注册审核: an employer registers, the operator passes or rejects it, a rejected one corrects and
submits again. One table, no gates (the item belongs to no graduate); only the engine moves
`Employer.review_status`.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from gradreg.accounts.models import Role, User
from gradreg.common.errors import Invalid, NotFound
from gradreg.organisations.models import Employer, ReviewStatus
from gradreg.organisations.selectors import EMPLOYER_PAGE_NAME, ITEM_TYPE, employer_may_edit
from gradreg.workflow.engine import INITIAL, Context, T, Workflow, register
from gradreg.workflow.states import State, StateSet

R = ReviewStatus
E, OP = Role.EMPLOYER, Role.OPERATOR

EMPLOYER_STATES = StateSet(R, {
    R.PENDING: State("wait", open=True),
    R.APPROVED: State("ok"),
    R.REJECTED: State("bad", open=True),  # the employer corrects its data and submits again
})


def employer_get_for(actor, pk: int, *, for_update: bool = False) -> Employer:
    """The operator reviews any employer; an employer's users act on their own unit only."""
    allowed = actor.is_authenticated and actor.is_active and (
        actor.role == OP or (actor.role == E and actor.employer_id == pk))
    qs = Employer.objects.select_for_update() if for_update else Employer.objects.select_related("reviewed_by")
    employer = qs.filter(pk=pk).first() if allowed else None
    if employer is None:
        raise NotFound("未找到该用人单位。")
    return employer


def record_review(ctx: Context) -> None:
    """The operator's decision: who, when, and (for 不通过) the reason the employer sees."""
    e: Employer = ctx.obj  # type: ignore[assignment]
    e.review_note = ctx.reason
    e.reviewed_at = timezone.now()
    e.reviewed_by = ctx.actor
    ctx.changed_fields |= {"review_note", "reviewed_at", "reviewed_by"}


def apply_changes(ctx: Context) -> None:
    """A resubmission carries the unit's corrected fields (checked by the service); the audit keeps their names."""
    e: Employer = ctx.obj  # type: ignore[assignment]
    for name, value in ctx.data.pop("changes", {}).items():
        setattr(e, name, value)
        ctx.changed_fields.add(name)
    e.review_note = ""
    ctx.changed_fields.add("review_note")
    try:
        e.full_clean()
    except ValidationError as exc:
        raise Invalid(exc.message_dict) from None


def may_edit(actor, e: Employer) -> bool:
    return employer_may_edit(e)


def _reason(text: str) -> str:
    return text.rstrip("。.；;，, ")


def notify_employer(ctx: Context):
    """The decision goes to the employer's users, with a link to its 单位信息 page."""
    e: Employer = ctx.obj  # type: ignore[assignment]
    if e.review_status == R.APPROVED:
        title, body = "单位信息审核通过", "贵单位的注册信息已审核通过，现在可以向毕业生发起签约邀请。"
    else:
        title = "单位信息审核未通过"
        body = f"贵单位的注册信息审核未通过，原因：{_reason(ctx.reason)}。请在“单位信息”页面修改后重新提交。"
    for u in User.objects.filter(employer=e, is_active=True):
        yield {"recipient": u, "title": title, "body": body, "url_name": EMPLOYER_PAGE_NAME}


EMPLOYER_REVIEW = register(Workflow(
    name=ITEM_TYPE,
    title="用人单位注册审核",
    model=Employer,
    states=EMPLOYER_STATES,
    get_for=employer_get_for,
    state_field="review_status",
    transitions=[
        T("register", INITIAL, R.PENDING, {E}, label="单位注册"),
        T("approve", R.PENDING, R.APPROVED, {OP}, label="审核通过", effects=(record_review,), notify=notify_employer),
        T("reject", R.PENDING, R.REJECTED, {OP}, label="审核不通过", needs_reason=True, effects=(record_review,),
          notify=notify_employer),
        T("resubmit", {R.PENDING, R.REJECTED}, R.PENDING, {E}, label="修改后重新提交", effects=(apply_changes,),
          guard=may_edit, guard_message="单位信息正在审核中，暂不能修改。"),
    ],
))
