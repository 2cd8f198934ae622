"""The item pages of 去向登记 and 补登 and the reviewers' moves: 审核, 修改去向, 获取最新学生信息, the proof.

One set of views serves both models (`Registration`, `PaperAgreement`): urls.py wires each view twice,
passing the model; each model names its own pages through `PAGES`. Thin: forms in, services out, the table decides who may do what.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gradreg.codes.destinations import destination_type, destination_types, field_catalogue, type_choices
from gradreg.common.views import client_ip, moved, run_service
from gradreg.organisations.warnings import item_warning
from gradreg.roster.review import review_panel
from gradreg.workflow.items import RejectCategory
from gradreg.workflow.pages import frozen, history, item_actions

from . import files, services
from .flows import WORKFLOWS
from .forms import DestinationForm, ReasonForm, initial_of
from .models import DestinationItem, PaperAgreement, Registration
from .selectors import REVIEWER_ROLES, ensure_reviewer
from .validation import detail_rows


@dataclass(frozen=True)
class Pages:
    """The URL names of one model's pages, and how its pages name it."""

    what: str  # 去向登记 / 补登
    list: str
    detail: str
    act: str
    refresh: str
    review_edit: str
    proof: str
    edit: str  # the graduate's edit and resubmission
    nav: str  # the reviewers' menu entry


PAGES = {
    Registration: Pages("去向登记", "destinations:list", "destinations:detail", "destinations:act",
                        "destinations:refresh", "destinations:review_edit", "destinations:proof", "destinations:edit",
                        "destinations"),
    PaperAgreement: Pages("补登", "destinations:paper_list", "destinations:paper_detail", "destinations:paper_act",
                          "destinations:paper_refresh", "destinations:paper_review_edit", "destinations:paper_proof",
                          "destinations:paper_edit", "paper"),
}
# moves with a form of their own: the graduate's registration and resubmission, the reviewers' 修改去向
OWN_FORMS = frozenset({"submit", "resubmit", "edit"})
GRADUATE_NAV = "my_destinations"


# ---- the item page ---------------------------------------------------------------------------------------

VOIDING = frozenset({"void", "abandon", "supersede"})
# columns a resubmission or 修改去向 records without naming them on the timeline (they follow the type)
_SILENT = frozenset({"type_key", "destination_code", "unemployed"})


def _history(workflow, item: DestinationItem) -> list:
    """办理记录, each resubmission and 修改去向 naming what it changed: the columns it recorded, and within the
    details the important fields it changed (any other detail as 去向信息)."""
    events = history(workflow, item.pk, item.school_id)
    meta = type(item)._meta
    columns = {f.name for f in meta.fields}
    catalogue = field_catalogue()
    for e in events:
        data = e.data or {}
        changed = data.get("changed") or {}
        labels = [str(meta.get_field(name).verbose_name) for name in changed
                  if name not in _SILENT and name != "details" and name in columns]
        if "details" in changed:
            inner = [catalogue[name].label for name in data.get("important") or ()
                     if name in catalogue and name not in changed]
            labels += [label for label in inner if label not in labels] or [str(meta.get_field("details").verbose_name)]
        e.changed_labels = labels
    return events


@login_required
def detail(request, pk: int, model: type[DestinationItem]):
    """The item's page: for the graduate and the reviewers in scope (anyone else: 404)."""
    user = request.user
    item = services.GET_FOR[model](user, pk)
    workflow, pages = WORKFLOWS[model], PAGES[model]
    dtype = item.taxonomy_type
    # ?reveal=id_number: a reviewer shows the full ID number (logged); anyone else is refused (403)
    panel = review_panel(item, user, workflow=workflow, reveal=request.GET.get("reveal") == "id_number",
                         ip=client_ip(request), refresh_url=reverse(pages.refresh, args=[item.pk]))
    states = workflow.states
    status = item.status
    events = _history(workflow, item)
    actions = item_actions(workflow, user, item, reverse(pages.act, args=[item.pk]), hide=OWN_FORMS)
    return render(request, "destinations/detail.html", {
        "item": item, "pages": pages, "what": pages.what,
        "status_label": states.label(status), "status_class": states.tone(status),
        "invalid": not item.graduate.is_valid,
        "rows": detail_rows(dtype, item),
        "proof_label": dtype.proof if dtype is not None and dtype.proof else "证明材料",
        "proof_pdf": item.proof_content_type == "application/pdf",
        "show_reason": bool(item.last_reason) and status in {states.vocabulary.RETURNED, states.vocabulary.REJECTED},
        "reject_category_label": (RejectCategory(item.reject_category).label
                                  if status == states.vocabulary.REJECTED and item.reject_category else ""),
        "warning": item_warning(user, None, item.credit_code) if item.credit_code else None,
        **actions,
        # the forms of their own, where the table lets this user make that move now (not while frozen)
        "may_resubmit": not actions["frozen"] and workflow.allows(user, item, "resubmit"),
        "may_edit": not actions["frozen"] and workflow.allows(user, item, "edit"),
        "events": events,
        # 作废记录: who voided it (the graduate, or the platform when another destination became live) and why
        "void_event": next((e for e in reversed(events) if e.action in VOIDING), None) if item.voided_at else None,
        "nav_active": pages.nav if user.role in REVIEWER_ROLES else GRADUATE_NAV,
        **panel,
    })


