"""去向登记 and 补登 over the API (tags `destination`, `paper-agreement`): one operation per action of the
two tables, the lists, 批量审核, the registration form's taxonomy. Every operation calls the same
selectors and services as the pages (scope, roles and states are decided there).
"""
from __future__ import annotations

import json
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.security import django_auth

from gradreg.codes.destinations import destination_types
from gradreg.common.api import AuditEventOut
from gradreg.common.errors import DomainError
from gradreg.common.roles import Role
from gradreg.common.views import client_ip
from gradreg.organisations.warnings import item_warning
from gradreg.roster.review import review_panel
from gradreg.workflow.api import (
    ERRORS,
    ActIn,
    BatchIn,
    BatchResultOut,
    CompareRow,
    LabelValue,
    Text,
    action_summary,
    available_actions,
    batch_results,
    compare_rows,
    table_actions,
)
from gradreg.workflow.audit import timeline

from . import services
from .files import proof_copy
from .flows import WORKFLOWS
from .lists import PAPER_REVIEW, REGISTRATION_REVIEW
from .models import DestinationItem, PaperAgreement, Registration
from .services import GET_FOR
from .validation import detail_rows

OWN_ENDPOINT = frozenset({"resubmit", "edit"})


# ---- schemas ----------------------------------------------------------------------------------------------

class FieldOut(Schema):
    name: str
    label: str
    kind: str = Field(description="text, credit_code, code:<代码表>, region, country, date, years, choice:…")
    required: bool
    one_of: list[str] = Field(description="至少填写其中一项的字段组（空为无）")
    choices: list[str]
    max_length: int | None
    help: str


class DestinationTypeOut(Schema):
    key: str
    type: str
    subtype: str
    name: str
    code: str = Field(description="毕业去向代码（国家代码表）")
    code_2024: str
    fields: list[FieldOut]
    proof: str = Field(description="须上传的证明材料（空为无需上传）")
    archive_hukou: bool = Field(description="是否填写档案/户口接收信息")


class DestinationOut(Schema):
    id: int
    type_key: str
    destination_type: str
    subtype: str
    type_label: str
    destination_code: str
    status: str
    status_label: str
    invalid: bool = Field(description="毕业生已失效：记录冻结")
    graduate_id: int
    graduate_name: str
    exam_no: str
    department: str
    graduation_year: int
    unit_name: str
    credit_code: str
    region: str
    details: dict[str, Any]
    details_display: list[LabelValue]
    archive_unit: str
    archive_address: str
    hukou_unit: str
    hukou_address: str
    has_proof: bool
    last_reason: str
    reject_category: str
    returned: bool
    submitted_at: Any = None
    approved_at: Any = None
    voided_at: Any = None
    reviewer_edited_at: Any = None
    created_at: Any
    updated_at: Any
    warned: bool
    actions: list[str]
    compare: list[CompareRow] | None = None
    key_differs: bool | None = None
    refreshed_info: dict[str, str] | None = None


class DestinationItemOut(Schema):
    id: int
    status: str
    status_label: str = Field(description="状态（毕业生已失效时标注“失效”）")
    invalid: bool = Field(description="毕业生已失效：记录冻结")
    graduate_name: str
    exam_no: str
    department: str
    type_label: str
    unit_name: str
    graduation_year: int
    updated_at: Any
    last_reason: str


class DestinationList(Schema):
    items: list[DestinationItemOut]
    count: int


class ListQuery(Schema):
    status: str | None = Field(None, description="状态；不传时为本角色的默认（等待本级审核），传空串为全部；invalid 为失效")
    type: Text = Field("", description="毕业去向类型")
    q: Text = Field("", description="姓名或考生号")
    unit: Text = Field("", description="单位（院校）名称前缀")
    page: int = 1
    page_size: int = 20


class EditIn(Schema):
    type_key: Text = Field("", description="新的去向类型（不传为不变；补登无需传）")
    data: dict[str, Text | int | float | None] = Field(default_factory=dict, description="字段名 → 值")
    reason: Text = Field("", description="修改说明（将告知毕业生）")


class RefreshOut(Schema):
    refreshed_info: dict[str, str]


# ---- shaping ----------------------------------------------------------------------------------------------

