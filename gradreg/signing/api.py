"""在线签约 and 解约 over the API: one operation per action of the four workflow tables.

Every operation calls the same selectors and services as the pages; scope, roles and states are
decided there and come back as problem JSON (404 out of scope, 403 wrong role, 409 wrong state,
400 invalid input with `errors` per field).
"""
from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import File, Form, Query, Router, Status, UploadedFile
from ninja.security import django_auth

from gradreg.accounts.models import Role
from gradreg.common.api import AuditEventOut
from gradreg.common.views import client_ip
from gradreg.organisations.warnings import item_warning
from gradreg.signing import files, services
from gradreg.signing.flows import (
    OFFLINE_SIGNING,
    OFFLINE_TERMINATION,
    ONLINE_SIGNING,
    ONLINE_TERMINATION,
    signing_workflow,
    termination_workflow,
)
from gradreg.signing.lists import SIGNING_REVIEW, TERMINATION_REVIEW
from gradreg.signing.models import (
    EMPLOYER_FIELDS,
    TERM_FIELDS,
    Initiator,
    RejectCategory,
    Signing,
    SigningStatus,
    Termination,
    TerminationStatus,
)
from gradreg.signing.presenting import (
    hidden_moves,
    signing_display,
)
from gradreg.signing.selectors import (
    invitations_for,
    signing_get_for,
    signings_visible_to,
    termination_get_for,
    terminations_visible_to,
)
from gradreg.workflow.api import (
    ERRORS,
    ActIn,
    BatchIn,
    BatchResultOut,
    action_summary,
    available_actions,
    batch_results,
    compare_rows,
    table_actions,
)
from gradreg.workflow.audit import timeline

from .api_schemas import (
    InvitationIn,
    OfflineIn,
    PageQuery,
    RefreshOut,
    SigningList,
    SigningListQuery,
    SigningOut,
    TerminationList,
    TerminationListQuery,
    TerminationOut,
)

signing_router = Router(tags=["signing"], auth=django_auth)
termination_router = Router(tags=["termination"], auth=django_auth)
PARTIES = frozenset({Role.GRADUATE, Role.EMPLOYER})
# actions with an operation of their own (a file, or the whole edited agreement), not {reason, category}
OWN_ENDPOINT = frozenset({"upload", "resubmit"})


# ---- shaping ---------------------------------------------------------------------------------------------

def _warning(info) -> dict[str, Any]:
    warned = bool(info is not None and info.warned)
    return {"warned": warned, "warning_categories": list(info.categories) if warned else []}


def _signing_item(r: dict, actor) -> dict[str, Any]:
    """One decorated list row (signing_rows + decorate_signing_rows)."""
    probe = Signing(initiator=r["initiator"], status=r["status"])  # enough for the table's "what can I do"
    return {
        "id": r["id"], "initiator": r["initiator"], "initiator_label": r["initiator_label"],
        "status": SigningStatus.EXPIRED if r["expired"] else r["status"], "status_label": r["status_label"],
        "graduate_name": r["graduate_name"],
        "exam_no": r["exam_no"], "department": r["department_name"], "employer_name": r["employer_name"],
        "position": r["position"], "graduation_year": r["graduation_year"], "submitted_at": r["submitted_at"],
        "updated_at": r["updated_at"], "expires_at": r["expires_at"], "last_reason": r["last_reason"],
        **_warning(r["warning"]),
        "actions": available_actions(signing_workflow(probe), actor, probe, hide=hidden_moves(r["expired"], "")),
    }


def _signing_out(s: Signing, actor, *, reveal: bool = False, ip: str | None = None) -> dict[str, Any]:
    shown = signing_display(s, actor, reveal=reveal, ip=ip)
    out: dict[str, Any] = {name: getattr(s, name) for name in EMPLOYER_FIELDS + TERM_FIELDS}
    out.update({
        "id": s.pk, "initiator": s.initiator, "initiator_label": Initiator(s.initiator).label,
        "status": SigningStatus.EXPIRED if shown["expired"] else s.status, "status_label": shown["status_label"],
        "expired": bool(shown["expired"]), "blocked": shown["blocked"],
        "review_label": shown["review_label"], "graduate_id": s.graduate_id, "graduate_name": s.graduate_name,
        "exam_no": s.exam_no, "school": s.school.name, "department": s.department.name,
        "graduation_year": s.graduation_year, "employer_id": s.employer_id,
        "terms_display": [{"label": k, "value": v} for k, v in shown["terms"]],
        "employer_display": [{"label": k, "value": v} for k, v in shown["employer_rows"]],
        "expires_at": s.expires_at, "submitted_at": s.submitted_at, "signed_at": s.signed_at,
        "created_at": s.created_at, "updated_at": s.updated_at, "decline_reason": s.decline_reason,
        "last_reason": s.last_reason, "reject_category": s.reject_category,
        "reject_category_label": shown["reject_category_label"], "returned": s.returned,
        "agreement_no": s.agreement_no, "has_agreement": bool(s.agreement_file), "has_stamped": bool(s.stamped_file),
        "agreement_terminated": s.status == SigningStatus.TERMINATED,
        "has_explanation": bool(s.explanation_file),
        "stamped_at": s.stamped_at, **_warning(shown["warning"]),
        "actions": available_actions(signing_workflow(s), actor, s, hide=shown["hidden_moves"]),
    })
    if shown["reviewer"]:
        out.update({
            "graduate_snapshot": shown["snapshot"],
            "id_number_revealed": shown["id_revealed"],
            "compare": compare_rows(shown["compare"]),
            "key_differs": shown["key_differs"],
            "refreshed_info": shown["refreshed"],
        })
    return out


