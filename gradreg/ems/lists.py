"""培养方式修改记录, declared as a list (gradreg.workflow.lists): a review list in a few dozen lines."""
from __future__ import annotations

from django import forms
from django.db.models import F

from gradreg.accounts.models import Role
from gradreg.codes.loader import code_map
from gradreg.common.errors import Forbidden
from gradreg.workflow.lists import Column, ListSpec, link_column, status_column

from .flows import TRAINING_MODE_STATES
from .models import TrainingModeChange
from .selectors import training_mode_changes_visible_to

VIEWERS = frozenset({Role.DEPARTMENT, Role.SCHOOL, Role.PROVINCE})


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", required=False,
                               choices=[("", "全部")] + list(TrainingModeChange.Status.choices))


def training_mode_search(actor, form: StatusFilterForm):
    if actor.role not in VIEWERS:
        raise Forbidden("您的角色不能查看培养方式修改记录。")
    qs = training_mode_changes_visible_to(actor)
    status = form.cleaned_data.get("status") if form.is_valid() else ""
    return (qs.filter(status=status) if status else qs).order_by("-created_at", "-id")


def training_mode_rows(qs):
    return qs.values("id", "status", "from_mode", "to_mode", "created_at", "exam_no", "graduate_name",
                     department_name=F("department__name"), graduate_valid=F("graduate__is_valid"))


def decorate_training_mode_rows(rows: list[dict], user) -> None:
    modes = code_map("pyfs")
    for r in rows:
        r["from_name"], r["to_name"] = modes.get(r["from_mode"], r["from_mode"]), modes.get(r["to_mode"], r["to_mode"])
        r["status_label"], r["status_class"] = TRAINING_MODE_STATES.label(r["status"]), TRAINING_MODE_STATES.tone(r["status"])
        if not r["graduate_valid"]:  # frozen with its graduate (seed 3.6)
            r["status_label"], r["status_class"] = f"失效（{r['status_label']}）", "bad"


TRAINING_MODE_LIST = ListSpec(
    name="ems:training_mode",
    title="培养方式修改记录",
    template="ems/training_mode_list.html",
    nav="tmc",
    form=lambda params, user: StatusFilterForm(params),
    search=training_mode_search,
    rows=training_mode_rows,
    decorate=decorate_training_mode_rows,
    columns=(
        Column("考生号", "exam_no"), Column("姓名", "graduate_name"), Column("院系", "department_name"),
        Column("原培养方式", "from_name"), Column("申请修改为", "to_name"), status_column("状态"),
        Column("申请时间", "created_at"), link_column("", "ems:training_mode_detail", "详细"),
    ),
    empty="暂无申请。",
    empty_class="",
    htmx=False,
)
