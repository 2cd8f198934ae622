"""Pages of 在线签约管理 and 解约管理, for reviewers, graduates and employers. Thin: forms in, services out."""
from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from gradreg.accounts.models import Role
from gradreg.common.views import client_ip, moved, run_service
from gradreg.organisations.selectors import employer_why_not
from gradreg.organisations.warnings import item_warning, typed_warning, warning_for, warning_of
from gradreg.workflow.pages import history, item_actions

from . import files, services
from .flows import signing_termination_workflow, signing_workflow, termination_workflow
from .forms import InviteForm, OfflineForm, ReasonForm, TerminationForm
from .guides import guide_for
from .models import (
    SIGNING_STATES,
    TERMINATION_STATES,
    SigningStatus,
    TerminationStatus,
)
from .presenting import (
    invitation_blocked,
    invitation_expired,
    signing_display,
)
from .selectors import (
    REVIEWER_ROLES,
    ensure_employer,
    ensure_graduate,
    invitations_for,
    signing_get_for,
    signings_visible_to,
    termination_get_for,
    terminations_visible_to,
)

S, TS = SigningStatus, TerminationStatus


# ---- one item ---------------------------------------------------------------------------------------------

def _actions(workflow, actor, obj, act_url: str, hide: set[str] = frozenset()) -> dict:
    """The buttons of the item page (the upload and the resubmission have forms of their own)."""
    return item_actions(workflow, actor, obj, act_url, hide={"upload", "resubmit", *hide})


NAV = {Role.GRADUATE: "my", Role.EMPLOYER: "employer", Role.DEPARTMENT: "signing", Role.SCHOOL: "signing"}


@login_required
def signing_detail(request, pk: int):
    user = request.user
    s = signing_get_for(user, pk)
    workflow = signing_workflow(s)
    # ?reveal=id_number: a reviewer shows the full ID number (logged); anyone else is refused (403)
    ctx = signing_display(s, user, reveal=request.GET.get("reveal") == "id_number", ip=client_ip(request))
    ctx.update({
        "s": s,
        **_actions(workflow, user, s, reverse("signing:act", args=[s.pk]), hide=ctx["hidden_moves"]),
        "nav_active": NAV.get(user.role, ""),
        "show_reason": bool(s.last_reason) and s.status in {S.REJECTED, S.DRAFT_RETURNED, S.UPLOAD_RETURNED},
        "events": history(workflow, s.pk),
        "terminations": list(terminations_visible_to(user).filter(signing=s).order_by("-id")[:10]),
        # the forms beside the buttons show where the table lets this actor make their move
        "may_upload": workflow.allows(user, s, "upload"),
        "may_edit": workflow.allows(user, s, "resubmit"),
        "may_terminate": (s.status == S.SIGNED
                          and signing_termination_workflow(s).may_start(user.role, "apply")
                          and not terminations_visible_to(user).filter(
                              signing=s, status__in=TERMINATION_STATES.open_states()).exists()),
    })
    return render(request, "signing/detail.html", ctx)


def _act(request, pk: int, act, detail: str, **extra):
    """One posted move (`action`, and a reason and reject category when it needs them); back to the item's page."""
    form = ReasonForm(request.POST)
    form.is_valid()
    return run_service(request, lambda: act(
        actor=request.user, pk=pk, action=request.POST.get("action", ""), reason=form.cleaned_data.get("reason", ""),
        category=form.cleaned_data.get("category", ""), ip=client_ip(request), **extra),
        success=moved, redirect_to=reverse(detail, args=[pk])).response


@login_required
@require_POST
def signing_act(request, pk: int):
    return _act(request, pk, services.signing_act, "signing:detail")


@login_required
@require_POST
def signing_refresh(request, pk: int):
    def run():
        changed = services.signing_refresh_info(actor=request.user, pk=pk, ip=client_ip(request))
        if not changed:
            messages.info(request, "学生信息与就业管理系统一致，无需更新。")

    return run_service(request, run, success=moved, redirect_to=reverse("signing:detail", args=[pk])).response


@login_required
def signing_agreement(request, pk: int):
    """The signed e-agreement PDF: its parties and their reviewers only (the scope decides)."""
    return files.agreement_pdf(request.user, pk)


@login_required
def signing_stamped(request, pk: int):
    return files.stamped_copy(request.user, pk)


@login_required
def signing_explanation(request, pk: int):
    return files.explanation_copy(request.user, pk)


# ---- 操作指南 ---------------------------------------------------------------------------------------------

@login_required
def guide(request):
    """下载操作指南: this role's guide as a page, or as a standalone HTML file to keep (`?download=1`)."""
    title, body = guide_for(request.user.role)
    if request.GET.get("download"):
        response = render(request, "signing/guide_file.html", {"title": title, "body": mark_safe(body)})  # noqa: S308
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(title)}.html"
        return response
    return render(request, "signing/guide.html", {"title": title, "body": mark_safe(body)})  # noqa: S308


# ---- graduate pages --------------------------------------------------------------------------------------