def _termination_item(r: dict, actor) -> dict[str, Any]:
    probe = Termination(online=r["online"], applicant=r["applicant"], status=r["status"])
    return {
        "id": r["id"], "online": r["online"], "kind_label": r["kind_label"], "applicant": r["applicant"],
        "applicant_label": Initiator(r["applicant"]).label, "status": r["status"], "status_label": r["status_label"],
        "graduate_name": r["graduate_name"], "exam_no": r["exam_no"], "department": r["department_name"],
        "employer_name": r["employer_name"], "reason": r["reason"], "last_reason": r["last_reason"],
        "graduation_year": r["graduation_year"], "updated_at": r["updated_at"], **_warning(r["warning"]),
        "actions": available_actions(termination_workflow(probe), actor, probe),
    }


def _termination_out(t: Termination, actor) -> dict[str, Any]:
    return {
        "id": t.pk, "signing_id": t.signing_id, "online": t.online, "kind_label": "线上解约" if t.online else "线下解约",
        "applicant": t.applicant, "applicant_label": Initiator(t.applicant).label, "status": t.status,
        "status_label": TerminationStatus(t.status).label, "graduate_name": t.graduate_name, "exam_no": t.exam_no,
        "department": t.department.name, "employer_name": t.employer_name, "reason": t.reason,
        "answer_reason": t.answer_reason, "last_reason": t.last_reason, "reject_category": t.reject_category,
        "reject_category_label": RejectCategory(t.reject_category).label if t.reject_category else "",
        "returned": t.returned, "has_material": bool(t.material_file), "graduation_year": t.graduation_year,
        "created_at": t.created_at, "updated_at": t.updated_at,
        **_warning(item_warning(actor, t.employer_id, t.signing.credit_code)),
        "actions": available_actions(termination_workflow(t), actor, t),
    }


def _review_params(f, **extra) -> dict[str, Any]:
    """The page's filters from the API's query (a status not given opens on the list's default)."""
    return {"status": f.status, "q": f.q, "employer": f.employer, "date_from": f.date_from, "date_to": f.date_to,
            **extra}


# ---- signings: lists and creation (fixed paths first: they must win over /signings/{signing_id}) ---------

@signing_router.get("/signings", response={200: SigningList, **ERRORS}, operation_id="signing_list", summary="签约列表")
def signing_list(request: HttpRequest, filters: Query[SigningListQuery]):
    """在线签约管理 for department and school users; a graduate's or employer's own signings otherwise."""
    user = request.user
    if user.role in PARTIES:
        qs = signings_visible_to(user).order_by("-updated_at", "-id")
        if filters.status:
            qs = qs.filter(status=filters.status)
    else:
        # as the page: no status given opens on what waits for this reviewer; "" shows every status
        qs = SIGNING_REVIEW.queryset(user, _review_params(filters, initiator=filters.initiator))
    return SIGNING_REVIEW.api_page(user, qs, filters.page, filters.page_size, item=_signing_item)


@signing_router.get("/signings/invitations", response={200: SigningList, **ERRORS},
                    operation_id="signing_invitations", summary="待处理的签约邀请")
def signing_invitations(request: HttpRequest, paging: Query[PageQuery]):
    """The graduate's inbox: invitations waiting for an answer and not yet expired."""
    qs = invitations_for(request.user).order_by("-created_at", "-id")
    return SIGNING_REVIEW.api_page(request.user, qs, paging.page, paging.page_size, item=_signing_item)


@signing_router.post("/signings/invitations", response={201: SigningOut, **ERRORS},
                     operation_id="signing_invite", summary="发起签约邀请")
def signing_invite(request: HttpRequest, payload: InvitationIn):
    """发起签约邀请: the employer names the graduate (姓名 + 身份证号 or 考生号) and the terms."""
    data = payload.dict()
    s = services.invitation_create(
        actor=request.user, name=data["name"], id_number=data["id_number"], exam_no=data["exam_no"],
        terms={k: data[k] for k in TERM_FIELDS}, ip=client_ip(request),
    )
    return Status(201, _signing_out(s, request.user))


