"""Employer pages: self-registration, the employer's own 单位信息, the operator's review queue."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.views.decorators.http import require_GET, require_POST

from gradreg.codes.loader import code_map, region_name
from gradreg.common.errors import Forbidden
from gradreg.common.pagination import paginate
from gradreg.common.uploads import upload_response
from gradreg.common.views import client_ip, run_service
from gradreg.organisations.models import CHECKSUM_UNCONFIRMED, Employer, ReviewStatus, check_credit_code
from gradreg.organisations.selectors import (
    ITEM_TYPE,
    employer_get_for_review,
    employer_licence_for,
    employer_may_edit,
    employer_of,
    employer_warnings,
    employer_why_not,
    employers_for_review,
)
from gradreg.workflow.audit import timeline

from . import services
from .flows import EMPLOYER_REVIEW, EMPLOYER_STATES
from .forms import CREDIT_CODE_HELP, EmployerForm, EmployerRegisterForm

CHECKSUM_FLAG = "信用代码校验位不符，请人工核实"


def _describe(employer: Employer) -> dict[str, str]:
    """Names for the unit's codes, as the pages show them."""
    return {
        "nature": code_map("dwxz").get(employer.nature_code, employer.nature_code),
        "industry": code_map("dwhy").get(employer.industry_code, employer.industry_code),
        "region": region_name(employer.region_code) if employer.region_code else "",
        "state_css": EMPLOYER_STATES.tone(employer.review_status),
    }


# --- public registration ----------------------------------------------------------------------------

def register(request: HttpRequest) -> HttpResponse:
    """用人单位注册: the unit and its login account in one step, reviewed by the operator afterwards."""
    posted = request.method == "POST"
    form = EmployerRegisterForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        done = run_service(request, lambda: services.employer_register(
            **form.unit_data(),
            licence=form.cleaned_data.get("licence"),
            username=form.cleaned_data.get("username", ""),
            password=form.cleaned_data.get("password", ""),
            password_confirm=form.cleaned_data.get("password_confirm", ""),
            ip=client_ip(request),
        ), form=form)
        if done.ok:
            request.session["registered_username"] = done.value.username
            return redirect("organisations:register_done")
    return render(request, "organisations/register.html", {"form": form})


@require_GET
def credit_code_check(request: HttpRequest) -> HttpResponse:
    """The 信用代码 field's note while it is typed: format and check digit only (nothing is looked up)."""
    raw = (request.GET.get("credit_code") or "").strip()[:40]
    note = CREDIT_CODE_HELP
    if raw:
        try:
            code, needs_review = check_credit_code(raw)
        except ValueError as e:
            note = f"{e}。"
        else:
            note = CHECKSUM_UNCONFIRMED.format(code=code) if needs_review else f"{CREDIT_CODE_HELP}校验位正确。"
    return HttpResponse(escape(note), content_type="text/html; charset=utf-8")


def register_done(request: HttpRequest) -> HttpResponse:
    username = request.session.pop("registered_username", "")
    return render(request, "organisations/register_done.html", {"username": username})


# --- the employer's own page --------------------------------------------------------------------------

@login_required
def employer_self(request: HttpRequest) -> HttpResponse:
    """单位信息: the unit's data, where its review stands, and (when allowed) the form to correct it."""
    employer = employer_of(request.user)
    editable = employer_may_edit(employer)
    form = None
    if editable:
        initial = {name: getattr(employer, name) for name in services.UNIT_FIELDS}
        initial["credit_code_confirmed"] = employer.credit_code_needs_review  # confirmed when first entered
        posted = request.method == "POST"
        form = EmployerForm(request.POST if posted else None, request.FILES if posted else None, initial=initial)
        if posted and form.is_valid():
            done = run_service(request, lambda: services.employer_resubmit(
                actor=request.user, employer_id=employer.pk, **form.unit_data(),
                licence=form.cleaned_data.get("licence"), ip=client_ip(request),
            ), form=form, success="单位信息已重新提交，请等待审核。", redirect_to=reverse("organisations:employer_self"))
            if done.response:
                return done.response
    elif request.method == "POST":
        messages.error(request, "单位信息审核中或已通过，不能修改。")
        return redirect("organisations:employer_self")
    return render(request, "organisations/employer_self.html", {
        "e": employer, **_describe(employer), "why_not": employer_why_not(employer), "form": form,
        "editable": editable,
    })


# --- the operator's review -----------------------------------------------------------------------------

@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()
    qs = employers_for_review(request.user, status=status, q=q).only(
        "id", "name", "credit_code", "credit_code_needs_review", "review_status", "region_code",
        "contact_name", "registered_at", "created_at",
    )
    page = paginate(qs, request.GET.get("page"))
    warnings = employer_warnings(viewer_school_id=None, employer_ids=[e.pk for e in page.items])
    for e in page.items:
        e.state_css = EMPLOYER_STATES.tone(e.review_status)
        e.warning = warnings[e.pk]
    query = urlencode({k: v for k, v in {"status": status, "q": q}.items() if v})
    return render(request, "organisations/review_list.html", {
        "page": page, "query": query, "status": status, "q": q, "statuses": ReviewStatus.choices,
        "checksum_flag": CHECKSUM_FLAG,
    })


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    employer = employer_get_for_review(request.user, pk)
    warning = employer_warnings(viewer_school_id=None, employer_ids=[pk])[pk]
    return render(request, "organisations/review_detail.html", {
        "e": employer, **_describe(employer), "warning": warning, "checksum_flag": CHECKSUM_FLAG,
        "may_review": EMPLOYER_REVIEW.allows(request.user, employer, "approve"),
        "events": timeline(ITEM_TYPE, employer.pk),
    })


def _review(request: HttpRequest, pk: int, decide, done: str) -> HttpResponse:
    """Run one review decision; a refusal shows on the item's page (403/404 stay errors)."""
    return run_service(request, lambda: decide(actor=request.user, employer_id=pk, ip=client_ip(request)),
                       success=lambda employer: f"{done}：{employer.name}。", reraise=(Forbidden,),
                       redirect_to=reverse("organisations:review_detail", args=[pk])).response


@require_POST
@login_required
def review_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _review(request, pk, services.employer_approve, "已审核通过")


@require_POST
@login_required
def review_reject(request: HttpRequest, pk: int) -> HttpResponse:
    def reject(**kw):
        return services.employer_reject(reason=request.POST.get("reason", ""), **kw)

    return _review(request, pk, reject, "已审核不通过")


@login_required
def licence(request: HttpRequest, pk: int) -> HttpResponse:
    """The licence file, for the operator and the employer's own users only."""
    employer = employer_licence_for(request.user, pk)
    ext = Path(employer.licence).suffix or ""
    return upload_response(
        employer.licence, content_type=employer.licence_content_type or "application/octet-stream",
        download_name=f"营业执照-{employer.credit_code}{ext}", inline=True,
    )
