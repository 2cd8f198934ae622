"""The four workflows of 在线签约管理 and 解约管理 (SPEC 4.1, 4.2, 4.4, 4.5), each one table.

Reading a table tells the whole workflow: who moves an item from which state to which, with which
checks (effects) and whom it tells (notify). Results are told to the parties — an answer, a return,
a rejection, the final pass — while a department's pass, a step inside the review, is not.
Only the engine assigns `status`.
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from django.utils import timezone

from gradreg.accounts.models import Role, User
from gradreg.common.errors import Conflict, DomainError
from gradreg.common.uploads import discard_on_commit
from gradreg.roster.changes import IMPORTANT_DESTINATION_FIELDS, tell
from gradreg.roster.gates import ensure_may_sign_online
from gradreg.roster.live import became_live, ensure_no_live_destination
from gradreg.roster.review import apply_refresh, capture_graduate, key_fields_agree
from gradreg.workflow.engine import INITIAL, SYSTEM, Context, T, Workflow, move, register
from gradreg.workflow.review import REVIEW, two_level_review

from .documents import issue_agreement
from .models import (
    SIGNING_STATES,
    TERMINATION_STATES,
    Initiator,
    Signing,
    Termination,
)
from .models import SigningStatus as S
from .models import TerminationStatus as TS
from .selectors import signing_get_for, termination_get_for

G, E, D, SC = Role.GRADUATE, Role.EMPLOYER, Role.DEPARTMENT, Role.SCHOOL


# ---- effects shared by the signing workflows -------------------------------------------------------

def hold_graduate(ctx: Context) -> None:
    """One live destination: lock the graduate and refuse while another signing or destination holds them."""
    graduate = ctx.obj.graduate
    ensure_may_sign_online(graduate)
    ensure_no_live_destination(graduate, exclude=ctx.obj)


def not_expired(ctx: Context) -> None:
    s: Signing = ctx.obj  # type: ignore[assignment]
    if s.expires_at and s.expires_at <= timezone.now():
        raise Conflict("该签约邀请已过期，请联系用人单位重新发起邀请。", code="expired")


def record_decline(ctx: Context) -> None:
    ctx.obj.decline_reason = ctx.reason
    ctx.changed_fields.add("decline_reason")


def generate_agreement(ctx: Context) -> None:
    issue_agreement(ctx.obj)  # type: ignore[arg-type]
    ctx.changed_fields |= {"agreement_no", "agreement_file", "agreement_sha256", "agreement_generated_at"}


def complete_signing(ctx: Context) -> None:
    """签约成功: the destination goes to EMS at once (the outbox row commits with the status)."""
    s: Signing = ctx.obj  # type: ignore[assignment]
    s.signed_at = timezone.now()
    ctx.changed_fields.add("signed_at")
    ctx.emit("ems.signing_completed", f"signing:{s.pk}:signed", destination_payload(s))
    # what the new destination replaces gives way (an approved 未就业 report), and 登记确认 starts again
    became_live(s.graduate, s, ctx.actor)
    tell(Signing, graduate=s.graduate, item=s, kind="destination", fields=IMPORTANT_DESTINATION_FIELDS, live=True)


UPLOAD_FIELDS = ("stamped_file", "stamped_content_type", "stamped_sha256",
                 "explanation_file", "explanation_content_type", "explanation_sha256")


def record_upload(ctx: Context) -> None:
    """回传: the stamped copy, or a 情况说明 when the e-agreement is wrong (seed 3.3.2), or both; each upload
    replaces what the last one sent."""
    s: Signing = ctx.obj  # type: ignore[assignment]
    if not (ctx.data.get("stamped_file") or ctx.data.get("explanation_file")):
        raise DomainError("请上传加盖单位公章的就业协议书图像。", code="upload_required", field="stamped")
    replaced = [s.stamped_file, s.explanation_file]
    for f in UPLOAD_FIELDS:
        setattr(s, f, ctx.data.get(f, ""))
    for old in replaced:
        if old and old not in {s.stamped_file, s.explanation_file}:
            discard_on_commit(old)  # the re-upload replaces it; its hash stays in the audit trail
    s.stamped_at = timezone.now()
    ctx.changed_fields |= {*UPLOAD_FIELDS, "stamped_at"}


def stamped_present(ctx: Context) -> None:
    """A 情况说明 without the stamped copy cannot pass: the reviewer returns or rejects it (seed 3.3.2)."""
    s: Signing = ctx.obj  # type: ignore[assignment]
    if not s.stamped_file:
        raise DomainError("学生上传的是情况说明，未回传盖章协议，不能通过；请查看情况说明后审核不通过，"
                          "由学生重新填写就业协议信息。", code="explanation_only")


def apply_edits(ctx: Context) -> None:
    """A resubmission carries the graduate's corrected agreement info (validated by the service)."""
    # the typed values go to the row; the audit keeps their text form ("changed")
    for name, value in ctx.data.pop("changes", {}).items():
        setattr(ctx.obj, name, value)
        ctx.changed_fields.add(name)


