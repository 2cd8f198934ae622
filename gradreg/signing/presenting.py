"""What the signing pages show: status wording, warned employers, the student-info comparison."""
from __future__ import annotations

from typing import Any

from django.utils import timezone

from gradreg.accounts.models import Role
from gradreg.codes.loader import code_map, region_name
from gradreg.common.numbers import plain_number
from gradreg.ems.selectors import reported_destination
from gradreg.organisations.selectors import employer_warnings, viewer_school_id
from gradreg.roster.snapshot import compare

from .models import (
    SIGNING_STATES,
    TERMINATION_STATES,
    Initiator,
    RejectCategory,
    Signing,
    SigningStatus,
)

S = SigningStatus


def warning_for(user, employer_ids) -> dict[int, Any]:
    """Warned-employer flags for the employers on a page, as this user may see them (one query)."""
    ids = {i for i in employer_ids if i}
    if not ids or user.role == Role.EMPLOYER:
        return {}
    return employer_warnings(viewer_school_id=viewer_school_id(user), employer_ids=ids)


INVALID = "失效"


def _status(row: dict, states) -> None:
    row["status_label"] = states.label(row["status"])
    row["status_class"] = states.tone(row["status"])


def _mark_invalid(row: dict) -> None:
    """An item of an invalid graduate keeps its state, frozen: marked 失效, waiting for no one (seed 3.6)."""
    if row.get("graduate_valid", True):
        return
    row["status_label"] = f"{INVALID}（{row['status_label']}）"
    row["status_class"] = "bad"
    row["waits_for_me"] = False


def decorate_signing_rows(rows: list[dict], user) -> None:
    warn = warning_for(user, [r["employer_id"] for r in rows])
    now = timezone.now()
    mine = SIGNING_STATES.waiting_for(user.role)
    for r in rows:
        _status(r, SIGNING_STATES)
        r["waits_for_me"] = r["status"] in mine
        if r["status"] == S.INVITED and r["expires_at"] and r["expires_at"] <= now:
            r["status_label"], r["status_class"] = S.EXPIRED.label, SIGNING_STATES.tone(S.EXPIRED)
        r["initiator_label"] = Initiator(r["initiator"]).label
        r["warning"] = warn.get(r["employer_id"])
        _mark_invalid(r)


def decorate_termination_rows(rows: list[dict], user) -> None:
    warn = warning_for(user, [r["employer_id"] for r in rows])
    mine = TERMINATION_STATES.waiting_for(user.role)
    for r in rows:
        _status(r, TERMINATION_STATES)
        r["waits_for_me"] = r["status"] in mine
        r["kind_label"] = "线上解约" if r["online"] else "线下解约"
        r["warning"] = warn.get(r["employer_id"])
        _mark_invalid(r)


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


def signing_display(s: Signing, user) -> dict[str, Any]:
    """Everything the item page shows beyond the row itself."""
    reviewer = user.role in {Role.DEPARTMENT, Role.SCHOOL}
    ctx: dict[str, Any] = {
        "status_label": SIGNING_STATES.label(s.status),
        "status_class": SIGNING_STATES.tone(s.status),
        "expired": s.status == S.INVITED and s.expires_at and s.expires_at <= timezone.now(),
        "terms": terms_table(s),
        "employer_rows": employer_table(s),
        "warning": warning_for(user, [s.employer_id]).get(s.employer_id),
        "reviewer": reviewer,
        "reject_category_label": RejectCategory(s.reject_category).label if s.reject_category else "",
        "review_label": s.school.review_label,
        "invalid": not s.graduate.is_valid,
    }
    if reviewer:
        snapshot = s.graduate_snapshot or {}
        rows = compare(snapshot, s.graduate) if snapshot else []  # the scoped read brought its units
        ctx.update({
            "compare": rows,
            "key_differs": any(r.key and r.differs for r in rows),
            "refreshed": s.refreshed_info,
            "ems_destination": reported_destination(s.graduate_id),
        })
    return ctx
