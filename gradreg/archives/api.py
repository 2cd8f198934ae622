"""档案信息管理 and 户口信息管理 over the API (tags `archive`, `hukou`): one generator builds both routers.

The info list (graduates with their 登记状态), a graduate's registered info and the department's direct
registration, the applications (list, one, submit, 修改申请 or 修改信息, the table's moves, 批量审核). Every
operation calls the same selectors and services as the pages (scope, roles and states are decided there).
"""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.security import django_auth

from gradreg.common.pagination import paginate
from gradreg.common.roles import Role
from gradreg.common.views import client_ip
from gradreg.ems.transfer_modules import ARCHIVE, HUKOU, INFO_COLUMNS, Module
from gradreg.ems.transfer_validation import shown_rows
from gradreg.workflow.api import (
    ERRORS,
    ActIn,
    BatchIn,
    BatchResultOut,
    LabelValue,
    Text,
    action_summary,
    available_actions,
    batch_results,
    table_actions,
)

from . import selectors, services
from .flows import APPLICATION
from .lists import lists_of
from .models import APPLICATION_STATES, RecordState, TransferApplication

# ---- schemas ----------------------------------------------------------------------------------------------

class InfoFields(Schema):
    transfer_type: str
    unit_name: str
    address: str
    region: str
    postcode: str
    contact: str
    phone: str


class InfoRowOut(Schema):
    graduate_id: int
    exam_no: str
    student_no: str
    name: str
    department: str
    graduation_year: int
    origin_region: str
    state: str = Field(description="登记状态：none 未登记，pending 审核中，registered 已登记")
    state_label: str
    transfer_type: str
    unit_name: str
    region: str
    updated_at: Any = None


class InfoList(Schema):
    items: list[InfoRowOut]
    count: int


class Paged(Schema):
    page: int = 1
    page_size: int = Field(20, description="每页条数，最多 100")


class InfoQuery(Paged):
    state: str = Field("", description="登记状态（none/pending/registered），空为全部")
    q: Text = Field("", description="姓名（前缀）、考生号或学号")
    department: int | None = None
    graduation_year: int | None = None
    transfer_type: Text = Field("", description="转递（迁移）类型代码")


class RecordOut(InfoFields):
    graduate_id: int
    exam_no: str
    name: str
    department: str
    state: str
    state_label: str
    source: str
    source_label: str
    registered_at: Any = None
    inactive_at: Any = None
    version: int
    shown: list[LabelValue]


class InfoIn(Schema):
    data: dict[str, Text | int | float | None] = Field(description="字段名 → 值（见各模块的字段）")


class EditIn(InfoIn):
    reason: Text = Field("", description="修改说明（审核人员修改信息时告知毕业生）")


class ApplicationItemOut(Schema):
    id: int
    status: str
    status_label: str
    invalid: bool = Field(description="毕业生已失效：记录冻结")
    apply_type: str
    graduate_name: str
    exam_no: str
    department: str
    graduation_year: int
    transfer_type: str
    unit_name: str
    region: str
    updated_at: Any
    last_reason: str


class ApplicationList(Schema):
    items: list[ApplicationItemOut]
    count: int


class ApplicationQuery(Paged):
    status: str | None = Field(None, description="状态；不传时为本角色的默认（等待本级审核），传空串为全部；invalid 为失效")
    apply_type: str = Field("", description="register 登记 / modify 修改")
    q: Text = Field("", description="姓名或考生号")


class ApplicationOut(InfoFields):
    id: int
    kind: str
    status: str
    status_label: str
    apply_type: str
    apply_type_label: str
    invalid: bool
    graduate_id: int
    graduate_name: str
    exam_no: str
    department: str
    graduation_year: int
    last_reason: str
    reviewer_edited_at: Any = None
    decided_at: Any = None
    created_at: Any
    updated_at: Any
    shown: list[LabelValue]
    actions: list[str]


# ---- shaping ----------------------------------------------------------------------------------------------

def _shown(module: Module, obj) -> list[dict[str, str]]:
    return [{"label": label, "value": value}
            for label, value in shown_rows(module, {n: getattr(obj, n) for n in INFO_COLUMNS})]


