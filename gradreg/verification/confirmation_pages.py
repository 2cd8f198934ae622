"""登记确认信息's pages: the graduate's page (phone first) and the staff list, detail and statistics."""
from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from gradreg.codes.loader import region_name
from gradreg.common.roles import Role
from gradreg.common.views import client_ip, run_service
from gradreg.workflow.lists import Column, Export, ListSpec, link_column, status_column

from . import confirmation as c
from .models import ConfirmationStatus

MENU, MENU_TITLE = "confirmation", "登记确认信息"


class FilterForm(forms.Form):
    """登记确认情况列表's filters (核验列表's too, with its own status); a bad value is left out, never an
    error page."""

    status = forms.ChoiceField(label="登记确认状态", required=False,
                               choices=[("", "全部"), *ConfirmationStatus.choices])
    q = forms.CharField(label="姓名/考生号", required=False, max_length=50)
    graduation_year = forms.IntegerField(label="毕业年份", required=False, min_value=2000, max_value=2100,
                                         widget=forms.NumberInput(attrs={"placeholder": "全部"}))

    def filters(self) -> c.Filters:
        self.is_valid()
        v = self.cleaned_data
        return c.Filters(status=v.get("status") or "", q=v.get("q") or "", graduation_year=v.get("graduation_year"))


class ConfirmForm(forms.Form):
    description = forms.CharField(label="有误说明", required=False, strip=False,
                                  widget=forms.Textarea(attrs={"rows": 4, "maxlength": c.DESCRIPTION_MAX}))


EXPORT = Export(
    title="登记确认情况", sheet="登记确认情况",
    columns=(("考生号", "exam_no"), ("姓名", "name"), ("院系", "department__name"), ("毕业年份", "graduation_year"),
             ("毕业生信息来源", "reported_destination__source"), ("毕业去向", "reported_destination__destination"),
             ("登记确认状态", "confirm_status"), ("有误说明", "confirmation__description"),
             ("确认时间", "confirmation__confirmed_at")),
    labels={"confirm_status": c.LABELS, "reported_destination__source": dict(c.DestinationSource.choices)},
)

CONFIRMATION_LIST = ListSpec(
    name="confirmation:", title="登记确认情况列表", template="verification/confirmation_list.html", nav="list",
    menu=MENU, menu_title=MENU_TITLE, detail="confirmation:detail",
    form=lambda params, user: FilterForm(params),
    search=lambda user, form: c.search(user, form.filters()), rows=c.rows, decorate=c.decorate, export=EXPORT,
    columns=(Column("考生号", "exam_no"), Column("姓名", "name"), Column("院系", "department_name"),
             Column("毕业年份", "graduation_year"), Column("毕业生信息来源", "source_label"),
             Column("毕业去向", "destination"), status_column("登记确认状态"),
             Column("确认时间", "confirmed_at"), link_column("操作", "confirmation:detail", "查看")),
    empty="没有符合条件的毕业生。",
)


def _ctx(active: str, **extra) -> dict:
    return {"menu": MENU, "menu_title": MENU_TITLE, "active": active, **extra}


@login_required
def home(request):
    """The module's entry: the graduate's own page, or the staff list."""
    if request.user.role == Role.GRADUATE:
        return redirect("confirmation:mine")
    c.ensure_staff(request.user)
    return redirect("confirmation:list")


@login_required
def mine(request):
    """The graduate's page: EMS's destination, 档案 and 户口 info, the status, 确认无误 / 确认有误."""
    graduate = c.my_graduate(request.user)
    form = ConfirmForm()
    if request.method == "POST":
        form = ConfirmForm(request.POST)
        form.is_valid()
        correct = request.POST.get("action") == "confirm_ok"
        done = run_service(request, lambda: c.confirm(
            actor=request.user, correct=correct, description=request.POST.get("description", ""),
            ip=client_ip(request)), form=form, field="description" if not correct else None,
            success="已确认无误。" if correct else "已提交确认有误，院系将核实处理。",
            redirect_to=reverse("confirmation:mine"))
        if done.response:
            return done.response
    o = c.overview(graduate)
    # EMS's read-only notice speaks to staff (who may change what); the graduate reads the same destination
    ems = {**o.ems, "from_platform": False}
    return render(request, "verification/confirmation_mine.html", _ctx(
        "mine", o=o, ems=ems, form=form, may_confirm=c.may_confirm(o), records=o.records(20)))



@login_required
def detail(request, pk: int):
    """登记确认信息 (the status and, for 确认有误, what the graduate wrote), 基本信息, 登记确认记录."""
    graduate = c.staff_graduate(request.user, pk)
    o = c.overview(graduate)
    return render(request, "verification/confirmation_detail.html", _ctx(
        "list", o=o, g=graduate, records=o.records(), origin=region_name(graduate.origin_region)))


@login_required
def statistics(request):
    c.ensure_staff(request.user)
    form = FilterForm(request.GET)
    year = form.filters().graduation_year
    return render(request, "verification/confirmation_statistics.html", _ctx(
        "statistics", stats=c.statistics(request.user, year), year=year or ""))