def destination_payload(s: Signing) -> dict[str, Any]:
    return {
        "graduate_id": s.graduate_id, "exam_no": s.exam_no, "id_number": s.graduate_snapshot.get("id_number", ""),
        "source": "登记系统", "destination": "签就业协议形式就业", "signing_id": s.pk,
        "agreement_no": s.agreement_no, "employer_name": s.employer_name, "credit_code": s.credit_code,
        "employer_nature": s.employer_nature, "employer_industry": s.employer_industry,
        "employer_region": s.employer_region, "position": s.position, "job_category": s.job_category,
        "work_region": s.work_region, "graduate": s.graduate_snapshot,
        # the agreement's 档案/户口 receiving info, kept with the destination for the 档案/户口 modules
        "archive_unit": s.archive_unit, "archive_address": s.archive_address,
        "hukou_unit": s.hukou_unit, "hukou_address": s.hukou_address,
    }


# ---- notifications ---------------------------------------------------------------------------------

def employer_users(employer_id: int | None) -> Iterable[User]:
    if not employer_id:
        return []
    return User.objects.filter(employer_id=employer_id, is_active=True, role=Role.EMPLOYER)


def _graduate_account(obj) -> User | None:
    return getattr(obj.graduate, "account", None)


def notify_parties(ctx: Context):
    """Every result goes to the graduate, and to the employer where it is a party."""
    obj = ctx.obj
    is_signing = isinstance(obj, Signing)
    label = (S if is_signing else TS)(obj.status).label
    what = "签约" if is_signing else "解约"
    body = ctx.reason
    page = {"url_name": "signing:detail" if is_signing else "signing:termination_detail", "url_args": [obj.pk]}
    account = _graduate_account(obj)
    if account is not None and ctx.actor != account:
        yield {"recipient": account, "title": f"{what}（{obj.employer_name}）：{label}", "body": body, **page}
    if obj.employer_id and (is_signing and obj.is_online or not is_signing and obj.online):
        for u in employer_users(obj.employer_id):
            if u != ctx.actor:
                yield {"recipient": u, "title": f"{what}（{obj.graduate_name}）：{label}", "body": body, **page}


def _review_label(obj) -> str:
    return obj.school.review_label


def _table(model, states, get_for, name: str, title: str, transitions: list[T]) -> Workflow:
    """One of signing's four tables: a graduate's item (the graduate gate), the school's 鉴证/审核 wording."""
    return register(Workflow(name=name, title=title, model=model, states=states, get_for=get_for, gates=("graduate",),
                             review_label_of=_review_label, transitions=transitions))


signing_table = partial(_table, Signing, SIGNING_STATES, signing_get_for)
termination_table = partial(_table, Termination, TERMINATION_STATES, termination_get_for)


# ---- 4.1 线上签约 ------------------------------------------------------------------------------------

