"""用人单位 over the API: self-registration, the employer's own standing, the operator's review."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.security import django_auth
from ninja.utils import check_csrf

from gradreg.codes.loader import code_map, region_name
from gradreg.common.api import Problem
from gradreg.common.errors import Forbidden
from gradreg.common.pagination import paginate
from gradreg.common.uploads import upload_response
from gradreg.common.views import client_ip
from gradreg.employers import services
from gradreg.organisations.models import Employer, ReviewStatus
from gradreg.organisations.selectors import (
    PENDING_MESSAGE,
    employer_get_for_review,
    employer_licence_for,
    employer_may_invite,
    employer_of,
    employer_why_not,
    employers_for_review,
)

router = Router(tags=["employers"])
ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem}


class FieldsProblem(Problem):
    """A refusal naming every field at fault: `errors` maps each field to its messages."""

    errors: dict[str, list[str]] = {}


class EmployerRegisterIn(Schema):
    # Defaults everywhere: a missing field is reported by the service, in Chinese, with the others.
    name: str = ""
    credit_code: str = ""
    nature_code: str = ""
    industry_code: str = ""
    region_code: str = ""
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    username: str = ""
    password: str = ""
    password_confirm: str | None = None
    credit_code_confirmed: bool = Field(
        False, description="代码未通过校验位检查、但与营业执照一致（早期试点代码）时为 true；否则该代码被拒绝",
    )


class EmployerItem(Schema):
    id: int
    name: str
    credit_code: str
    credit_code_needs_review: bool
    contact_name: str
    status: str
    status_label: str
    registered_at: dt.datetime | None


class EmployerList(Schema):
    items: list[EmployerItem]
    count: int


class EmployerOut(EmployerItem):
    nature_code: str
    nature: str
    industry_code: str
    industry: str
    region_code: str
    region: str
    address: str
    contact_phone: str
    review_note: str
    reviewed_at: dt.datetime | None
    has_licence: bool
    may_invite: bool
    why_not: str


class RegisteredOut(Schema):
    """The answer to a registration: the same whether or not the login name was free (no enumeration)."""
    username: str
    detail: str
    status: str
    status_label: str
    may_invite: bool
    why_not: str


class RejectIn(Schema):
    reason: str = ""


class ListQuery(Schema):
    status: str = ""
    q: str = ""
    page: int = 1
    page_size: int = 20


def _item(e: Employer) -> dict:
    return {
        "id": e.pk, "name": e.name, "credit_code": e.credit_code, "credit_code_needs_review": e.credit_code_needs_review,
        "contact_name": e.contact_name, "status": e.review_state, "status_label": e.review_state_label,
        "registered_at": e.registered_at,
    }


def _out(e: Employer) -> dict:
    return _item(e) | {
        "nature_code": e.nature_code, "nature": code_map("dwxz").get(e.nature_code, ""),
        "industry_code": e.industry_code, "industry": code_map("dwhy").get(e.industry_code, ""),
        "region_code": e.region_code, "region": region_name(e.region_code) if e.region_code else "",
        "address": e.address, "contact_phone": e.contact_phone, "review_note": e.review_note,
        "reviewed_at": e.reviewed_at, "has_licence": bool(e.licence), "may_invite": employer_may_invite(e),
        "why_not": employer_why_not(e),
    }


@router.post("/employers/register", response={201: RegisteredOut, 400: FieldsProblem, 403: Problem})
def employer_register(request, payload: Form[EmployerRegisterIn], licence: File[UploadedFile] = None):
    """用人单位注册 (multipart: the fields and the licence file); the unit waits for review, the account may log in."""
    if check_csrf(request) is not None:
        raise Forbidden("CSRF 校验失败：请先请求 /api/v1/auth/csrf 并在 X-CSRFToken 头中带回令牌。")
    user = services.employer_register(**payload.dict(), licence=licence, ip=client_ip(request))
    # a refusal (400 with `errors` by field) is the exception handler's
    return Status(201, {
        "username": user.username, "detail": "单位信息已提交，正在等待平台管理员审核。请使用您设置的用户名和密码登录。",
        "status": ReviewStatus.PENDING.value, "status_label": ReviewStatus.PENDING.label,
        "may_invite": False, "why_not": PENDING_MESSAGE,
    })


@router.get("/employers/me", auth=django_auth, response={200: EmployerOut, **ERRORS})
def employer_me(request):
    """The caller's own unit, its review status, and whether (or why not) it may invite graduates."""
    return _out(employer_of(request.user))


@router.get("/employers", auth=django_auth, response={200: EmployerList, **ERRORS})
def employer_list(request, filters: Query[ListQuery]):
    """The operator's review list: pending first; filter by status (pending/approved/rejected) and name or code."""
    qs = employers_for_review(request.user, status=filters.status, q=filters.q)
    page = paginate(qs, filters.page, filters.page_size)
    return {"items": [_item(e) for e in page.items], "count": page.count}


@router.get("/employers/{employer_id}", auth=django_auth, response={200: EmployerOut, **ERRORS})
def employer_detail(request, employer_id: int):
    return _out(employer_get_for_review(request.user, employer_id))


@router.get("/employers/{employer_id}/licence", auth=django_auth, response={200: None, **ERRORS})
def employer_licence(request, employer_id: int):
    """The licence file: the operator, or the employer's own users."""
    e = employer_licence_for(request.user, employer_id)
    return upload_response(
        e.licence, content_type=e.licence_content_type or "application/octet-stream",
        download_name=f"营业执照-{e.credit_code}{Path(e.licence).suffix}", inline=False,
    )


@router.post("/employers/{employer_id}/approve", auth=django_auth, response={200: EmployerOut, **ERRORS})
def employer_approve(request, employer_id: int):
    return _out(services.employer_approve(actor=request.user, employer_id=employer_id, ip=client_ip(request)))


@router.post("/employers/{employer_id}/reject", auth=django_auth, response={200: EmployerOut, **ERRORS})
def employer_reject(request, employer_id: int, payload: RejectIn):
    employer = services.employer_reject(
        actor=request.user, employer_id=employer_id, reason=payload.reason, ip=client_ip(request)
    )
    return _out(employer)
