"""Pages of 在线签约管理 and 解约管理, for reviewers, graduates and employers. Thin: forms in, services out."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gradreg.accounts.models import Role
from gradreg.common.errors import DomainError, Invalid
from gradreg.common.pagination import paginate
from gradreg.common.views import client_ip
from gradreg.workflow.audit import timeline

from . import exports, files, services
from .flows import signing_termination_workflow, signing_workflow, termination_workflow
from .forms import InviteForm, OfflineForm, ReasonForm, ReviewFilterForm, TerminationForm
from .models import (
    SIGNING_STATES,
    TERMINATION_STATES,
    RejectCategory,
    SigningStatus,
    TerminationStatus,
)
from .presenting import decorate_signing_rows, decorate_termination_rows, signing_display, warning_for
from .selectors import (
    DEFAULT_SIGNING_STATUS,
    DEFAULT_TERMINATION_STATUS,
    REVIEWER_ROLES,
    ensure_employer,
    ensure_graduate,
    ensure_reviewer,
    invitations_for,
    signing_get_for,
    signing_rows,
    signing_search,
    signings_visible_to,
    termination_get_for,
    termination_rows,
    termination_search,
    terminations_visible_to,
)

S, TS = SigningStatus, TerminationStatus


def _query(params) -> str:
    q = params.copy()
    q.pop("page", None)
    return q.urlencode()


def _params(request, default_status: dict) -> QueryDict:  # noqa: F821
    params = request.GET.copy()
    if "status" not in params:  # the seed: the list opens on what waits for this reviewer
        params["status"] = default_status.get(request.user.role, "")
    return params


# ---- reviewer lists and exports ------------------------------------------------------------------------

@login_required
def review_list(request):
    """在线签约管理: online and offline signings of this reviewer's scope."""
    ensure_reviewer(request.user)
    params = _params(request, DEFAULT_SIGNING_STATUS)
    form = ReviewFilterForm(params)
    page = paginate(signing_search(request.user, form.filters()), params.get("page"), params.get("page_size", 20),
                    rows=signing_rows)
    decorate_signing_rows(page.items, request.user)
    review_label = request.user.school.review_label if request.user.school_id else "审核"
    ctx = {"form": form, "page": page, "query": _query(params), "active": "signing", "review_label": review_label}
    template = "signing/_review_table.html" if request.headers.get("HX-Request") else "signing/review_list.html"
    return render(request, template, ctx)


@login_required
def termination_list(request):
    """解约管理: online and offline terminations of this reviewer's scope."""
    ensure_reviewer(request.user)
    params = _params(request, DEFAULT_TERMINATION_STATUS)
    form = ReviewFilterForm(params, termination=True)
    page = paginate(termination_search(request.user, form.filters()), params.get("page"),
                    params.get("page_size", 20), rows=termination_rows)
    decorate_termination_rows(page.items, request.user)
    ctx = {"form": form, "page": page, "query": _query(params), "active": "termination"}
    template = ("signing/_termination_table.html" if request.headers.get("HX-Request")
                else "signing/termination_list.html")
    return render(request, template, ctx)


@login_required
def review_export(request, returned: bool = False):
    """下载当前查询数据 / 导出退回修改学生名单, as a streamed .xlsx."""
    ensure_reviewer(request.user)
    params = _params(request, DEFAULT_SIGNING_STATUS)
    form = ReviewFilterForm(params)
    filters = form.filters(returned_only=returned)
    if returned:
        filters.status = ""  # every graduate ever returned, whatever their state now
    return exports.signing_export(signing_search(request.user, filters), returned=returned)


@login_required
def termination_export(request, returned: bool = False):
    ensure_reviewer(request.user)
    params = _params(request, DEFAULT_TERMINATION_STATUS)
    form = ReviewFilterForm(params, termination=True)
    filters = form.filters(returned_only=returned)
    if returned:
        filters.status = ""
    return exports.termination_export(termination_search(request.user, filters), returned=returned)


# ---- one item ---------------------------------------------------------------------------------------------

def _actions(workflow, actor, obj, act_url: str) -> dict:
    """The buttons of the item page, straight from the workflow table."""
    review = obj.school.review_label
    buttons = [{"action": t.action, "label": t.display_label(review), "needs_reason": t.needs_reason,
                "danger": t.action in {"reject", "decline", "return", "cancel", "withdraw", "abandon"}}
               for t in workflow.available(actor, obj) if t.action not in {"upload", "resubmit"}]
    return {"buttons": buttons, "act_url": act_url, "needs_reason_any": any(b["needs_reason"] for b in buttons),
            "has_reject": any(b["action"] == "reject" for b in buttons), "categories": RejectCategory.choices}