def _item(r: dict, actor) -> dict[str, Any]:
    return {"id": r["id"], "status": r["status"], "status_label": r["status_label"],
            "graduate_name": r["graduate_name"], "exam_no": r["exam_no"], "department": r["department_name"],
            "type_label": r["type_label"], "invalid": not r["graduate_valid"],
            "unit_name": r["unit_name"], "graduation_year": r["graduation_year"], "updated_at": r["updated_at"],
            "last_reason": r["last_reason"]}


def _out(item: DestinationItem, actor, *, reveal: bool = False, ip: str | None = None) -> dict[str, Any]:
    workflow = WORKFLOWS[type(item)]
    dtype = item.taxonomy_type
    warning = item_warning(actor, None, item.credit_code) if item.credit_code else None
    out = {
        **{name: getattr(item, name) for name in (
            "id", "type_key", "destination_type", "subtype", "type_label", "destination_code", "status",
            "graduate_id", "graduate_name", "exam_no", "graduation_year", "unit_name", "credit_code", "region",
            "details", "archive_unit", "archive_address", "hukou_unit", "hukou_address", "last_reason",
            "reject_category", "returned", "submitted_at", "approved_at", "voided_at", "reviewer_edited_at",
            "created_at", "updated_at")},
        "status_label": item.get_status_display(), "invalid": not item.graduate.is_valid,
        "department": item.department.name, "has_proof": bool(item.proof_file),
        "details_display": [{"label": k, "value": v} for k, v in detail_rows(dtype, item)],
        "warned": bool(warning is not None and warning.warned),
        "actions": available_actions(workflow, actor, item),
    }
    panel = review_panel(item, actor, workflow=workflow, reveal=reveal, ip=ip)
    if panel.get("reviewer"):
        out.update({
            "compare": compare_rows(panel["compare"]),
            "key_differs": panel["key_differs"], "refreshed_info": panel["refreshed"],
        })
    return out


def _form_data(raw: str) -> dict[str, Any]:
    """The multipart's `data`: a JSON object of field values."""
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        raise DomainError("data 应为 JSON 对象，如 {\"institution\": \"某大学\"}。", code="bad_data", field="data") from None
    if not isinstance(data, dict):
        raise DomainError("data 应为 JSON 对象。", code="bad_data", field="data")
    return {str(k): v for k, v in data.items() if isinstance(v, (str, int, float)) or v is None}


# ---- the taxonomy -------------------------------------------------------------------------------------

types_router = Router(tags=["destination"], auth=django_auth)


@types_router.get("/destination-types", response={200: list[DestinationTypeOut], **ERRORS},
                  operation_id="destination_types", summary="毕业去向类型及其字段")
def destination_type_list(request: HttpRequest, module: Literal["registration", "paper"] = "registration"):
    """The taxonomy the forms are generated from: each type's fields, kinds, required proof."""
    return [{"key": t.key, "type": t.type, "subtype": t.subtype, "name": t.name, "code": t.code,
             "code_2024": t.code_2024, "proof": t.proof, "archive_hukou": t.archive_hukou,
             "fields": [{"name": f.name, "label": f.label, "kind": f.kind, "required": f.required,
                         "one_of": list(f.one_of), "choices": list(f.choices), "max_length": f.max_length,
                         "help": f.help} for f in t.fields]}
            for t in destination_types(module).values()]


# ---- one router per model, built the same way ---------------------------------------------------------