ONLINE_SIGNING = signing_table("online_signing", "线上签约", [
    T("invite", INITIAL, S.INVITED, {E}, label="发起签约邀请", notify=notify_parties),
    T("withdraw", S.INVITED, S.WITHDRAWN, {E}, label="撤回邀请", notify=notify_parties),
    T("decline", S.INVITED, S.DECLINED, {G}, label="拒绝签约", needs_reason=True,
      effects=(record_decline,), notify=notify_parties),
    T("agree", S.INVITED, S.AGREED, {G}, label="同意签约",
      effects=(not_expired, hold_graduate, capture_graduate), notify=notify_parties),
    T("expire", S.INVITED, S.EXPIRED, {SYSTEM}, label="邀请过期", notify=notify_parties),
    *two_level_review(S.AGREED, S.ONLINE_WAIT_SCHOOL, passed=S.SIGNED, rejected=S.REJECTED, wording=REVIEW,
                      checks=(key_fields_agree,), on_pass=(apply_refresh, generate_agreement, complete_signing),
                      notify=notify_parties),
    T("terminate", S.SIGNED, S.TERMINATED, {SYSTEM}, label="解约完成"),
])


# ---- 4.2 线下签约（电子就业协议书）------------------------------------------------------------------

OFFLINE_SIGNING = signing_table("offline_signing", "线下签约（电子就业协议书）", [
    # 就业协议审核
    T("apply", INITIAL, S.DRAFT_WAIT_DEPT, {G}, label="申请电子就业协议书",
      effects=(hold_graduate, capture_graduate)),
    T("withdraw", S.DRAFT_WAIT_DEPT, S.DRAFT_WITHDRAWN, {G}, label="撤回修改"),
    T("resubmit", {S.DRAFT_WITHDRAWN, S.DRAFT_RETURNED}, S.DRAFT_WAIT_DEPT, {G}, label="修改后重新提交",
      effects=(apply_edits, hold_graduate, capture_graduate)),
    *two_level_review(S.DRAFT_WAIT_DEPT, S.DRAFT_WAIT_SCHOOL, passed=S.AWAIT_UPLOAD, returned=S.DRAFT_RETURNED,
                      rejected=S.REJECTED, checks=(key_fields_agree,), on_pass=(apply_refresh, generate_agreement),
                      notify=notify_parties),
    # 签约鉴证或审核
    T("upload", {S.AWAIT_UPLOAD, S.UPLOAD_RETURNED}, S.UPLOAD_WAIT_DEPT, {G}, label="回传盖章协议",
      effects=(record_upload,)),
    T("withdraw_upload", S.UPLOAD_WAIT_DEPT, S.AWAIT_UPLOAD, {G}, label="撤回重新上传"),
    *two_level_review(S.UPLOAD_WAIT_DEPT, S.UPLOAD_WAIT_SCHOOL, passed=S.SIGNED, returned=S.UPLOAD_RETURNED,
                      rejected=S.REJECTED, wording=REVIEW, checks=(stamped_present, key_fields_agree),
                      on_pass=(apply_refresh, complete_signing), notify=notify_parties),
    # the graduate gives up an application that waits on them (to sign elsewhere, say)
    T("abandon", {S.DRAFT_WITHDRAWN, S.DRAFT_RETURNED, S.AWAIT_UPLOAD, S.UPLOAD_RETURNED}, S.CANCELLED, {G},
      label="撤销申请"),
    T("terminate", S.SIGNED, S.TERMINATED, {SYSTEM}, label="解约完成"),
])


def signing_workflow(s: Signing) -> Workflow:
    return ONLINE_SIGNING if s.is_online else OFFLINE_SIGNING


# ---- terminations -----------------------------------------------------------------------------------

def _party(actor) -> str:
    return Initiator.EMPLOYER if actor.role == Role.EMPLOYER else Initiator.GRADUATE


def is_applicant(actor, t: Termination) -> bool:
    return _party(actor) == t.applicant


def is_other_party(actor, t: Termination) -> bool:
    return _party(actor) != t.applicant


