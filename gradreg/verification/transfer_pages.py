"""档案信息转递列表 and 户口信息转递列表 (seed 6.2): the list with its filters, 批量生成/重新生成转递编号, 批量下载 and
查询 (the 去向登记信息表 with its 转递编号). School and department users only."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gradreg.codes.loader import code_map
from gradreg.common import registries as reg
from gradreg.common.roles import Role
from gradreg.common.views import client_ip, run_service
from gradreg.ems.transfer_modules import MODULES
from gradreg.organisations.models import Department
from gradreg.workflow.lists import Column, Export, ListSpec, link_column, status_column

from . import transfers as t
from .models import SheetKind
from .sheets import sheet_for

MENU, MENU_TITLE = "handover", "户档转递与核验信息"


class FilterForm(forms.Form):
    """The list's filters; a bad value is left out, never an error page."""

    status = forms.ChoiceField(label="转递编号状态", required=False, choices=[("", "全部"), *t.FILTER_CHOICES])
    updated_from = forms.DateField(label="更新时间从", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    updated_to = forms.DateField(label="更新时间至", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(label="姓名/考生号", required=False, max_length=50)
    graduation_year = forms.IntegerField(label="毕业年份", required=False, min_value=2000, max_value=2100,
                                         widget=forms.NumberInput(attrs={"placeholder": "全部"}))
    department = forms.TypedChoiceField(label="院系", required=False, coerce=int, empty_value=None)

    def __init__(self, data, *, actor):
        super().__init__(data)
        if getattr(actor, "role", None) == Role.SCHOOL:
            self.fields["department"].choices = [("", "全部"), *Department.objects.filter(
                school_id=actor.school_id).order_by("code").values_list("pk", "name")]
        else:
            del self.fields["department"]

    def filters(self) -> t.Filters:
        self.is_valid()
        v = self.cleaned_data
        return t.Filters(status=v.get("status") or "", updated_from=v.get("updated_from"),
                         updated_to=v.get("updated_to"), q=v.get("q") or "",
                         graduation_year=v.get("graduation_year"), department=v.get("department"))


class CodeLabels(Mapping):
    """A code table's names, read when the export runs (not when this module is imported)."""

    def __init__(self, table: str) -> None:
        self.table = table

    def __getitem__(self, key):
        return code_map(self.table)[key]

    def get(self, key, default=None):
        return code_map(self.table).get(key, default)

    def __iter__(self) -> Iterator:
        return iter(code_map(self.table))

    def __len__(self) -> int:
        return len(code_map(self.table))


def _export(kind: str) -> Export:
    """批量下载: 基本信息, 去向信息, the sheet's 档案/户口 info (the registered record's fields by name), 转递编号."""
    module = MODULES[kind]
    info = tuple((f.label, f"tr__{f.name}") for f in module.fields)
    return Export(
        title=t.TITLES[kind], sheet=t.TITLES[kind],
        columns=(("考生号", "exam_no"), ("学号", "student_no"), ("姓名", "name"), ("性别", "gender"),
                 ("院系", "department__name"), ("专业", "major__name"), ("学历", "education_level"),
                 ("毕业年份", "graduation_year"), ("毕业时间", "graduation_date"), ("生源所在地", "origin_region"),
                 ("毕业去向", "reported_destination__destination"), ("具体去向", "reported_destination__subtype"),
                 ("单位名称", "reported_destination__employer_name"),
                 ("统一社会信用代码", "reported_destination__credit_code"),
                 ("单位所在地", "reported_destination__employer_region"), *info,
                 ("转递编号", "code_shown"), ("转递编号状态", "code_status"), ("更新时间", "tc__updated_at")),
        labels={"gender": CodeLabels("xb"), "education_level": CodeLabels("xl"),
                "tr__transfer_type": CodeLabels(module.code_table), "code_status": t.LABELS},
    )


@dataclass(frozen=True)
class TransferList(ListSpec):
    """A ListSpec whose URLs carry the sheet (`transfers/<kind>/`)."""

    kind: str = SheetKind.ARCHIVE

    def list_url(self) -> str:
        return reverse("handover:transfers", args=[self.kind])

    def export_url(self) -> str:
        return reverse("handover:transfer_export", args=[self.kind])

    def export_response(self, request, *, returned: bool = False):
        qs = self.search(request.user, self.bind(self.params(request), request.user))
        return self.export.response(t.with_records(qs, self.kind))


def _spec(kind: str) -> TransferList:
    return TransferList(
        name=f"handover:transfer_{kind}", title=t.TITLES[kind], template="verification/transfer_list.html",
        nav=f"transfers_{kind}", menu=MENU, menu_title=MENU_TITLE, detail="handover:transfer_detail", kind=kind,
        form=lambda params, user: FilterForm(params, actor=user),
        search=lambda user, form: t.search(user, kind, form.filters()), rows=t.rows, decorate=t.decorate,
        # a plain GET filter: the generate form above the list takes its 院系 from the filter just applied
        export=_export(kind), htmx=False,
        context=lambda request: {"kind": kind, "generate_url": reverse("handover:transfer_generate", args=[kind]),
                                 "export_label": "批量下载"},
        columns=(Column("考生号", "exam_no"), Column("姓名", "name"), Column("院系", "department_name"),
                 Column("毕业年份", "graduation_year"), Column("毕业去向", "destination"),
                 Column("转递编号", cells=lambda ctx: lambda r: (
                     f'<span class="code">{r["code_shown"]}</span>' if r["code_shown"] else "—")),
                 status_column("状态"), Column("更新时间", "code_updated"),
                 link_column("操作", f"handover:transfer_detail_{kind}", "查询")),
        empty="没有符合条件的毕业生（列表只含已上报毕业去向的毕业生）。",
    )


SPECS = {kind: _spec(kind) for kind in SheetKind.values}


def _list_of(kind: str) -> TransferList:
    if kind not in SPECS:
        raise Http404
    return SPECS[kind]


def transfers(request, kind: str):
    return _list_of(kind).view(request)


def export(request, kind: str):
    return _list_of(kind).export_view(request)


@login_required
@require_POST
def generate(request, kind: str):
    """批量生成/重新生成转递编号 (POST): new codes for those without one, renewed stale ones; then back."""
    spec = _list_of(kind)
    t.ensure_staff(request.user)
    return run_service(request, lambda: t.generate(request.user, kind, department=request.POST.get("department"),
                                                   ip=client_ip(request)),
                       success=t.run_message, redirect_to=spec.list_url()).response


@login_required
def detail(request, kind: str, graduate_id: int):
    """查询: the sheet with its current 转递编号, or the preview without a code and why."""
    spec = _list_of(kind)
    graduate = t.staff_graduate(request.user, graduate_id)
    tc = t.code_of(graduate, kind)
    status = t.status_of(tc)
    sheet = sheet_for(graduate, kind)
    note = ""
    if status == t.CURRENT:
        sheet = sheet.with_code("transfer", tc.code, tc.qr_token)
    elif status == t.STALE:
        note = f"转递编号已失效：{t.stale_text(tc.stale_reason)}。请点击“批量生成/重新生成转递编号”更新后再查看。"
    else:
        note = "尚未生成转递编号（预览）。请在列表中点击“批量生成/重新生成转递编号”。"
    return render(request, "verification/transfer_detail.html", {
        "menu": MENU, "menu_title": MENU_TITLE, "active": spec.nav, "list": spec, "g": graduate, "sheet": sheet,
        "tc": tc, "status": status, "status_label": t.LABELS[status], "status_class": t.TONES[status],
        "no_code_note": note})


def register_transfer_pages() -> None:
    """The two lists in the 户档转递与核验信息 menu (the module's entry is registered beside the 核验 lists)."""
    reg.register_nav(*(
        reg.NavEntry(MENU, f"transfers_{kind}", t.TITLES[kind], f"handover:transfers_{kind}", order,
                     active=f"transfers_{kind}", roles=t.STAFF)
        for kind, order in ((SheetKind.ARCHIVE.value, 30), (SheetKind.HUKOU.value, 40))))