NAV = {Role.GRADUATE: "my", Role.EMPLOYER: "employer", Role.DEPARTMENT: "signing", Role.SCHOOL: "signing"}


@login_required
def signing_detail(request, pk: int):
    user = request.user
    s = signing_get_for(user, pk)
    workflow = signing_workflow(s)
    ctx = signing_display(s, user)
    ctx.update({
        "s": s,
        **_actions(workflow, user, s, f"/signing/{s.pk}/act/"),
        "nav_active": NAV.get(user.role, ""),
        "show_reason": bool(s.last_reason) and s.status in {S.REJECTED, S.DRAFT_RETURNED, S.UPLOAD_RETURNED},
        "events": timeline(workflow.item_type, s.pk),
        "terminations": list(terminations_visible_to(user).filter(signing=s).order_by("-id")[:10]),
        # the forms beside the buttons show where the table lets this actor make their move
        "may_upload": workflow.allows(user, s, "upload"),
        "may_edit": workflow.allows(user, s, "resubmit"),
        "may_terminate": (s.status == S.SIGNED
                          and signing_termination_workflow(s).may_start(user.role, "apply")
                          and not terminations_visible_to(user).filter(
                              signing=s, status__in=TERMINATION_STATES.open_states()).exists()),
        "may_refresh": s.status in SIGNING_STATES.waiting_for(user.role) and user.role in REVIEWER_ROLES,
    })
    return render(request, "signing/detail.html", ctx)


def _act(request, fn, redirect_to):
    try:
        obj = fn()
    except Invalid as e:
        messages.error(request, e.message)
    except DomainError as e:
        if e.http_status == 404:
            raise
        messages.error(request, e.message)
    else:
        label = obj.get_status_display() if hasattr(obj, "get_status_display") else ""
        messages.success(request, f"操作成功，当前状态：{label}。" if label else "操作成功。")
    return redirect(redirect_to)


@login_required
@require_POST
def signing_act(request, pk: int):
    form = ReasonForm(request.POST)
    form.is_valid()
    action = request.POST.get("action", "")
    return _act(request, lambda: services.signing_act(
        actor=request.user, pk=pk, action=action, reason=form.cleaned_data.get("reason", ""),
        category=form.cleaned_data.get("category", ""), ip=client_ip(request)), f"/signing/{pk}/")


@login_required
@require_POST
def signing_refresh(request, pk: int):
    def run():
        changed = services.signing_refresh_info(actor=request.user, pk=pk, ip=client_ip(request))
        if not changed:
            messages.info(request, "学生信息与就业管理系统一致，无需更新。")

    return _act(request, run, f"/signing/{pk}/")


@login_required
def signing_agreement(request, pk: int):
    """The signed e-agreement PDF: its parties and their reviewers only (the scope decides)."""
    return files.agreement_pdf(request.user, pk)


@login_required
def signing_stamped(request, pk: int):
    return files.stamped_copy(request.user, pk)


# ---- graduate pages --------------------------------------------------------------------------------------

@login_required
def my_signings(request):
    """The graduate's 签约: invitations to answer, own signings, own terminations."""
    ensure_graduate(request.user)
    invitations = list(invitations_for(request.user).select_related("school").order_by("-created_at"))
    signings = list(signings_visible_to(request.user).exclude(status=S.INVITED).order_by("-updated_at")[:50])
    terms = list(terminations_visible_to(request.user).order_by("-updated_at")[:20])
    warn = warning_for(request.user, [s.employer_id for s in invitations + signings])
    for s in invitations + signings:
        s.warning = warn.get(s.employer_id)
    return render(request, "signing/my.html", {"invitations": invitations, "signings": signings,
                                               "terminations": terms})


@login_required
def offline_apply(request):
    ensure_graduate(request.user)
    form = OfflineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            s = services.offline_apply(actor=request.user, data=form.cleaned_data, ip=client_ip(request))
        except Invalid as e:
            form.add_invalid(e)
        except DomainError as e:
            if e.http_status == 404:
                raise
            form.add_error(None, e.message)
        else:
            messages.success(request, "申请已提交，等待院系审核。")
            return redirect(f"/signing/{s.pk}/")
    return render(request, "signing/offline_form.html", {"form": form, "title": "申请电子就业协议书"})


@login_required
def offline_edit(request, pk: int):
    """After 撤回 or 退回修改: correct the agreement info and submit again."""
    ensure_graduate(request.user)
    s = signing_get_for(request.user, pk)
    if s.is_online or s.status not in {S.DRAFT_WITHDRAWN, S.DRAFT_RETURNED}:
        messages.error(request, "当前状态不能修改协议信息。")
        return redirect(f"/signing/{pk}/")
    form = OfflineForm(request.POST or None, instance=s)
    if request.method == "POST" and form.is_valid():
        try:
            services.offline_resubmit(actor=request.user, pk=pk, data=form.cleaned_data, ip=client_ip(request))
        except Invalid as e:
            form.add_invalid(e)
        except DomainError as e:
            if e.http_status == 404:
                raise
            form.add_error(None, e.message)
        else:
            messages.success(request, "已重新提交，等待院系审核。")
            return redirect(f"/signing/{pk}/")
    return render(request, "signing/offline_form.html",
                  {"form": form, "title": "修改就业协议信息", "s": s})