@login_required
def proof(request, pk: int, model: type[DestinationItem]):
    return files.proof_copy(model, request.user, pk)


# ---- moves -----------------------------------------------------------------------------------------------

@login_required
@require_POST
def act(request, pk: int, model: type[DestinationItem]):
    """One posted move (`action`, and a reason and reject category when it needs them); back to the item."""
    form = ReasonForm(request.POST)
    form.is_valid()
    return run_service(request, lambda: services.act(
        model, actor=request.user, pk=pk, action=request.POST.get("action", ""),
        reason=form.cleaned_data.get("reason", ""), category=form.cleaned_data.get("category", ""),
        ip=client_ip(request)), success=moved, redirect_to=reverse(PAGES[model].detail, args=[pk])).response


@login_required
@require_POST
def refresh(request, pk: int, model: type[DestinationItem]):
    """获取最新学生信息: EMS's current non-key fields, applied when the review passes."""
    return run_service(request, lambda: services.refresh(model, actor=request.user, pk=pk, ip=client_ip(request)),
                       success=lambda changed: "已获取最新学生信息，审核通过后生效。" if changed
                       else "学生信息与就业管理系统一致，无需更新。",
                       redirect_to=reverse(PAGES[model].detail, args=[pk])).response


# ---- 修改去向 ---------------------------------------------------------------------------------------------

@login_required
def review_edit(request, pk: int, model: type[DestinationItem]):
    """修改去向: the reviewer it waits for (or the school, on an approved one) changes the type and fields;
    recorded as theirs, the graduate told ("去向登记信息被修改", with the 修改说明 given)."""
    user = request.user
    ensure_reviewer(user)
    item = services.GET_FOR[model](user, pk)
    workflow, pages = WORKFLOWS[model], PAGES[model]
    refused = frozen(workflow, item) or ("" if workflow.allows(user, item, "edit") else "当前状态下您不能修改该去向。")
    if refused:
        messages.error(request, refused)
        return redirect(item)
    current = item.taxonomy_type
    dtype = current
    if model is Registration:  # a registration's type may change (?type= on the page, type_key when posted)
        asked = request.POST.get("type_key") or request.GET.get("type") or ""
        dtype = destination_type(asked, item.module) or current
    if dtype is None:  # a type since retired from the taxonomy: the reviewer picks a current one
        messages.error(request, "该去向类型已停用，请选择新的毕业去向类型。")
        dtype = next(iter(destination_types(item.module).values()))
    form = DestinationForm(request.POST or None, dtype=dtype, graduate=item.graduate, with_proof=False,
                           initial=initial_of(item))
    note = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and note.is_valid():
        done = run_service(request, lambda: services.reviewer_edit(
            model, actor=user, pk=pk, type_key=dtype.key, data=form.values(), reason=note.cleaned_data["reason"],
            ip=client_ip(request)), form=form, success="已修改去向，已通知毕业生。", redirect_to=item.get_absolute_url())
        if done.response:
            return done.response
    return render(request, "destinations/review_edit.html", {
        "item": item, "pages": pages, "what": pages.what, "form": form, "note": note, "dtype": dtype,
        "type_changed": current is None or dtype.key != current.key,
        "types": type_choices(item.module) if model is Registration else None,
        "approved": item.status == workflow.states.vocabulary.APPROVED,
        "nav_active": pages.nav,
    })