@signing_router.post("/signings/offline", response={201: SigningOut, **ERRORS},
                     operation_id="signing_offline_apply", summary="申请电子就业协议书")
def signing_offline_apply(request: HttpRequest, payload: OfflineIn):
    """申请电子就业协议书 (线下签约): the graduate types the employer's particulars and the terms."""
    s = services.offline_apply(actor=request.user, data=payload.dict(), ip=client_ip(request))
    return Status(201, _signing_out(s, request.user))


@signing_router.post("/signings/batch", response={200: list[BatchResultOut], **ERRORS},
                     operation_id="signing_batch", summary="批量审核签约")
def signing_batch(request: HttpRequest, payload: BatchIn):
    """在线签约管理的批量审核 (department and school users): each signing in its own transaction."""
    return batch_results(SIGNING_REVIEW, request.user, payload, client_ip(request))


# ---- one signing ------------------------------------------------------------------------------------------

@signing_router.get("/signings/{signing_id}", response={200: SigningOut, **ERRORS},
                    operation_id="signing_detail", summary="签约详情")
def signing_detail(request: HttpRequest, signing_id: int, reveal: Literal["", "id_number"] = ""):
    """The agreement, its parties and status; reviewers also get the submitted student info and its comparison.

    ID numbers there are masked; `reveal=id_number` shows them in full to a reviewer (each time logged, as on
    the roster detail) and is refused (403) to anyone else.
    """
    return _signing_out(signing_get_for(request.user, signing_id), request.user, reveal=reveal == "id_number",
                        ip=client_ip(request))


@signing_router.get("/signings/{signing_id}/timeline", response={200: list[AuditEventOut], **ERRORS},
                    operation_id="signing_timeline", summary="签约处理记录")
def signing_timeline(request: HttpRequest, signing_id: int):
    s = signing_get_for(request.user, signing_id)
    return timeline(signing_workflow(s).item_type, s.pk)


@signing_router.put("/signings/{signing_id}/offline", response={200: SigningOut, **ERRORS},
                    operation_id="signing_offline_resubmit", summary="修改协议信息并重新提交")
def signing_offline_resubmit(request: HttpRequest, signing_id: int, payload: OfflineIn):
    """修改后重新提交: after 撤回 or 退回修改, the corrected agreement goes back to the department."""
    s = services.offline_resubmit(actor=request.user, pk=signing_id, data=payload.dict(), ip=client_ip(request))
    return _signing_out(s, request.user)


@signing_router.post("/signings/{signing_id}/stamped", response={200: SigningOut, **ERRORS},
                     operation_id="signing_stamped_upload", summary="回传盖章协议")
def signing_stamped_upload(request: HttpRequest, signing_id: int, file: File[UploadedFile] = None,
                           explanation: File[UploadedFile] = None):
    """回传盖章协议 (multipart, field `file`: JPG, PNG or PDF); `explanation`: 情况说明 of a wrong agreement."""
    s = services.stamped_upload(actor=request.user, pk=signing_id, file=file, explanation=explanation,
                                ip=client_ip(request))
    return _signing_out(s, request.user)


@signing_router.get("/signings/{signing_id}/stamped", response={200: None, **ERRORS},
                    operation_id="signing_stamped_file", summary="下载盖章协议")
def signing_stamped_file(request: HttpRequest, signing_id: int):
    """The stamped agreement the graduate uploaded (its parties and their reviewers)."""
    return files.stamped_copy(request.user, signing_id)


@signing_router.get("/signings/{signing_id}/agreement.pdf", response={200: None, **ERRORS},
                    operation_id="signing_agreement_pdf", summary="下载电子就业协议书")
def signing_agreement_pdf(request: HttpRequest, signing_id: int):
    """The signed e-agreement PDF (its parties and their reviewers)."""
    return files.agreement_pdf(request.user, signing_id)


@signing_router.post("/signings/{signing_id}/refresh-student-info", response={200: RefreshOut, **ERRORS},
                     operation_id="signing_refresh_student_info", summary="获取最新学生信息")
def signing_refresh_student_info(request: HttpRequest, signing_id: int):
    """获取最新学生信息: the reviewer takes EMS's current non-key fields; they apply when the review passes."""
    return {"refreshed_info": services.signing_refresh_info(actor=request.user, pk=signing_id,
                                                            ip=client_ip(request))}


# ---- one operation per remaining action of the two signing tables -----------------------------------------

SIGNING_TABLES = (ONLINE_SIGNING, OFFLINE_SIGNING)
TERMINATION_TABLES = (ONLINE_TERMINATION, OFFLINE_TERMINATION)


