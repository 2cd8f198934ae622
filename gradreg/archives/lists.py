"""The lists of both modules, declared once per module (gradreg.workflow.lists): 学生名单管理, 档案/户口信息,
申请记录 (with 批量审核 and its export) and 失效信息管理. `lists_of(module)` gives a module's four."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.db.models import QuerySet

from gradreg.codes.loader import code_map
from gradreg.ems.transfer_modules import MODULES, Module
from gradreg.roster.forms import RosterFilterForm
from gradreg.roster.lists import decorate_roster_rows
from gradreg.roster.selectors import as_list_rows, roster_search
from gradreg.workflow.lists import (
    Batch,
    Column,
    Export,
    ListSpec,
    label_state,
    link_column,
    mark_invalid,
    review_link,
    status_column,
)

from . import services
from .forms import ApplicationFilterForm, InfoFilterForm
from .models import APPLICATION_STATES, ApplicationStatus, ApplicationType, RecordState
from .selectors import (
    ApplicationFilters,
    InfoFilters,
    application_rows,
    application_search,
    ensure_staff,
    info_rows,
    info_search,
)

# 批量审核 (seed 4.3.2): pass, or reject with one shared reason (no category)
BATCH_ACTIONS = (("approve", "审核通过"), ("reject", "审核不通过"))
STATE_TONES = {RecordState.NONE: "off", RecordState.PENDING: "wait", RecordState.REGISTERED: "ok"}


@dataclass(frozen=True)
class ModuleLists:
    roster: ListSpec
    info: ListSpec
    applications: ListSpec
    invalid: ListSpec


def _type_names(module: Module) -> dict[str, str]:
    return code_map(module.code_table)


def _decorate_info(module: Module):
    labels = dict(RecordState.choices)

    def decorate(rows: list[dict], user) -> None:
        types = _type_names(module)
        for r in rows:
            state = r["record_state"] or RecordState.NONE
            r["state_label"], r["state_class"] = labels[state], STATE_TONES[state]
            registered = state == RecordState.REGISTERED
            r["type_label"] = types.get(r["record_type"], r["record_type"]) if registered else ""
            r["unit_label"] = (r["record_unit"] or "") if registered else ""
    return decorate


def _decorate_applications(module: Module):
    apply_types = dict(ApplicationType.choices)

    def decorate(rows: list[dict], user) -> None:
        types = _type_names(module)
        mine = APPLICATION_STATES.waiting_for(user.role)
        for r in rows:
            label_state(r, APPLICATION_STATES, mine)
            r["apply_type_label"] = apply_types.get(r["apply_type"], r["apply_type"])
            r["type_label"] = types.get(r["transfer_type"], r["transfer_type"])
            r["origin_match"] = "是" if r["region"] and r["region"] == r["origin_region"] else "否"
            mark_invalid(r)
    return decorate


def _roster_search(module: Module):
    def search(user, form) -> QuerySet:
        return roster_search(user, form.filters(valid=True)).filter(module.roster_q())
    return search


def _invalid_search(module: Module):
    def search(user, form) -> QuerySet:
        ensure_staff(user, module)
        return roster_search(user, form.filters(valid=False)).filter(module.roster_q())
    return search


def _info_search(module: Module):
    def search(user, form: InfoFilterForm) -> QuerySet:
        v = form.values()
        return info_search(user, module, InfoFilters(
            state=v.get("state") or "", q=v.get("q") or "", graduation_year=v.get("graduation_year"),
            transfer_type=v.get("transfer_type") or ""))
    return search


def _application_search(module: Module):
    def search(user, form: ApplicationFilterForm) -> QuerySet:
        v = form.values()
        return application_search(user, module, ApplicationFilters(
            status=v.get("status") or "", apply_type=v.get("apply_type") or "", q=v.get("q") or "",
            date_from=v.get("date_from"), date_to=v.get("date_to"), graduation_year=v.get("graduation_year")))
    return search


def _export(module: Module) -> Export:
    return Export(
        title=f"{module.noun}信息申请记录", sheet="申请记录",
        columns=(("考生号", "exam_no"), ("姓名", "graduate_name"), ("毕业年份", "graduation_year"),
                 ("申请类型", "apply_type"), *((f.label, f.name) for f in module.fields),
                 ("审核状态", "status"), ("审核意见", "last_reason"), ("更新时间", "updated_at")),
        labels={"apply_type": dict(ApplicationType.choices), "status": dict(ApplicationStatus.choices),
                "transfer_type": _LazyTypes(module)},
    )


class _LazyTypes(dict):
    """The module's type names, read when an export asks (the code tables are data)."""

    def __init__(self, module: Module) -> None:
        super().__init__()
        self.module = module

    def get(self, key, default=None):
        return _type_names(self.module).get(key, default)


