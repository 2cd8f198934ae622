"""The graduate's pages of 去向登记 and 补登, phone-first: 我的毕业去向; 登记毕业去向 in two steps (the type, then
its form); 补登纸质协议; 修改后重新提交 after 撤回 or 退回修改. Thin: forms in, services out. The item's own page
(its buttons 撤回, 撤销, 作废 and its history) is the review page every role shares (`destinations:detail`).
"""
from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from gradreg.codes.destinations import DestinationType, destination_type, type_choices
from gradreg.common.errors import DomainError
from gradreg.common.uploads import check_upload
from gradreg.common.views import add_domain_error, client_ip, run_service
from gradreg.ems.models import Graduate
from gradreg.organisations.warnings import typed_warning
from gradreg.roster.gates import ensure_graduate_can_act, ensure_may_file_destination
from gradreg.roster.live import live_destination
from gradreg.roster.selectors import graduate_get_for

from . import services
from .flows import workflow_of
from .forms import DestinationForm, TypeForm, initial_of
from .models import DestinationItem, PaperAgreement, Registration, RegistrationStatus
from .selectors import current_items, ensure_graduate
from .validation import resolve_type

RS = RegistrationStatus
EDIT = {Registration: "destinations:edit", PaperAgreement: "destinations:paper_edit"}


def _graduate(user) -> Graduate:
    """The signed-in graduate's roster row; anyone else is refused (403)."""
    ensure_graduate(user)
    return graduate_get_for(user, user.graduate_id)


def _refusal(check: Callable[[], object]) -> str:
    """The Chinese reason a gate gives, or "" when it lets the graduate through."""
    try:
        check()
    except DomainError as e:
        return e.message
    return ""


def why_not_file(graduate: Graduate, dtype: DestinationType | None = None) -> str:
    """Why the graduate cannot file a new destination (of `dtype`, when given) now; "" when they can.

    The same gates the table's submit passes, asked before the graduate fills a form in: the roster and the
    cohort, the training mode (21/41 only file the 定向/委培 supplement), one live destination.
    """
    return (_refusal(lambda: ensure_graduate_can_act(graduate))
            or (dtype is not None and _refusal(lambda: ensure_may_file_destination(graduate, dtype.type)))
            or live_destination(graduate) or "")


def allowed_types(graduate: Graduate) -> list[tuple[str, list[tuple[str, str]]]]:
    """The registration types this graduate may file, grouped as `type_choices` (the training-mode gate).

    Each option carries the type's full name: a closed select on a phone shows the option alone, and
    特岗教师 is both a national and a local project.
    """
    return [(group, [(key, destination_type(key).name) for key, _ in options]) for group, options in type_choices()
            if not _refusal(lambda group=group: ensure_may_file_destination(graduate, group))]


def paper_type() -> DestinationType:
    return resolve_type(services.PAPER_KEY, "paper")


class TypeStep(TypeForm):
    """Step one as a GET form whose one parameter is `type`: `?type=<key>` opens that type's form (step two)."""

    def add_prefix(self, field_name: str) -> str:
        return "type" if field_name == "type_key" else super().add_prefix(field_name)


# ---- 我的毕业去向 ------------------------------------------------------------------------------------------

@login_required
def my_destinations(request):
    """The graduate's registrations and 补登, newest first, and whether they may file another now."""
    user = request.user
    graduate = _graduate(user)
    items: list[DestinationItem] = [*services.mine(Registration, user)[:50], *services.mine(PaperAgreement, user)[:50]]
    items.sort(key=lambda i: (i.updated_at, i.pk), reverse=True)
    for item in items:
        workflow = workflow_of(item)
        item.what = item._meta.verbose_name
        item.status_label, item.tone = workflow.states.label(item.status), workflow.states.tone(item.status)
        # the reason of the last 退回修改 or 不通过, while the item is there (both vocabularies share the values)
        item.show_reason = bool(item.last_reason) and item.status in {RS.RETURNED, RS.REJECTED}
        item.reason_label = "退回修改原因" if item.status == RS.RETURNED else "审核不通过原因"
        item.edit_url = reverse(EDIT[type(item)], args=[item.pk]) if workflow.allows(user, item, "resubmit") else ""
    return render(request, "destinations/graduate/my.html", {
        "items": items,
        "blocked": why_not_file(graduate),
        "paper_blocked": why_not_file(graduate, paper_type()),
        "nav_active": "my_destinations",
    })


# ---- the form of one type -------------------------------------------------------------------------------

def _run(request, form: DestinationForm, save, *, proof_required: bool, success: str):
    """A posted form: the service on a valid one (success → the item's page); on an invalid one the proof is
    checked too, so one submission reports every problem by its field. None: render the form again."""
    upload = request.FILES.get("proof")
    if form.is_valid():
        return run_service(request, lambda: save(form.values(), upload), form=form, success=success,
                           redirect_to=lambda item: item.get_absolute_url()).response
    if "proof" in form.fields:
        try:
            check_upload(upload, field="proof", required=proof_required)
        except DomainError as e:
            add_domain_error(form, e)
    return None