def end_signing(ctx: Context) -> None:
    """已解约: the signing ends and EMS clears the graduate's employment data."""
    t: Termination = ctx.obj  # type: ignore[assignment]
    signing = Signing.objects.select_for_update().get(school_id=t.school_id, pk=t.signing_id)
    move(signing_workflow(signing), signing, action="terminate", actor=ctx.actor, reason=t.reason)
    ctx.emit("ems.signing_terminated", f"termination:{t.pk}:terminated",
             {"graduate_id": t.graduate_id, "exam_no": t.exam_no, "signing_id": signing.pk,
              "agreement_no": signing.agreement_no, "source": "登记系统", "clear_employment": True})
    tell(Signing, graduate=signing.graduate, item=signing, kind="destination", fields=IMPORTANT_DESTINATION_FIELDS)


def record_answer(ctx: Context) -> None:
    ctx.obj.answer_reason = ctx.reason
    ctx.changed_fields.add("answer_reason")


def record_material(ctx: Context) -> None:
    t: Termination = ctx.obj  # type: ignore[assignment]
    if ctx.data.get("material_file"):
        if t.material_file != ctx.data["material_file"]:
            discard_on_commit(t.material_file)  # replaced; its hash stays in the audit trail
        t.material_file = ctx.data["material_file"]
        t.material_content_type = ctx.data["material_content_type"]
        t.material_sha256 = ctx.data["material_sha256"]
        ctx.changed_fields |= {"material_file", "material_content_type", "material_sha256"}
    if ctx.data.get("new_reason"):
        t.reason = ctx.data["new_reason"]
        ctx.changed_fields.add("reason")
    if not t.material_file:
        raise DomainError("请上传解约材料（如双方签字的解约函）。", code="upload_required", field="material")


# 4.4 线上解约: either party applies, the other answers, then two-level review
ONLINE_TERMINATION = termination_table("online_termination", "线上解约", [
    T("apply", INITIAL, TS.PENDING_OTHER, {G, E}, label="申请解约", needs_reason=True, notify=notify_parties),
    T("cancel", TS.PENDING_OTHER, TS.CANCELLED, {G, E}, label="撤回解约申请", notify=notify_parties,
      guard=is_applicant, guard_message="只有解约申请方可以撤回申请。"),
    T("agree", TS.PENDING_OTHER, TS.AGREED, {G, E}, label="同意解约", effects=(record_answer,),
      notify=notify_parties, guard=is_other_party, guard_message="解约申请需由对方确认。"),
    T("decline", TS.PENDING_OTHER, TS.OTHER_DECLINED, {G, E}, label="不同意解约", needs_reason=True,
      effects=(record_answer,), notify=notify_parties, guard=is_other_party,
      guard_message="解约申请需由对方确认。"),
    *two_level_review(TS.AGREED, TS.WAIT_SCHOOL, passed=TS.TERMINATED, rejected=TS.FAILED, wording=REVIEW,
                      on_pass=(end_signing,), notify=notify_parties),
])

# 4.5 线下解约: the graduate applies with material, two-level review with 退回修改
OFFLINE_TERMINATION = termination_table("offline_termination", "线下解约", [
    T("apply", INITIAL, TS.OFFLINE_WAIT_DEPT, {G}, label="申请解约", needs_reason=True,
      effects=(record_material,)),
    T("cancel", {TS.OFFLINE_WAIT_DEPT, TS.RETURNED}, TS.CANCELLED, {G}, label="撤回解约申请"),
    T("resubmit", TS.RETURNED, TS.OFFLINE_WAIT_DEPT, {G}, label="修改后重新提交", effects=(record_material,)),
    *two_level_review(TS.OFFLINE_WAIT_DEPT, TS.WAIT_SCHOOL, passed=TS.TERMINATED, returned=TS.RETURNED,
                      rejected=TS.FAILED, wording=REVIEW, on_pass=(end_signing,), notify=notify_parties),
])


def termination_workflow(t: Termination) -> Workflow:
    return ONLINE_TERMINATION if t.online else OFFLINE_TERMINATION


def signing_termination_workflow(s: Signing) -> Workflow:
    """The table a termination of this signing will follow."""
    return ONLINE_TERMINATION if s.is_online else OFFLINE_TERMINATION