@login_required
def my_signings(request):
    """The graduate's 签约: invitations to answer, own signings, own terminations."""
    ensure_graduate(request.user)
    invitations = list(invitations_for(request.user).select_related("school", "graduate").order_by("-created_at"))
    for s in invitations:
        s.blocked = invitation_blocked(s)
    # an invitation past its deadline leaves the inbox at once and shows here as expired
    live = invitations_for(request.user).values("pk")
    signings = list(signings_visible_to(request.user).exclude(pk__in=live).order_by("-updated_at")[:50])
    for s in signings:
        s.status_label = SIGNING_STATES.label(S.EXPIRED if invitation_expired(s) else s.status)
    terms = list(terminations_visible_to(request.user).order_by("-updated_at")[:20])
    warn = warning_for(request.user, [s.employer_id for s in invitations + signings],
                       [s.credit_code for s in signings if not s.employer_id])
    for s in invitations + signings:
        s.warning = warning_of(warn, s.employer_id, s.credit_code)
    return render(request, "signing/my.html", {"invitations": invitations, "signings": signings,
                                               "terminations": terms})


@login_required
def offline_apply(request):
    ensure_graduate(request.user)
    form = OfflineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = run_service(request, lambda: services.offline_apply(
            actor=request.user, data=form.cleaned_data, ip=client_ip(request)), form=form,
            success="申请已提交，等待院系审核。", redirect_to=lambda s: s.get_absolute_url())
        if done.response:
            return done.response
    return render(request, "signing/offline_form.html", {"form": form, "title": "申请电子就业协议书",
                                                         **_typed_warning(request, form)})


def _typed_warning(request, form) -> dict:
    """The 预警单位 notice for the credit code on the offline form, as typed (shown again on a re-rendered form)."""
    return {"warning": typed_warning(request.user, form["credit_code"].value())}


@login_required
def offline_edit(request, pk: int):
    """After 撤回 or 退回修改: correct the agreement info and submit again."""
    ensure_graduate(request.user)
    s = signing_get_for(request.user, pk)
    if s.is_online or s.status not in {S.DRAFT_WITHDRAWN, S.DRAFT_RETURNED}:
        messages.error(request, "当前状态不能修改协议信息。")
        return redirect(s)
    form = OfflineForm(request.POST or None, instance=s)
    if request.method == "POST" and form.is_valid():
        done = run_service(request, lambda: services.offline_resubmit(
            actor=request.user, pk=pk, data=form.cleaned_data, ip=client_ip(request)), form=form,
            success="已重新提交，等待院系审核。", redirect_to=s.get_absolute_url())
        if done.response:
            return done.response
    return render(request, "signing/offline_form.html",
                  {"form": form, "title": "修改就业协议信息", "s": s, **_typed_warning(request, form)})


@login_required
@require_POST
def stamped_upload(request, pk: int):
    return run_service(request, lambda: services.stamped_upload(
        actor=request.user, pk=pk, file=request.FILES.get("file"), explanation=request.FILES.get("explanation"),
        ip=client_ip(request)),
        success=moved, redirect_to=reverse("signing:detail", args=[pk])).response


# ---- employer pages --------------------------------------------------------------------------------------

@login_required
def invite(request):
    ensure_employer(request.user)
    blocked = employer_why_not(request.user.employer) or None  # not (yet) approved: why, instead of the form
    form = InviteForm(request.POST or None)
    if request.method == "POST" and not blocked and form.is_valid():
        data = form.cleaned_data
        done = run_service(request, lambda: services.invitation_create(
            actor=request.user, name=data["name"], id_number=data["id_number"], exam_no=data["exam_no"], terms=data,
            ip=client_ip(request)), form=form,
            success=lambda s: f"已向{s.graduate_name}发出签约邀请，有效期至{s.expires_at:%Y-%m-%d %H:%M}。",
            redirect_to=lambda s: s.get_absolute_url())
        if done.response:
            return done.response
    return render(request, "signing/invite.html",
                  {"form": form, "blocked": blocked, "valid_days": settings.INVITATION_VALID_DAYS})


# ---- terminations ----------------------------------------------------------------------------------------

@login_required
def termination_apply(request, pk: int):
    """Ask to end a signed agreement (online: the other party answers; offline: with material)."""
    s = signing_get_for(request.user, pk)
    form = TerminationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        done = run_service(request, lambda: services.termination_apply(
            actor=request.user, signing_id=pk, reason=form.cleaned_data["reason"],
            file=request.FILES.get("material"), ip=client_ip(request)), form=form,
            success="解约申请已提交。", redirect_to=lambda t: t.get_absolute_url())
        if done.response:
            return done.response
    return render(request, "signing/termination_form.html", {"form": form, "s": s, "offline": not s.is_online})


@login_required
def termination_detail(request, pk: int):
    user = request.user
    t = termination_get_for(user, pk)
    workflow = termination_workflow(t)
    return render(request, "signing/termination_detail.html", {
        "t": t,
        "status_label": TS(t.status).label,
        **_actions(workflow, user, t, reverse("signing:termination_act", args=[t.pk])),
        "nav_active": "termination" if user.role in REVIEWER_ROLES else NAV.get(user.role, ""),
        "events": history(workflow, t.pk),
        "may_resubmit": workflow.allows(user, t, "resubmit"),
        "form": TerminationForm(initial={"reason": t.reason}),
        "warning": item_warning(user, t.employer_id, t.signing.credit_code),
        "reviewer": user.role in REVIEWER_ROLES,
        "invalid": not t.graduate.is_valid,
    })


@login_required
@require_POST
def termination_act(request, pk: int):
    return _act(request, pk, services.termination_act, "signing:termination_detail",
                file=request.FILES.get("material"))


@login_required
def termination_material(request, pk: int):
    return files.termination_material(request.user, pk)