@login_required
@require_POST
def stamped_upload(request, pk: int):
    return _act(request, lambda: services.stamped_upload(
        actor=request.user, pk=pk, file=request.FILES.get("file"), ip=client_ip(request)), f"/signing/{pk}/")


# ---- employer pages --------------------------------------------------------------------------------------

@login_required
def employer_signings(request):
    """The employer's invitations and agreements, with their statuses."""
    ensure_employer(request.user)
    status = request.GET.get("status", "")
    qs = signings_visible_to(request.user).order_by("-updated_at", "-id")
    if status in S.values:
        qs = qs.filter(status=status)
    page = paginate(qs, request.GET.get("page"), request.GET.get("page_size", 20), rows=signing_rows)
    decorate_signing_rows(page.items, request.user)
    terms = list(terminations_visible_to(request.user).filter(status=TS.PENDING_OTHER).order_by("-updated_at")[:20])
    return render(request, "signing/employer_list.html", {
        "page": page, "query": _query(request.GET), "status": status, "statuses": S.choices,
        "pending_terminations": terms,
    })


@login_required
def invite(request):
    ensure_employer(request.user)
    from gradreg.organisations.selectors import ensure_employer_may_invite

    blocked = None
    try:
        ensure_employer_may_invite(request.user.employer)
    except DomainError as e:
        blocked = e.message
    form = InviteForm(request.POST or None)
    if request.method == "POST" and not blocked and form.is_valid():
        data = form.cleaned_data
        try:
            s = services.invitation_create(actor=request.user, name=data["name"], id_number=data["id_number"],
                                           exam_no=data["exam_no"], terms=data, ip=client_ip(request))
        except Invalid as e:
            form.add_invalid(e)
        except DomainError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            messages.success(request, f"已向{s.graduate_name}发出签约邀请，有效期至{s.expires_at:%Y-%m-%d %H:%M}。")
            return redirect(f"/signing/{s.pk}/")
    from django.conf import settings

    return render(request, "signing/invite.html",
                  {"form": form, "blocked": blocked, "valid_days": settings.INVITATION_VALID_DAYS})


# ---- terminations ----------------------------------------------------------------------------------------

@login_required
def termination_apply(request, pk: int):
    """Ask to end a signed agreement (online: the other party answers; offline: with material)."""
    s = signing_get_for(request.user, pk)
    form = TerminationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            t = services.termination_apply(actor=request.user, signing_id=pk, reason=form.cleaned_data["reason"],
                                           file=request.FILES.get("material"), ip=client_ip(request))
        except DomainError as e:
            if e.http_status == 404:
                raise
            form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            messages.success(request, "解约申请已提交。")
            return redirect(f"/signing/terminations/{t.pk}/")
    return render(request, "signing/termination_form.html", {"form": form, "s": s, "offline": not s.is_online})


@login_required
def termination_detail(request, pk: int):
    user = request.user
    t = termination_get_for(user, pk)
    workflow = termination_workflow(t)
    return render(request, "signing/termination_detail.html", {
        "t": t,
        "status_label": TS(t.status).label,
        **_actions(workflow, user, t, f"/signing/terminations/{t.pk}/act/"),
        "nav_active": "termination" if user.role in {Role.DEPARTMENT, Role.SCHOOL} else NAV.get(user.role, ""),
        "events": timeline(workflow.item_type, t.pk),
        "may_resubmit": workflow.allows(user, t, "resubmit"),
        "form": TerminationForm(initial={"reason": t.reason}),
        "warning": warning_for(user, [t.employer_id]).get(t.employer_id),
        "reviewer": user.role in {Role.DEPARTMENT, Role.SCHOOL},
    })


@login_required
@require_POST
def termination_act(request, pk: int):
    form = ReasonForm(request.POST)
    form.is_valid()
    action = request.POST.get("action", "")
    return _act(request, lambda: services.termination_act(
        actor=request.user, pk=pk, action=action, reason=form.cleaned_data.get("reason", ""),
        category=form.cleaned_data.get("category", ""), file=request.FILES.get("material"),
        ip=client_ip(request)), f"/signing/terminations/{pk}/")


@login_required
def termination_material(request, pk: int):
    return files.termination_material(request.user, pk)