def _info_row(r: dict) -> dict[str, Any]:
    state = r["record_state"] or RecordState.NONE
    return {"graduate_id": r["id"], "exam_no": r["exam_no"], "student_no": r["student_no"], "name": r["name"],
            "department": r["department_name"], "graduation_year": r["graduation_year"],
            "origin_region": r["origin_region"], "state": state, "state_label": RecordState(state).label,
            "transfer_type": r["record_type"] or "", "unit_name": r["record_unit"] or "",
            "region": r["record_region"] or "", "updated_at": r["record_updated"]}


def _record(module: Module, graduate) -> dict[str, Any]:
    record = selectors.record_of(graduate.pk, module, graduate.school_id)
    out: dict[str, Any] = {"graduate_id": graduate.pk, "exam_no": graduate.exam_no, "name": graduate.name,
                           "department": graduate.department.name}
    if record is None:
        return {**out, **dict.fromkeys(INFO_COLUMNS, ""), "state": RecordState.NONE,
                "state_label": RecordState.NONE.label, "source": "", "source_label": "", "version": 0, "shown": []}
    return {**out, **{n: getattr(record, n) for n in INFO_COLUMNS}, "state": record.state,
            "state_label": record.get_state_display(), "source": record.source,
            "source_label": record.get_source_display() if record.source else "",
            "registered_at": record.registered_at, "inactive_at": record.inactive_at, "version": record.version,
            "shown": _shown(module, record) if record.registered else []}


def _application_row(r: dict) -> dict[str, Any]:
    return {"id": r["id"], "status": r["status"], "status_label": APPLICATION_STATES.label(r["status"]),
            "invalid": not r["graduate_valid"], "apply_type": r["apply_type"], "graduate_name": r["graduate_name"],
            "exam_no": r["exam_no"], "department": r["department_name"], "graduation_year": r["graduation_year"],
            "transfer_type": r["transfer_type"], "unit_name": r["unit_name"], "region": r["region"],
            "updated_at": r["updated_at"], "last_reason": r["last_reason"]}


def _application(item: TransferApplication, actor) -> dict[str, Any]:
    return {
        **{name: getattr(item, name) for name in (
            "id", "kind", "status", "apply_type", "graduate_id", "graduate_name", "exam_no", "graduation_year",
            "last_reason", "reviewer_edited_at", "decided_at", "created_at", "updated_at", *INFO_COLUMNS)},
        "status_label": item.get_status_display(), "apply_type_label": item.get_apply_type_display(),
        "invalid": not item.graduate.is_valid, "department": item.department.name,
        "shown": _shown(item.module, item), "actions": available_actions(APPLICATION, actor, item),
    }


def _applications(actor, module: Module, f: ApplicationQuery):
    """The list's rows: the graduate's own applications, or the reviewer's list opening on their default state."""
    if actor.role == Role.GRADUATE:
        qs = selectors.mine(actor, module)
        return qs.filter(status=f.status) if f.status else qs
    status = APPLICATION_STATES.default_for(actor.role) if f.status is None else f.status
    return selectors.application_search(actor, module, selectors.ApplicationFilters(
        status=status, apply_type=f.apply_type, q=f.q))


# ---- the two routers, built the same way ---------------------------------------------------------------