def _posted(request) -> tuple:
    """A form's data and files: bound on a POST even when nothing was sent (a 未就业 form has no fields)."""
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def _form_page(request, form: DestinationForm, **ctx):
    dtype = form.dtype
    ctx.update({
        "form": form,
        "dtype": dtype,
        "warning": typed_warning(request.user, form["credit_code"].value()) if "credit_code" in form.fields else None,
        "warning_url": reverse("destinations:credit_warning"),
        # a browser never keeps a chosen file when the form comes back: say so where the file was chosen
        "choose_again": bool(request.FILES.get("proof")) and form.is_bound and bool(form.errors),
        "directed_unit_missing": dtype.directed and not (form.graduate.directed_unit or "").strip(),
    })
    return render(request, "destinations/graduate/form.html", ctx)


@login_required
def registration_new(request):
    """登记毕业去向: step one chooses the type, `?type=<key>` is step two (its fields and proof), then review."""
    user = request.user
    graduate = _graduate(user)
    choices = allowed_types(graduate)
    step = TypeStep(request.GET if "type" in request.GET else None, choices=choices)
    blocked = why_not_file(graduate)
    if blocked or not step.is_valid():
        return render(request, "destinations/graduate/choose_type.html", {
            "title": "登记毕业去向", "step": step, "blocked": blocked, "nav_active": "new_destination",
            "types": [destination_type(key) for _, options in choices for key, _ in options],
            "unemployed": next((i for i in current_items(graduate.pk) if i.unemployed), None),
        })
    dtype = resolve_type(step.cleaned_data["type_key"])
    form = DestinationForm(*_posted(request), dtype=dtype, graduate=graduate)
    if request.method == "POST":
        response = _run(request, form, lambda data, file: services.submit(
            Registration, actor=user, type_key=dtype.key, data=data, file=file, ip=client_ip(request)),
            proof_required=True, success="去向登记已提交，等待院系审核。")
        if response:
            return response
    return _form_page(request, form, title=f"登记毕业去向：{dtype.name}", nav_active="new_destination",
                      change_type=reverse("destinations:new"))


@login_required
def paper_new(request):
    """补登纸质协议: a paper 就业协议书 signed before or outside the platform, its details and its scan, for review."""
    user = request.user
    graduate = _graduate(user)
    dtype = paper_type()
    blocked = why_not_file(graduate, dtype)
    if blocked:
        return render(request, "destinations/graduate/blocked.html",
                      {"title": "补登纸质协议", "blocked": blocked, "nav_active": "new_paper"})
    form = DestinationForm(*_posted(request), dtype=dtype, graduate=graduate)
    if request.method == "POST":
        response = _run(request, form, lambda data, file: services.submit(
            PaperAgreement, actor=user, data=data, file=file, ip=client_ip(request)),
            proof_required=True, success="补登已提交，等待院系审核。")
        if response:
            return response
    return _form_page(request, form, title="补登纸质协议", nav_active="new_paper", paper=True)


# ---- 修改后重新提交 -----------------------------------------------------------------------------------------

def _edit(request, model: type[DestinationItem], pk: int):
    """After 撤回 or 退回修改: the item's form, filled in as it stands (a registration may change its type)."""
    user = request.user
    graduate = _graduate(user)
    item = services.GET_FOR[model](user, pk)
    frozen = _refusal(lambda: ensure_graduate_can_act(graduate))
    if frozen or not workflow_of(item).allows(user, item, "resubmit"):
        messages.error(request, frozen or f"当前状态（{item.get_status_display()}）不能修改，"
                                          "撤回或被退回修改后才能修改并重新提交。")
        return redirect(item.get_absolute_url())
    step = None
    if model is Registration:
        step = TypeStep(request.GET if "type" in request.GET else {"type": item.type_key},
                        choices=allowed_types(graduate))
        key = step.cleaned_data["type_key"] if step.is_valid() else item.type_key
        dtype = destination_type(key)
    else:
        dtype = paper_type()
    ctx = {"item": item, "step": step, "nav_active": "my_destinations", "paper": model is PaperAgreement,
           "returned_reason": item.last_reason if item.status == RS.RETURNED else ""}
    if dtype is None:  # a type since retired from the taxonomy: the graduate picks a current one
        return render(request, "destinations/graduate/choose_type.html",
                      {**ctx, "title": f"修改{model._meta.verbose_name}", "types": []})
    has_proof = bool(item.proof_file)
    form = DestinationForm(*_posted(request), dtype=dtype, graduate=graduate,
                           initial=initial_of(item), proof_required=not has_proof)
    if request.method == "POST":
        response = _run(request, form, lambda data, file: services.resubmit(
            model, actor=user, pk=pk, type_key=dtype.key, data=data, file=file, ip=client_ip(request)),
            proof_required=not has_proof, success=f"已重新提交{model._meta.verbose_name}，等待院系审核。")
        if response:
            return response
    return _form_page(request, form, **ctx, has_proof=has_proof, title=f"修改{model._meta.verbose_name}：{dtype.name}",
                      change_type=reverse("destinations:edit", args=[pk]) if step else "")


@login_required
def registration_edit(request, pk: int):
    return _edit(request, Registration, pk)


@login_required
def paper_edit(request, pk: int):
    return _edit(request, PaperAgreement, pk)
