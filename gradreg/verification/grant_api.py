"""核验授权 over the API (tag `verification`): the graduate's 实人认证, 核验授权 and own status (with the 核验编号,
to them alone); the staff's 档案/户口信息核验列表 and one graduate's sheet preview (never a code). The same
services and reads as the pages."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.security import django_auth

from gradreg.common.views import client_ip
from gradreg.workflow.api import ERRORS, LabelValue, Text

from . import confirmation_api
from . import grants as g
from .grant_pages import GRANT_LISTS
from .sheets import Sheet

router = Router(tags=["verification"], auth=django_auth)

STATUS_HELP = "unconfirmed 未确认，active 生效中，expired 已过期"


class GrantStartIn(Schema):
    channel: Text = Field("sms", description="验证码发送方式：sms 手机短信，email 电子邮箱")


class GrantStartOut(Schema):
    provider: str = Field(description="实人认证方式")
    channel: str
    channel_label: str
    sent_to: str = Field(description="验证码发送到的号码或邮箱（已遮蔽）")
    expires_at: dt.datetime


class GrantAuthoriseIn(Schema):
    id_number: Text = Field(description="本人身份证号（18位）")
    code: Text = Field(description="收到的6位验证码")


class GrantSheetOut(Schema):
    kind: str
    title: str
    code_label: str = Field(description="编号类型；预览不含编号时为空")
    code: str = Field(description="核验编号（分组显示）；仅毕业生本人查看时给出")
    qr_url: str
    basic: list[LabelValue]
    destination: list[LabelValue]
    transfer_title: str
    transfer: list[LabelValue] = Field(description="档案转递或户口迁移信息；未登记时为空")


class GrantMineOut(Schema):
    graduate_id: int
    name: str
    status: str = Field(description=STATUS_HELP)
    status_label: str
    confirmation_status: str
    confirmation_status_label: str
    may_authorise: bool
    refusal: str = Field(description="不能核验授权的原因；可以授权时为空")
    provider: str = Field(description="实人认证方式")
    code: str | None = Field(description="核验编号（仅生效中时给出，分组显示）")
    granted_at: dt.datetime | None = None
    expires_at: dt.datetime | None = Field(None, description="授权有效期至")
    public_until: dt.date = Field(description="核验编号在线核验服务期至（毕业时间加六个月）")
    sheets: list[GrantSheetOut]


class GrantListItemOut(Schema):
    graduate_id: int
    exam_no: str
    name: str
    department: str
    graduation_year: int
    confirmation_status: str
    confirmation_status_label: str
    status: str = Field(description=STATUS_HELP)
    status_label: str
    granted_at: Any = None
    expires_at: Any = None


class GrantListOut(Schema):
    items: list[GrantListItemOut]
    count: int


class GrantListQuery(confirmation_api.ListQuery):
    status: str = Field("", description="核验状态，空为全部")


class GrantPreviewOut(Schema):
    graduate_id: int
    exam_no: str
    name: str
    note: str
    sheet: GrantSheetOut


def _rows(rows) -> list[dict[str, str]]:
    return [{"label": label, "value": value} for label, value in rows]


def _sheet(s: Sheet) -> dict[str, Any]:
    return {"kind": s.kind, "title": s.title, "code_label": s.code_label, "code": s.code_shown, "qr_url": s.qr_url,
            "basic": _rows(s.basic), "destination": _rows(s.destination), "transfer_title": s.transfer_title,
            "transfer": _rows(s.transfer)}


def _mine(m: g.Mine) -> dict[str, Any]:
    live = m.grant if m.status != g.GS.UNCONFIRMED else None
    return {"graduate_id": m.graduate.pk, "name": m.graduate.name, "status": m.status, "status_label": m.status_label,
            "confirmation_status": m.confirm_status, "confirmation_status_label": m.confirm_label,
            "may_authorise": m.may_authorise, "refusal": m.refusal.message if m.refusal else "",
            "provider": m.provider.name, "code": m.code_shown or None,
            "granted_at": live.granted_at if live else None, "expires_at": live.expires_at if live else None,
            "public_until": m.public_until, "sheets": [_sheet(s) for s in m.sheets()]}


@router.post("/verification/identity-check", response={200: GrantStartOut, **ERRORS},
             operation_id="verification_identity_start", summary="实人认证：获取验证码")
def identity_start(request: HttpRequest, payload: GrantStartIn):
    """Send the built-in provider's code to the roster's phone or e-mail (毕业生，确认无误后)."""
    s = g.start_identity_check(actor=request.user, channel=payload.channel, ip=client_ip(request))
    return {"provider": g.get_provider().name, "channel": s.channel, "channel_label": s.channel_label,
            "sent_to": s.sent_to, "expires_at": s.expires_at}


@router.post("/verification/grant", response={200: GrantMineOut, **ERRORS}, operation_id="verification_authorise",
             summary="核验授权：实人认证并生成核验编号")
def authorise(request: HttpRequest, payload: GrantAuthoriseIn):
    """ID number + code: a new 核验编号 (any earlier one stops verifying) (毕业生，确认无误后)."""
    g.authorise(request.user, id_number=payload.id_number, code=payload.code, ip=client_ip(request))
    return _mine(g.mine(request.user))


@router.get("/verification/grant", response={200: GrantMineOut, **ERRORS}, operation_id="verification_mine",
            summary="我的核验授权")
def mine(request: HttpRequest):
    """核验状态, the 核验编号 while 生效中, its validity and both sheets (毕业生本人)."""
    return _mine(g.mine(request.user))


@router.get("/verification/grants/{kind}", response={200: GrantListOut, **ERRORS}, operation_id="verification_grant_list",
            summary="档案/户口信息核验列表")
def grant_list(request: HttpRequest, kind: str, filters: Query[GrantListQuery]):
    """Valid graduates of the user's scope (户口: on the 户口 roster) with their 核验状态; no code (院系、学校用户)."""
    g.ensure_staff(request.user)
    spec = GRANT_LISTS[g.sheet_kind(kind)]
    qs = spec.queryset(request.user, {"status": filters.status, "q": filters.q,
                                      "graduation_year": filters.graduation_year})
    return spec.api_page(request.user, qs, filters.page, filters.page_size, item=lambda r, user: {
        "graduate_id": r["id"], "exam_no": r["exam_no"], "name": r["name"], "department": r["department_name"],
        "graduation_year": r["graduation_year"], "confirmation_status": r["confirm_status"],
        "confirmation_status_label": r["confirm_label"], "status": r["grant_status"],
        "status_label": r["status_label"], "granted_at": r["granted_at"], "expires_at": r["expires_at"]})


@router.get("/verification/grants/{kind}/{graduate_id}", response={200: GrantPreviewOut, **ERRORS},
            operation_id="verification_grant_preview", summary="去向登记信息表预览（不含核验编号）")
def preview(request: HttpRequest, kind: str, graduate_id: int):
    """查询: one graduate's sheet as it stands, without a code (院系、学校用户 of the graduate's scope)."""
    graduate, sheet = g.preview(request.user, kind, graduate_id)
    return {"graduate_id": graduate.pk, "exam_no": graduate.exam_no, "name": graduate.name, "note": g.NO_CODE_NOTE,
            "sheet": _sheet(sheet)}