def module_router(module: Module) -> Router:
    router = Router(tags=[module.kind], auth=django_auth)
    k, what = module.kind, module.info
    base = f"/{module.url}"
    one = f"{base}/applications/{{item_id}}"

    @router.get(f"{base}/info", response={200: InfoList, **ERRORS}, operation_id=f"{k}_info_list",
                summary=f"{what}列表（登记状态）")
    def info_list(request: HttpRequest, filters: Query[InfoQuery]):
        """The module's roster in the user's scope (户口: graduates whose 户口 moved to the school), with their
        登记状态 and registered info (院系、学校用户)."""
        qs = selectors.info_search(request.user, module, selectors.InfoFilters(
            state=filters.state, q=filters.q, department=filters.department,
            graduation_year=filters.graduation_year, transfer_type=filters.transfer_type))
        page = paginate(qs, filters.page, filters.page_size, rows=selectors.info_rows)
        return {"items": [_info_row(r) for r in page.items], "count": page.count}

    @router.get(f"{base}/info/{{graduate_id}}", response={200: RecordOut, **ERRORS},
                operation_id=f"{k}_info_detail", summary=f"毕业生的{what}")
    def info_detail(request: HttpRequest, graduate_id: int):
        selectors.ensure_staff(request.user, module)
        return _record(module, selectors.module_graduate(request.user, module, graduate_id))

    @router.put(f"{base}/info/{{graduate_id}}", response={200: RecordOut, **ERRORS},
                operation_id=f"{k}_info_write", summary=f"院系直接登记或修改{what}")
    def info_write(request: HttpRequest, graduate_id: int, payload: InfoIn):
        """No school review (seed 4.3.1); audited and sent to EMS at once."""
        record = services.write_record(actor=request.user, module=module, graduate_id=graduate_id,
                                       data=payload.data, ip=client_ip(request))
        return _record(module, record.graduate)

    @router.get(f"{base}/applications", response={200: ApplicationList, **ERRORS},
                operation_id=f"{k}_application_list", summary=f"{what}申请列表")
    def application_list(request: HttpRequest, filters: Query[ApplicationQuery]):
        qs = _applications(request.user, module, filters)
        page = paginate(qs, filters.page, filters.page_size, rows=selectors.application_rows)
        return {"items": [_application_row(r) for r in page.items], "count": page.count}

    @router.post(f"{base}/applications", response={201: ApplicationOut, **ERRORS},
                 operation_id=f"{k}_application_submit", summary=f"提交{what}申请")
    def application_submit(request: HttpRequest, payload: InfoIn):
        """The graduate's 登记 (the first time) or 修改 (once registered)."""
        item = services.submit(actor=request.user, module=module, data=payload.data, ip=client_ip(request))
        return Status(201, _application(item, request.user))

    @router.post(f"{base}/applications/batch", response={200: list[BatchResultOut], **ERRORS},
                 operation_id=f"{k}_application_batch", summary=f"批量审核{what}申请")
    def application_batch(request: HttpRequest, payload: BatchIn):
        """approve or reject (with one reason) each application, each in its own transaction: the list's own
        批量审核 (`lists.applications`), as the page runs it."""
        return batch_results(lists_of(module).applications, request.user, payload, client_ip(request))

    @router.get(one, response={200: ApplicationOut, **ERRORS}, operation_id=f"{k}_application_detail",
                summary=f"{what}申请详情")
    def application_detail(request: HttpRequest, item_id: int):
        return _application(selectors.module_application(request.user, module, item_id), request.user)

    @router.put(one, response={200: ApplicationOut, **ERRORS}, operation_id=f"{k}_application_edit",
                summary="修改申请 / 修改信息")
    def application_edit(request: HttpRequest, item_id: int, payload: EditIn):
        """The graduate changes the application before any review (修改申请); the reviewer it waits for changes
        it in place (修改信息, the graduate is told)."""
        ip = client_ip(request)
        if request.user.role == Role.GRADUATE:
            item = services.amend(actor=request.user, module=module, pk=item_id, data=payload.data, ip=ip)
        else:
            item = services.reviewer_edit(actor=request.user, module=module, pk=item_id, data=payload.data,
                                          reason=payload.reason, ip=ip)
        return _application(item, request.user)

    def action_view(action: str):
        def act(request: HttpRequest, item_id: int, payload: ActIn):
            item = services.act(actor=request.user, module=module, pk=item_id, action=action,
                                reason=payload.reason, ip=client_ip(request))
            return _application(item, request.user)

        act.__name__ = f"{k}_{action}"
        return act

    for action, doc in table_actions((APPLICATION,), services.DATA_ACTIONS).items():
        router.post(f"{one}/{action}", response={200: ApplicationOut, **ERRORS},
                    summary=action_summary((APPLICATION,), action), description=doc,
                    operation_id=f"{k}_application_{action}")(action_view(action))
    return router


routers = (module_router(ARCHIVE), module_router(HUKOU))
