"""登记确认信息 over the API (tag `confirmation`): the graduate's own confirmation (read, 确认无误 / 确认有误),
the staff list, one graduate's confirmation and the statistics. The same reads and services as the pages."""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.security import django_auth

from gradreg.common.errors import Invalid
from gradreg.common.views import client_ip
from gradreg.workflow.api import ERRORS, LabelValue, Text

from . import confirmation as c
from .confirmation_pages import CONFIRMATION_LIST

router = Router(tags=["confirmation"], auth=django_auth)


class SectionOut(Schema):
    kind: str
    title: str
    rows: list[LabelValue]


class RecordOut(Schema):
    action: str
    action_label: str
    status: str
    status_label: str
    description: str
    changed_fields: list[str]
    at: Any


class ConfirmationOut(Schema):
    graduate_id: int
    exam_no: str
    name: str
    department: str
    graduation_year: int
    status: str = Field(description="not_reported 未上报，unconfirmed 未确认，correct 确认无误，wrong 确认有误")
    status_label: str
    description: str = Field(description="确认有误时毕业生填写的有误说明")
    confirmed_at: Any = None
    source: str = Field(description="毕业生信息来源（就业管理系统中毕业去向的来源），未上报为空")
    destination: list[LabelValue]
    sections: list[SectionOut]
    may_confirm: bool
    records: list[RecordOut]


class ConfirmIn(Schema):
    result: str = Field(description="correct 确认无误 / wrong 确认有误")
    description: Text = Field("", description="确认有误时必填：有误的具体内容（最多500字）")


class ListItemOut(Schema):
    graduate_id: int
    exam_no: str
    name: str
    department: str
    graduation_year: int
    source: str
    source_label: str
    status: str
    status_label: str
    description: str
    confirmed_at: Any = None


class ListOut(Schema):
    items: list[ListItemOut]
    count: int


class ListQuery(Schema):
    status: str = Field("", description="登记确认状态，空为全部")
    q: Text = Field("", description="姓名（前缀）或考生号")
    graduation_year: int | None = None
    page: int = 1
    page_size: int = Field(20, description="每页条数，最多 100")


class CountsOut(Schema):
    label: str
    counts: list[int] = Field(description="依次为未上报、未确认、确认无误、确认有误")
    total: int


class StatisticsOut(Schema):
    statuses: list[str]
    by_source: list[CountsOut]
    by_department: list[CountsOut]
    totals: list[int]
    total: int


def _rows(rows) -> list[dict[str, str]]:
    return [{"label": label, "value": value} for label, value in rows]


def _out(o: c.Overview, *, may_confirm: bool) -> dict[str, Any]:
    g, held = o.graduate, o.ems["held"]
    return {"graduate_id": g.pk, "exam_no": g.exam_no, "name": g.name, "department": g.department.name,
            "graduation_year": g.graduation_year, "status": o.status, "status_label": o.status_label,
            "description": o.description,
            "confirmed_at": o.confirmation.confirmed_at if o.confirmation and o.reported else None,
            "source": held.source if held is not None else "", "destination": _rows(c.destination_rows(o.ems)),
            "sections": [{**s, "rows": _rows(s["rows"])} for s in o.sections], "may_confirm": may_confirm,
            "records": [{"action": r.action, "action_label": r.get_action_display(), "status": r.status,
                         "status_label": r.get_status_display(), "description": r.description,
                         "changed_fields": r.changed.get("fields", []), "at": r.at} for r in o.records()]}


@router.get("/confirmation/mine", response={200: ConfirmationOut, **ERRORS}, operation_id="confirmation_mine",
            summary="我的登记确认信息")
def mine(request: HttpRequest):
    """The graduate's own: EMS's destination, 档案/户口 info, the status and the history (毕业生)."""
    o = c.overview(c.my_graduate(request.user))
    return _out(o, may_confirm=c.may_confirm(o))


@router.post("/confirmation/mine", response={200: ConfirmationOut, **ERRORS}, operation_id="confirmation_confirm",
             summary="登记确认：确认无误或确认有误")
def confirm(request: HttpRequest, payload: ConfirmIn):
    """确认无误, or 确认有误 with a description (毕业生; not while 未上报, nor when 失效 or past the window)."""
    if payload.result not in ("correct", "wrong"):
        raise Invalid({"result": ["请选择确认无误（correct）或确认有误（wrong）。"]})
    c.confirm(actor=request.user, correct=payload.result == "correct", description=payload.description,
              ip=client_ip(request))
    o = c.overview(c.my_graduate(request.user))
    return _out(o, may_confirm=c.may_confirm(o))


@router.get("/confirmations", response={200: ListOut, **ERRORS}, operation_id="confirmation_list",
            summary="登记确认情况列表")
def confirmation_list(request: HttpRequest, filters: Query[ListQuery]):
    """Valid graduates in the user's scope with their 登记确认状态 (院系、学校用户)."""
    qs = CONFIRMATION_LIST.queryset(request.user, {"status": filters.status, "q": filters.q,
                                                   "graduation_year": filters.graduation_year})
    return CONFIRMATION_LIST.api_page(request.user, qs, filters.page, filters.page_size, item=lambda r, user: {
        "graduate_id": r["id"], "exam_no": r["exam_no"], "name": r["name"], "department": r["department_name"],
        "graduation_year": r["graduation_year"], "source": r["source"] or "", "source_label": r["source_label"],
        "status": r["confirm_status"], "status_label": r["status_label"], "description": r["description"] or "",
        "confirmed_at": r["confirmed_at"]})


@router.get("/confirmations/statistics", response={200: StatisticsOut, **ERRORS},
            operation_id="confirmation_statistics", summary="登记确认情况统计")
def statistics(request: HttpRequest, graduation_year: int | None = None):
    """Counts per status by 毕业生信息来源 and by department (院系、学校用户)."""
    s = c.statistics(request.user, graduation_year)
    return {"statuses": [label for _, label in s["statuses"]],
            "by_source": [{"label": r["label"], "counts": r["counts"], "total": r["total"]} for r in s["by_source"]],
            "by_department": [{"label": r["name"], "counts": r["counts"], "total": r["total"]}
                              for r in s["by_department"]],
            "totals": s["totals"], "total": s["total"]}


@router.get("/confirmations/{graduate_id}", response={200: ConfirmationOut, **ERRORS},
            operation_id="confirmation_detail", summary="毕业生的登记确认信息")
def detail(request: HttpRequest, graduate_id: int):
    """One graduate of the user's scope: status, what they wrote, EMS's destination and the history."""
    return _out(c.overview(c.staff_graduate(request.user, graduate_id)), may_confirm=False)