def _router(model: type[DestinationItem], spec, *, tag: str, path: str, prefix: str, what: str) -> Router:
    router = Router(tags=[tag], auth=django_auth)
    get_for = GET_FOR[model]
    workflows = (WORKFLOWS[model],)
    one = f"/{path}/{{item_id}}"

    @router.get(f"/{path}", response={200: DestinationList, **ERRORS}, operation_id=f"{prefix}_list",
                summary=f"{what}列表")
    def item_list(request: HttpRequest, filters: Query[ListQuery]):
        user = request.user
        if user.role == Role.GRADUATE:
            qs = services.mine(model, user)
            if filters.status:
                qs = qs.filter(status=filters.status)
        else:
            qs = spec.queryset(user, {"status": filters.status, "type": filters.type, "q": filters.q,
                                      "unit": filters.unit})
        return spec.api_page(user, qs, filters.page, filters.page_size, item=_item)

    @router.post(f"/{path}", response={201: DestinationOut, **ERRORS}, operation_id=f"{prefix}_submit",
                 summary=f"提交{what}")
    def item_submit(request: HttpRequest, type_key: Form[str] = "", data: Form[str] = "{}",
                    proof: File[UploadedFile] = None):
        """Multipart: `type_key` (去向登记; 补登 has one type), `data` (a JSON object of the type's fields,
        see /destination-types), `proof` (the proof file the type asks for: JPG, PNG or PDF)."""
        item = services.submit(model, actor=request.user, type_key=type_key, data=_form_data(data), file=proof,
                               ip=client_ip(request))
        return Status(201, _out(item, request.user))

    @router.post(f"/{path}/batch", response={200: list[BatchResultOut], **ERRORS}, operation_id=f"{prefix}_batch",
                 summary=f"批量审核{what}")
    def item_batch(request: HttpRequest, payload: BatchIn):
        return batch_results(spec, request.user, payload, client_ip(request))

    @router.get(one, response={200: DestinationOut, **ERRORS}, operation_id=f"{prefix}_detail",
                summary=f"{what}详情")
    def item_detail(request: HttpRequest, item_id: int, reveal: Literal["", "id_number"] = ""):
        """Reviewers also get the student-info comparison (ID numbers masked unless `reveal=id_number`, logged)."""
        return _out(get_for(request.user, item_id), request.user, reveal=reveal == "id_number", ip=client_ip(request))

    @router.get(f"{one}/timeline", response={200: list[AuditEventOut], **ERRORS},
                operation_id=f"{prefix}_timeline", summary=f"{what}处理记录")
    def item_timeline(request: HttpRequest, item_id: int):
        item = get_for(request.user, item_id)
        return timeline(WORKFLOWS[model].item_type, item.pk)

    @router.get(f"{one}/proof", response={200: None, **ERRORS}, operation_id=f"{prefix}_proof",
                summary="下载证明材料")
    def item_proof(request: HttpRequest, item_id: int):
        return proof_copy(model, request.user, item_id)

    @router.post(f"{one}/resubmit", response={200: DestinationOut, **ERRORS}, operation_id=f"{prefix}_resubmit",
                 summary="修改后重新提交")
    def item_resubmit(request: HttpRequest, item_id: int, type_key: Form[str] = "", data: Form[str] = "{}",
                      proof: File[UploadedFile] = None):
        """After 撤回 or 退回修改 (multipart as for submitting; a new `proof` is optional when one exists)."""
        item = services.resubmit(model, actor=request.user, pk=item_id, type_key=type_key, data=_form_data(data),
                                 file=proof, ip=client_ip(request))
        return _out(item, request.user)

    @router.post(f"{one}/edit", response={200: DestinationOut, **ERRORS}, operation_id=f"{prefix}_edit",
                 summary="修改去向")
    def item_edit(request: HttpRequest, item_id: int, payload: EditIn):
        """修改去向: the reviewer it waits for (or the school, once approved) changes type and fields; the
        graduate is told."""
        item = services.reviewer_edit(model, actor=request.user, pk=item_id, type_key=payload.type_key,
                                      data=payload.data, reason=payload.reason, ip=client_ip(request))
        return _out(item, request.user)

    @router.post(f"{one}/refresh-student-info", response={200: RefreshOut, **ERRORS},
                 operation_id=f"{prefix}_refresh_student_info", summary="获取最新学生信息")
    def item_refresh(request: HttpRequest, item_id: int):
        return {"refreshed_info": services.refresh(model, actor=request.user, pk=item_id, ip=client_ip(request))}

    def action_view(action: str):
        def act(request: HttpRequest, item_id: int, payload: ActIn):
            item = services.act(model, actor=request.user, pk=item_id, action=action, reason=payload.reason,
                                category=payload.category, ip=client_ip(request))
            return _out(item, request.user)

        act.__name__ = f"{prefix}_{action}"
        return act

    for action, doc in table_actions(workflows, OWN_ENDPOINT).items():
        router.post(f"{one}/{action}", response={200: DestinationOut, **ERRORS},
                    summary=action_summary(workflows, action), description=doc,
                    operation_id=f"{prefix}_{action}")(action_view(action))
    return router


destination_router = _router(Registration, REGISTRATION_REVIEW, tag="destination", path="destinations",
                             prefix="destination", what="去向登记")
paper_router = _router(PaperAgreement, PAPER_REVIEW, tag="paper-agreement", path="paper-agreements",
                       prefix="paper_agreement", what="补登")
