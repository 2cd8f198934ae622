"""The graduate's side (phone first): see the registered 档案/户口 info and 登记状态, apply (登记 or 修改),
change the application before any review (修改申请) or withdraw it, and read results and reasons."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gradreg.common.views import client_ip, moved, run_service
from gradreg.ems.models import Graduate
from gradreg.ems.transfer_forms import InfoForm
from gradreg.ems.transfer_modules import module
from gradreg.ems.transfer_validation import info_of, shown_rows
from gradreg.roster.gates import cohort_may_act
from gradreg.workflow.pages import history

from . import services
from .flows import APPLICATION
from .history import labelled
from .models import APPLICATION_STATES, ApplicationStatus, RecordState
from .selectors import ensure_graduate, module_application, open_application, record_of
from .selectors import mine as my_applications


def _graduate(request) -> Graduate:
    ensure_graduate(request.user)
    return Graduate.objects.select_related("school", "department").get(pk=request.user.graduate_id)


def _ctx(m, **extra) -> dict:
    return {"module": m, "menu": m.kind, "menu_title": m.title, "active": "mine", **extra}


@login_required
def mine(request, kind: str):
    m = module(kind)
    graduate = _graduate(request)
    if not m.on_roster(graduate):
        return render(request, "archives/graduate/not_on_roster.html", _ctx(m, g=graduate))
    record = record_of(graduate.pk, m, graduate.school_id)
    state = record.state if record is not None else RecordState.NONE
    registered = state == RecordState.REGISTERED
    pending = open_application(graduate.pk, m, graduate.school_id)
    applications = list(my_applications(request.user, m)[:20])
    for a in applications:
        a.status_label, a.status_class = APPLICATION_STATES.label(a.status), APPLICATION_STATES.tone(a.status)
    return render(request, "archives/graduate/mine.html", _ctx(
        m, g=graduate, state_label=RecordState(state).label, registered=registered,
        rows=shown_rows(m, info_of(record)) if registered else [], pending=pending, applications=applications,
        inactive=record is not None and record.inactive_at is not None and not registered,
        may_apply=pending is None and graduate.is_valid and cohort_may_act(graduate.graduation_year)))


@login_required
def apply(request, kind: str):
    """登记 (first) or 修改 (once registered): the form, prefilled with the registered info."""
    m = module(kind)
    graduate = _graduate(request)
    if not m.on_roster(graduate):
        return redirect(f"{m.url}:mine")
    record = record_of(graduate.pk, m, graduate.school_id)
    registered = record is not None and record.state == RecordState.REGISTERED
    if request.method == "POST":
        form = InfoForm(request.POST, module=m)
        done = run_service(request, lambda: services.submit(actor=request.user, module=m,
                                                            data=form.data_for_service(), ip=client_ip(request)),
                           form=form, success="已提交，等待院系审核。",
                           redirect_to=lambda item: reverse(f"{m.url}:my_application", args=[item.pk]))
        if done.response:
            return done.response
    else:
        form = InfoForm(initial=info_of(record) if registered else {}, module=m)
    return render(request, "archives/graduate/apply.html", _ctx(m, form=form, registered=registered))


@login_required
def my_application(request, kind: str, pk: int):
    m = module(kind)
    ensure_graduate(request.user)
    item = module_application(request.user, m, pk)
    return render(request, "archives/graduate/application.html", _ctx(
        m, item=item, rows=shown_rows(m, info_of(item)), events=labelled(m, history(APPLICATION, item.pk, item.school_id)),
        status_label=APPLICATION_STATES.label(item.status), status_class=APPLICATION_STATES.tone(item.status),
        may_amend=item.status == ApplicationStatus.WAIT_DEPT and APPLICATION.allows(request.user, item, "amend")
        and item.graduate.is_valid and cohort_may_act(item.graduation_year)))


@login_required
def my_application_edit(request, kind: str, pk: int):
    """修改申请: while neither 院系 nor 学校 has reviewed it."""
    m = module(kind)
    ensure_graduate(request.user)
    item = module_application(request.user, m, pk)
    if request.method == "POST":
        form = InfoForm(request.POST, module=m)
        done = run_service(request, lambda: services.amend(actor=request.user, module=m, pk=pk,
                                                           data=form.data_for_service(), ip=client_ip(request)),
                           form=form, success="申请已修改，等待院系审核。",
                           redirect_to=reverse(f"{m.url}:my_application", args=[pk]))
        if done.response:
            return done.response
    else:
        form = InfoForm(initial=info_of(item), module=m)
    return render(request, "archives/graduate/apply.html", _ctx(m, form=form, item=item, registered=False))


@login_required
@require_POST
def my_application_cancel(request, kind: str, pk: int):
    m = module(kind)
    return run_service(request, lambda: services.act(actor=request.user, module=m, pk=pk, action="cancel",
                                                     ip=client_ip(request)),
                       success=moved, redirect_to=reverse(f"{m.url}:my_application", args=[pk])).response
