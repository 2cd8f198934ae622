"""The staff pages of both modules (seed 4): 首页, 档案/户口信息 (查看, 修改信息), 申请记录 (审核, 修改信息),
数据统计. Thin: forms in, services out, the table decides who may do what. Every view takes the module's
`kind` from its URL pattern (urls.py), so one module's page never serves the other's items."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gradreg.codes.loader import region_name
from gradreg.common.roles import Role
from gradreg.common.views import client_ip, moved, run_service
from gradreg.ems.models import ReportedTransfer
from gradreg.ems.selectors import held_destination
from gradreg.ems.transfer_forms import InfoForm
from gradreg.ems.transfer_modules import Module, module
from gradreg.ems.transfer_validation import info_of, shown_rows, type_choices
from gradreg.roster.gates import cohort_may_act, current_cohort
from gradreg.workflow.audit import timeline
from gradreg.workflow.pages import history, item_actions

from . import services
from .flows import APPLICATION
from .forms import ReasonForm
from .history import labelled
from .models import APPLICATION_STATES, RecordState
from .selectors import (
    STAFF,
    ensure_staff,
    module_application,
    module_graduate,
    open_application,
    record_of,
    roster_of,
    waiting_counts,
)

OWN_FORMS = frozenset({"edit", "amend"})  # moves with a form of their own


def _ctx(m: Module, active: str, **extra) -> dict:
    return {"module": m, "menu": m.kind, "menu_title": m.title, "active": active, **extra}


@login_required
def home(request, kind: str):
    """模块首页: 下载操作指南 and what waits for this reviewer, live (seed 4.1); a graduate goes to their own page."""
    m = module(kind)
    if request.user.role == Role.GRADUATE:
        return redirect(f"{m.url}:mine")
    ensure_staff(request.user, m)
    counts = waiting_counts(request.user, m)
    roster = roster_of(request.user, m).aggregate(
        current=Count("id", filter=Q(graduation_year=current_cohort(), is_valid=True)),
        invalid=Count("id", filter=Q(is_valid=False)))
    return render(request, "archives/home.html", _ctx(m, "home", counts=counts, roster=roster,
                                                       total=sum(n for *_, n in counts)))


@login_required
def guide(request, kind: str):
    """下载操作指南: the platform's guide of the user's role (its 档案/户口 section)."""
    module(kind)
    return redirect("signing:guide")


# ---- 档案/户口信息 ------------------------------------------------------------------------------------------

def _graduate_info(request, m: Module, pk: int):
    graduate = module_graduate(request.user, m, pk)
    record = record_of(graduate.pk, m, graduate.school_id)
    registered = record is not None and record.state == RecordState.REGISTERED
    return graduate, record, registered


@login_required
def info_detail(request, kind: str, pk: int):
    """查看: the graduate's 登记状态, registered info, EMS's copy, a pending application, the history."""
    m = module(kind)
    ensure_staff(request.user, m)
    graduate, record, registered = _graduate_info(request, m, pk)
    reported = ReportedTransfer.objects.filter(school_id=graduate.school_id, graduate_id=graduate.pk,
                                               kind=m.kind).first()
    pending = open_application(graduate.pk, m, graduate.school_id)
    events = labelled(m, timeline(m.item_type, record.pk, record.school_id) if record is not None else [],
                      RecordState.choices)
    return render(request, "archives/info_detail.html", _ctx(
        m, "info", g=graduate, record=record, registered=registered,
        rows=shown_rows(m, info_of(record)) if registered else [],
        inactive=record is not None and record.inactive_at is not None and not registered,
        reported_rows=shown_rows(m, info_of(reported)) if reported else [], reported=reported,
        pending=pending, events=events, origin=region_name(graduate.origin_region),
        may_edit=graduate.is_valid and cohort_may_act(graduate.graduation_year)))


@login_required
def info_edit(request, kind: str, pk: int):
    """修改信息 (or the first 登记) by 院系/学校: no school review, audited, sent to EMS at once (seed 4.3.1)."""
    m = module(kind)
    ensure_staff(request.user, m)
    graduate, record, registered = _graduate_info(request, m, pk)
    if request.method == "POST":
        form = InfoForm(request.POST, module=m)
        done = run_service(request, lambda: services.write_record(
            actor=request.user, module=m, graduate_id=graduate.pk, data=form.data_for_service(),
            ip=client_ip(request)), form=form, success=f"{m.info}已登记，并已同步至就业管理系统。",
            redirect_to=reverse(f"{m.url}:info", args=[graduate.pk]))
        if done.response:
            return done.response
    else:
        form = InfoForm(initial=info_of(record) if registered else {}, module=m)
    return render(request, "archives/info_edit.html", _ctx(m, "info", g=graduate, form=form, registered=registered))


# ---- 申请记录 ------------------------------------------------------------------------------------------------

@login_required
def application_detail(request, kind: str, pk: int):
    """审核详情页 (seed 4.3.2): 待审核的信息, 已上报的信息 and the graduate's 毕业去向, the moves, the history."""
    m = module(kind)
    item = module_application(request.user, m, pk)
    if request.user.role == Role.GRADUATE:
        return redirect(f"{m.url}:my_application", pk)
    ensure_staff(request.user, m)
    record = record_of(item.graduate_id, m, item.school_id)
    registered = record is not None and record.state == RecordState.REGISTERED
    actions = item_actions(APPLICATION, request.user, item, reverse(f"{m.url}:application_act", args=[pk]),
                           hide=OWN_FORMS, categories=())
    return render(request, "archives/application_detail.html", _ctx(
        m, "applications", item=item, rows=shown_rows(m, info_of(item)),
        registered_rows=shown_rows(m, info_of(record)) if registered else [],
        ems=held_destination(item.graduate_id), origin=region_name(item.graduate.origin_region), events=labelled(m, history(APPLICATION, item.pk, item.school_id)),
        status_label=APPLICATION_STATES.label(item.status), status_class=APPLICATION_STATES.tone(item.status),
        may_edit=not actions["frozen"] and APPLICATION.allows(request.user, item, "edit"), **actions))