def _info_export(module: Module) -> Export:
    return Export(title=f"{module.info}", sheet=module.info,
                  columns=(("考生号", "exam_no"), ("学号", "student_no"), ("姓名", "name"),
                           ("毕业年份", "graduation_year"), ("院系", "department__name"),
                           ("登记状态", "rec__state"), (module.fields[0].label, "rec__transfer_type"),
                           *((f.label, f"rec__{f.name}") for f in module.fields[1:])),
                  labels={"rec__state": {**dict(RecordState.choices), None: "未登记"},
                          "rec__transfer_type": _LazyTypes(module)})


@cache
def lists_of(module: Module) -> ModuleLists:
    ns, menu = module.url, module.kind
    common = {"menu": menu, "menu_title": module.title,
              "context": lambda request: {"module": module, "ns": ns, "active_module": module.kind}}
    act = services.act_for(module)
    return ModuleLists(
        roster=ListSpec(
            name=f"{ns}:roster", title="学生名单管理", template="archives/roster_list.html", nav="roster",
            form=lambda params, user: RosterFilterForm(params, actor=user),
            search=_roster_search(module), rows=as_list_rows, decorate=decorate_roster_rows,
            columns=(Column("考生号", "exam_no"), Column("学号", "student_no"), Column("姓名", "name"),
                     Column("身份证号", "id_masked"), Column("院系", "department_name"), Column("专业", "major_name"),
                     Column("学历层次", "level_name"), Column("毕业年份", "graduation_year"),
                     link_column("操作", "roster:detail", "详细")),
            empty="没有符合条件的毕业生。", **common),
        info=ListSpec(
            name=f"{ns}:info", title=module.info, template="archives/info_list.html", nav="info",
            form=lambda params, user: InfoFilterForm(params, module=module),
            search=_info_search(module), rows=info_rows, decorate=_decorate_info(module),
            export=_info_export(module),
            columns=(Column("考生号", "exam_no"), Column("姓名", "name"), Column("院系", "department_name"),
                     Column("毕业年份", "graduation_year"),
                     status_column("登记状态", "state_label", "state_class"),
                     Column(module.fields[0].label, "type_label"), Column("接收单位", "unit_label"),
                     link_column("操作", f"{ns}:info", "查看")),
            empty="没有符合条件的毕业生。", **common),
        applications=ListSpec(
            name=f"{ns}:application", title="申请记录", template="archives/application_list.html",
            nav="applications", detail=f"{ns}:application",
            form=lambda params, user: ApplicationFilterForm(params, states=APPLICATION_STATES),
            search=_application_search(module), rows=application_rows, decorate=_decorate_applications(module),
            states=APPLICATION_STATES, export=_export(module),
            batch=Batch(act=act, actions=BATCH_ACTIONS, ensure=lambda user: ensure_staff(user, module)),
            columns=(Column("考生号", "exam_no"), Column("姓名", "graduate_name"), Column("院系", "department_name"),
                     Column("申请类型", "apply_type_label"), Column(module.fields[0].label, "type_label"),
                     Column("所在地", "region"), Column("与生源地一致", "origin_match"),
                     status_column("审核状态"), Column("更新时间", "updated_at"),
                     link_column("操作", f"{ns}:application", review_link)),
            empty="没有符合条件的申请记录。", **common),
        invalid=ListSpec(
            name=f"{ns}:invalid", title="失效信息管理", template="archives/invalid_list.html", nav="invalid",
            form=lambda params, user: RosterFilterForm(params or None, actor=user),
            search=_invalid_search(module), rows=as_list_rows, decorate=decorate_roster_rows,
            columns=(Column("考生号", "exam_no"), Column("姓名", "name"), Column("身份证号", "id_masked"),
                     Column("院系", "department_name"), Column("毕业年份", "graduation_year"),
                     Column("失效时间", "invalidated_at"), Column("失效原因", "invalid_reason")),
            empty="没有失效的毕业生。", htmx=False, **common),
    )


def all_lists() -> list[ModuleLists]:
    return [lists_of(m) for m in MODULES.values()]
