"""What the signing pages show: status wording, warned employers, the student-info comparison."""
from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from gradreg.accounts.models import Role
from gradreg.codes.loader import code_map, region_name
from gradreg.common.numbers import plain_number
from gradreg.organisations.warnings import item_warning, typed_codes, warning_for, warning_of
from gradreg.roster.gates import may_sign_online
from gradreg.roster.live import live_destination
from gradreg.roster.review import review_panel
from gradreg.workflow.lists import label_state, mark_invalid

from .flows import signing_workflow
from .models import (
    SIGNING_STATES,
    TERMINATION_STATES,
    Initiator,
    RejectCategory,
    Signing,
    SigningStatus,
)

S = SigningStatus
NOT_ONLINE = "您的培养方式为定向或委培（不可网签），不能同意网上签约邀请。"


def past_deadline(status: str, expires_at, now=None) -> bool:
    """An invitation past its deadline is expired at once, before the platform's run marks it so."""
    return status == S.INVITED and bool(expires_at) and expires_at <= (now or timezone.now())


def invitation_expired(s: Signing) -> bool:
    return past_deadline(s.status, s.expires_at)


def invitation_blocked(s: Signing) -> str:
    """Why the graduate cannot agree to this (live) invitation now, in Chinese; empty when they can."""
    if s.status != S.INVITED or invitation_expired(s):
        return ""
    if not may_sign_online(s.graduate):
        return NOT_ONLINE
    return live_destination(s.graduate, exclude=s) or ""


def hidden_moves(expired: bool, blocked: str) -> set[str]:
    """Moves the table allows but the page does not offer: none on an expired invitation, no 同意 when blocked."""
    return {"agree", "decline"} if expired else {"agree"} if blocked else set()


def decorate_signing_rows(rows: list[dict], user) -> None:
    warn = warning_for(user, [r["employer_id"] for r in rows], typed_codes(rows))
    now = timezone.now()
    mine = SIGNING_STATES.waiting_for(user.role)
    for r in rows:
        label_state(r, SIGNING_STATES, mine)
        r["expired"] = past_deadline(r["status"], r["expires_at"], now)
        if r["expired"]:
            r["status_label"], r["status_class"] = S.EXPIRED.label, SIGNING_STATES.tone(S.EXPIRED)
            r["waits_for_me"] = False
        r["initiator_label"] = Initiator(r["initiator"]).label
        r["warning"] = warning_of(warn, r["employer_id"], r.get("credit_code", ""))
        mark_invalid(r)


def decorate_termination_rows(rows: list[dict], user) -> None:
    warn = warning_for(user, [r["employer_id"] for r in rows], typed_codes(rows))
    mine = TERMINATION_STATES.waiting_for(user.role)
    for r in rows:
        label_state(r, TERMINATION_STATES, mine)
        r["kind_label"] = "线上解约" if r["online"] else "线下解约"
        r["warning"] = warning_of(warn, r["employer_id"], r.get("credit_code", ""))
        mark_invalid(r)


def terms_table(s: Signing) -> list[tuple[str, str]]:
    jobs = code_map("gzzwlb")
    return [
        ("岗位名称", s.position),
        ("职位类别", jobs.get(s.job_category, s.job_category)),
        ("工作地点", region_name(s.work_region) if s.work_region else ""),
        ("月薪（元）", f"{s.monthly_salary:,.2f}" if s.monthly_salary is not None else ""),
        ("试用期（月）", str(s.probation_months)),
        ("服务期（年）", plain_number(s.service_years)),
        ("违约条款", s.breach_terms),
        ("档案接收单位", s.archive_unit), ("档案接收地址", s.archive_address),
        ("户口接收单位", s.hukou_unit), ("户口接收地址", s.hukou_address),
        ("其他约定", s.other_terms),
    ]


def employer_table(s: Signing) -> list[tuple[str, str]]:
    nature, industry = code_map("dwxz"), code_map("dwhy")
    rows = [
        ("单位名称", s.employer_name),
        ("统一社会信用代码", s.credit_code),
        ("单位性质", nature.get(s.employer_nature, s.employer_nature)),
        ("所属行业", industry.get(s.employer_industry, s.employer_industry)),
        ("单位所在地", region_name(s.employer_region) if s.employer_region else ""),
        ("单位地址", s.employer_address),
        ("联系人", s.contact_name),
        ("联系电话", s.contact_phone),
    ]
    if s.employer_id and s.employer is not None:
        rows.append(("单位注册状态", "已在平台注册并通过审核" if s.employer.approved else "未通过审核"))
        if s.employer.credit_code_needs_review:
            rows.append(("信用代码", "校验位不符，请人工核实"))
    else:
        rows.append(("单位注册状态", "未在平台注册（线下签约，由学生填写）"))
    return rows


def signing_display(s: Signing, user, *, reveal: bool = False, ip: str | None = None) -> dict[str, Any]:
    """Everything the item page shows beyond the row itself, the reviewers' 学生信息比对 included.

    The comparison's ID numbers are masked unless `reveal` (a reviewer's explicit request, logged as a
    SensitiveView like the roster detail's full numbers); other roles asking to reveal are refused.
    """
    panel = review_panel(s, user, workflow=signing_workflow(s), reveal=reveal, ip=ip,
                         refresh_url=reverse("signing:refresh", args=[s.pk]))
    expired = invitation_expired(s)
    shown = S.EXPIRED if expired else s.status
    blocked = invitation_blocked(s) if user.role == Role.GRADUATE else ""
    return {
        "status_label": SIGNING_STATES.label(shown),
        "status_class": SIGNING_STATES.tone(shown),
        "expired": expired,
        "blocked": blocked,
        "hidden_moves": hidden_moves(expired, blocked),
        "terms": terms_table(s),
        "employer_rows": employer_table(s),
        "warning": item_warning(user, s.employer_id, s.credit_code),
        "reject_category_label": RejectCategory(s.reject_category).label if s.reject_category else "",
        "review_label": s.school.review_label,
        "invalid": not s.graduate.is_valid,
        **panel,
    }