def _signing_action(action: str):
    def act(request: HttpRequest, signing_id: int, payload: ActIn):
        s = services.signing_act(actor=request.user, pk=signing_id, action=action, reason=payload.reason,
                                 category=payload.category, ip=client_ip(request))
        return _signing_out(s, request.user)

    act.__name__ = f"signing_{action}"
    return act


for _action, _doc in table_actions(SIGNING_TABLES, OWN_ENDPOINT).items():
    signing_router.post(
        f"/signings/{{signing_id}}/{_action}",
        response={200: SigningOut, **ERRORS},
        summary=action_summary(SIGNING_TABLES, _action),
        description=_doc,
        operation_id=f"signing_{_action}",
    )(_signing_action(_action))


# ---- terminations -----------------------------------------------------------------------------------------

@termination_router.get("/terminations", response={200: TerminationList, **ERRORS},
                        operation_id="termination_list", summary="解约列表")
def termination_list(request: HttpRequest, filters: Query[TerminationListQuery]):
    """解约管理 for department and school users; a graduate's or employer's own terminations otherwise."""
    user = request.user
    if user.role in PARTIES:
        qs = terminations_visible_to(user).order_by("-updated_at", "-id")
        if filters.status:
            qs = qs.filter(status=filters.status)
    else:
        # the page's 解约方式 filter speaks of the initiator: 单位 = online, 学生 = offline
        kind = "" if filters.online is None else (Initiator.EMPLOYER if filters.online else Initiator.GRADUATE)
        qs = TERMINATION_REVIEW.queryset(user, _review_params(filters, initiator=kind))
    return TERMINATION_REVIEW.api_page(user, qs, filters.page, filters.page_size, item=_termination_item)


@termination_router.post("/signings/{signing_id}/terminations", response={201: TerminationOut, **ERRORS},
                         operation_id="termination_apply", summary="申请解约")
def termination_apply(request: HttpRequest, signing_id: int, reason: Form[str] = "",
                      material: File[UploadedFile] = None):
    """申请解约 (multipart or form): `reason`, and for an offline signing the `material` file."""
    t = services.termination_apply(actor=request.user, signing_id=signing_id, reason=reason, file=material,
                                   ip=client_ip(request))
    return Status(201, _termination_out(t, request.user))


@termination_router.post("/terminations/batch", response={200: list[BatchResultOut], **ERRORS},
                         operation_id="termination_batch", summary="批量审核解约")
def termination_batch(request: HttpRequest, payload: BatchIn):
    """解约管理的批量审核 (department and school users): each termination in its own transaction."""
    return batch_results(TERMINATION_REVIEW, request.user, payload, client_ip(request))


@termination_router.get("/terminations/{termination_id}", response={200: TerminationOut, **ERRORS},
                        operation_id="termination_detail", summary="解约详情")
def termination_detail(request: HttpRequest, termination_id: int):
    return _termination_out(termination_get_for(request.user, termination_id), request.user)


@termination_router.get("/terminations/{termination_id}/timeline", response={200: list[AuditEventOut], **ERRORS},
                        operation_id="termination_timeline", summary="解约处理记录")
def termination_timeline(request: HttpRequest, termination_id: int):
    t = termination_get_for(request.user, termination_id)
    return timeline(termination_workflow(t).item_type, t.pk)


@termination_router.get("/terminations/{termination_id}/material", response={200: None, **ERRORS},
                        operation_id="termination_material", summary="下载解约材料")
def termination_material(request: HttpRequest, termination_id: int):
    """The termination material (解约函 etc.) of an offline termination."""
    return files.termination_material(request.user, termination_id)


def _termination_action(action: str):
    def act(request: HttpRequest, termination_id: int, payload: ActIn):
        t = services.termination_act(actor=request.user, pk=termination_id, action=action, reason=payload.reason,
                                     category=payload.category, ip=client_ip(request))
        return _termination_out(t, request.user)

    act.__name__ = f"termination_{action}"
    return act


def termination_resubmit(request: HttpRequest, termination_id: int, reason: Form[str] = "",
                         material: File[UploadedFile] = None):
    # multipart: a new material file and a new reason are both optional (the returned ones stay)
    t = services.termination_act(actor=request.user, pk=termination_id, action="resubmit", reason=reason,
                                 file=material, ip=client_ip(request))
    return _termination_out(t, request.user)


for _action, _doc in table_actions(TERMINATION_TABLES, frozenset()).items():
    termination_router.post(
        f"/terminations/{{termination_id}}/{_action}",
        response={200: TerminationOut, **ERRORS},
        summary=action_summary(TERMINATION_TABLES, _action),
        description=_doc,
        operation_id=f"termination_{_action}",
    )(termination_resubmit if _action == "resubmit" else _termination_action(_action))
