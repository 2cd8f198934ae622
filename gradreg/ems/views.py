"""就业管理系统 pages: roster maintenance and training-mode change applications."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gradreg.accounts.models import Role
from gradreg.codes.loader import code_map
from gradreg.common.errors import Forbidden
from gradreg.common.views import client_ip, run_service
from gradreg.workflow.audit import timeline

from . import services
from .flows import TRAINING_MODE_CHANGE, TRAINING_MODE_STATES
from .forms import GraduateEditForm, ReasonForm, TrainingModeChangeForm
from .models import TrainingModeChange
from .selectors import (
    ensure_ems_reader,
    ensure_ems_user,
    graduate_get_for,
    graduates_search,
    held_destination,
    roster_imports_visible_to,
    training_mode_change_get_for,
    training_mode_changes_visible_to,
)


@login_required
def home(request):
    """EMS home: the school's recent uploads, and the roster each department or school user may see."""
    ensure_ems_reader(request.user)
    school = request.user.role == Role.SCHOOL
    imports = roster_imports_visible_to(request.user).defer("errors")[:10] if school else []
    q = request.GET.get("q", "")
    graduates = graduates_search(request.user, q)[:50]
    return render(request, "ems/home.html", {"imports": imports, "school": school, "graduates": graduates, "q": q})


@login_required
def graduate_detail(request, pk: int):
    """A graduate's EMS page: basic info and the destination EMS holds, read-only where the platform sent it."""
    ensure_ems_reader(request.user)
    graduate = graduate_get_for(request.user, pk)
    return render(request, "ems/graduate_detail.html", {
        "g": graduate, "ems": held_destination(graduate.pk),
        "may_edit": request.user.role == Role.SCHOOL,
        "changes": training_mode_changes_visible_to(request.user).filter(graduate=graduate).order_by("-created_at"),
    })


@login_required
def graduate_edit(request, pk: int):
    ensure_ems_user(request.user)
    graduate = graduate_get_for(request.user, pk)
    form = GraduateEditForm(request.POST or None, instance=graduate)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        # ModelForm already wrote onto the instance; the service reloads and applies under lock
        done = run_service(request, lambda: services.graduate_update(
            actor=request.user, graduate_id=pk, changes=changes, ip=client_ip(request)), form=form,
            success="基本信息已更新。", redirect_to=reverse("roster:detail", args=[pk]))
        if done.response:
            return done.response
    return render(request, "ems/graduate_edit.html", {"form": form, "g": graduate})


@require_POST
@login_required
def graduate_delete(request, pk: int):
    form = ReasonForm(request.POST)
    form.is_valid()
    return run_service(request, lambda: services.graduate_invalidate(
        actor=request.user, graduate_id=pk, reason=form.cleaned_data.get("reason", ""), ip=client_ip(request)),
        success=lambda g: f"已将{g.name}从名单中删除，其签约和登记状态已冻结。", reraise=(Forbidden,),
        redirect_to=reverse("roster:detail", args=[pk])).response


@require_POST
@login_required
def graduate_restore(request, pk: int):
    return run_service(request, lambda: services.graduate_restore(
        actor=request.user, graduate_id=pk, ip=client_ip(request)),
        success=lambda g: f"已恢复{g.name}的网签数据。", reraise=(Forbidden,),
        redirect_to=reverse("roster:detail", args=[pk])).response


@login_required
def training_mode_detail(request, pk: int):
    change = training_mode_change_get_for(request.user, pk)
    modes = code_map("pyfs")
    return render(request, "ems/training_mode_detail.html", {
        "c": change,
        "from_name": modes.get(change.from_mode, change.from_mode),
        "to_name": modes.get(change.to_mode, change.to_mode),
        "css": TRAINING_MODE_STATES.tone(change.status),
        "moves": TRAINING_MODE_CHANGE.available(request.user, change),
        "events": timeline(TRAINING_MODE_CHANGE.item_type, change.pk),
        "workflow": TRAINING_MODE_CHANGE,
        "invalid": not change.graduate.is_valid,
    })


NEXT_STEP = {TrainingModeChange.Status.REQUESTED: "申请已提交，等待学校提交省级审核。",
             TrainingModeChange.Status.SUBMITTED: "申请已提交，等待省级审核。"}


@login_required
def training_mode_new(request, graduate_pk: int):
    if not TRAINING_MODE_CHANGE.may_start(request.user.role, "request"):
        raise Forbidden("培养方式修改由院系或学校申请。")
    graduate = graduate_get_for(request.user, graduate_pk)
    form = TrainingModeChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = run_service(request, lambda: services.training_mode_change_request(
            actor=request.user, graduate_id=graduate.pk, ip=client_ip(request), **form.cleaned_data), form=form,
            success=lambda change: NEXT_STEP[change.status], redirect_to=lambda change: change.get_absolute_url())
        if done.response:
            return done.response
    return render(request, "ems/training_mode_new.html", {"form": form, "g": graduate})


@require_POST
@login_required
def training_mode_act(request, pk: int, action: str):
    return run_service(request, lambda: services.training_mode_change_act(
        actor=request.user, change_id=pk, action=action, reason=request.POST.get("reason", ""), ip=client_ip(request)),
        success="操作成功。", redirect_to=reverse("ems:training_mode_detail", args=[pk])).response
