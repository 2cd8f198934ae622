"""转递编号 over the API (tag `verification`): the 档案/户口信息转递列表 with the codes, and 批量生成/重新生成
(school and department users; never the graduate). The same reads and service as the pages."""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.security import django_auth

from gradreg.common.views import client_ip
from gradreg.workflow.api import ERRORS, Text

from . import transfers as t
from .transfer_pages import SPECS

router = Router(tags=["verification"], auth=django_auth)


class TransferItemOut(Schema):
    graduate_id: int
    exam_no: str
    name: str
    department: str
    graduation_year: int
    destination: str
    code: str = Field(description="有效的转递编号（如 K7QF-9XM2-C4TR-HW8N）；未生成或已失效为空")
    status: str = Field(description="none 未生成，current 有效，stale 已失效")
    status_label: str
    updated_at: Any = None


class TransferListOut(Schema):
    items: list[TransferItemOut]
    count: int


class TransferQuery(Schema):
    status: str = Field("", description="none 未生成 / generated 已生成 / current 有效 / stale 已失效，空为全部")
    updated_from: str = Field("", description="更新时间起（YYYY-MM-DD）")
    updated_to: str = Field("", description="更新时间止（YYYY-MM-DD）")
    q: Text = Field("", description="姓名（前缀）或考生号")
    graduation_year: int | None = None
    department: int | None = Field(None, description="院系（学校用户）")
    page: int = 1
    page_size: int = Field(20, description="每页条数，最多 100")


class GenerateIn(Schema):
    department: int | None = Field(None, description="只为该院系生成（学校用户；院系用户为本院系）")


class RunOut(Schema):
    run_id: int
    kind: str
    created: int = Field(description="新生成的转递编号数")
    renewed: int = Field(description="重新生成（原编号已失效）的转递编号数")
    message: str


def _spec(kind: str):
    return SPECS[t.clean_kind(kind)]


@router.get("/verification/transfers/{kind}", response={200: TransferListOut, **ERRORS}, operation_id="transfer_list",
            summary="档案/户口信息转递列表")
def transfer_list(request: HttpRequest, kind: str, filters: Query[TransferQuery]):
    """Graduates in scope with a reported destination and their 转递编号 of the sheet (学校、院系用户)."""
    spec = _spec(kind)
    qs = spec.queryset(request.user, {k: v for k, v in filters.dict().items() if k not in ("page", "page_size")})
    return spec.api_page(request.user, qs, filters.page, filters.page_size, item=lambda r, user: {
        "graduate_id": r["id"], "exam_no": r["exam_no"], "name": r["name"], "department": r["department_name"],
        "graduation_year": r["graduation_year"], "destination": r["destination"], "code": r["code_shown"],
        "status": r["code_status"], "status_label": r["status_label"], "updated_at": r["code_updated"]})


@router.post("/verification/transfers/{kind}/generate", response={200: RunOut, **ERRORS}, operation_id="transfer_generate",
             summary="批量生成/重新生成转递编号")
def transfer_generate(request: HttpRequest, kind: str, payload: GenerateIn):
    """New codes for graduates in scope without one, renewed stale ones; current codes are kept (学校、院系用户)."""
    run = t.generate(request.user, kind, department=payload.department, ip=client_ip(request))
    return {"run_id": run.pk, "kind": run.kind, "created": run.created, "renewed": run.renewed,
            "message": t.run_message(run)}