@login_required
@require_POST
def application_act(request, kind: str, pk: int):
    m = module(kind)
    form = ReasonForm(request.POST)
    form.is_valid()
    return run_service(request, lambda: services.act(
        actor=request.user, module=m, pk=pk, action=request.POST.get("action", ""),
        reason=form.cleaned_data.get("reason", ""), ip=client_ip(request)),
        success=moved, redirect_to=reverse(f"{m.url}:application", args=[pk])).response


@login_required
def application_edit(request, kind: str, pk: int):
    """修改信息 on an application waiting for this reviewer; a department's change still goes to the school."""
    m = module(kind)
    ensure_staff(request.user, m)
    item = module_application(request.user, m, pk)
    if request.method == "POST":
        form = InfoForm(request.POST, module=m)
        reason = ReasonForm(request.POST)
        reason.is_valid()
        done = run_service(request, lambda: services.reviewer_edit(
            actor=request.user, module=m, pk=pk, data=form.data_for_service(),
            reason=reason.cleaned_data.get("reason", ""), ip=client_ip(request)), form=form,
            success="申请信息已修改，已通知毕业生。", redirect_to=reverse(f"{m.url}:application", args=[pk]))
        if done.response:
            return done.response
    else:
        form = InfoForm(initial=info_of(item), module=m)
    return render(request, "archives/application_edit.html", _ctx(m, "applications", item=item, form=form))


# ---- 数据统计 -----------------------------------------------------------------------------------------------

@login_required
def statistics(request, kind: str):
    """数据统计 (seed 4.5): 登记状态 and 类型 over the module's current roster, by department — grouped queries."""
    m = module(kind)
    ensure_staff(request.user, m)
    cohort = request.GET.get("graduation_year", "")
    year = int(cohort) if cohort.isdigit() and 2000 <= int(cohort) <= 2100 else current_cohort()
    base = roster_of(request.user, m).filter(is_valid=True, graduation_year=year)
    rec = Q(transfer_records__kind=m.kind)
    registered = rec & Q(transfer_records__state=RecordState.REGISTERED)
    pending = rec & Q(transfer_records__state=RecordState.PENDING)
    by_department = list(base.values("department__name").annotate(
        total=Count("id", distinct=True), registered=Count("id", filter=registered, distinct=True),
        pending=Count("id", filter=pending, distinct=True)).order_by("department__name"))
    for row in by_department:
        row["none"] = row["total"] - row["registered"] - row["pending"]
    totals = {k: sum(r[k] for r in by_department) for k in ("total", "registered", "pending", "none")}
    names = dict(type_choices(m))
    by_type = [(names.get(code, code or "—"), n) for code, n in base.filter(registered).values_list(
        "transfer_records__transfer_type").annotate(n=Count("id")).order_by("transfer_records__transfer_type")]
    return render(request, "archives/statistics.html", _ctx(
        m, "statistics", year=year, by_department=by_department, totals=totals, by_type=by_type,
        staff=request.user.role in STAFF))

