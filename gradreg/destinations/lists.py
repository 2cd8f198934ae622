"""去向登记管理 and 补登管理, declared as lists: the page, its htmx filter, both exports, 批量审核 and the API
page come from the spec (gradreg.workflow.lists). Both lists have one shape; each has its own wording.
"""
from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.db.models.fields.json import KT

from gradreg.codes.destinations import destination_types
from gradreg.organisations.warnings import warning_for, warning_of
from gradreg.workflow.items import RejectCategory
from gradreg.workflow.lists import (
    INVALID_LABEL,
    REVIEW_ACTIONS,
    Batch,
    Column,
    ListSpec,
    label_state,
    link_column,
    mark_invalid,
    review_link,
    status_column,
    warned_cell,
)
from gradreg.workflow.states import StateSet

from . import services
from .exports import PAPER_EXPORT, REGISTRATION_EXPORT
from .models import PAPER_STATES, REGISTRATION_STATES, DestinationItem, PaperAgreement, Registration, type_label
from .selectors import INVALID, Filters, ensure_reviewer, rows, search


class ReviewFilterForm(forms.Form):
    """The seed's filters of 去向登记管理 / 补登管理; a bad value is left out, never an error page."""

    status = forms.ChoiceField(required=False)
    type = forms.ChoiceField(label="毕业去向类型", required=False)
    q = forms.CharField(label="姓名/考生号", required=False, max_length=50)
    unit = forms.CharField(label="单位（院校）名称", required=False, max_length=100,
                           widget=forms.TextInput(attrs={"placeholder": "名称开头即可"}))
    date_from = forms.DateField(label="更新日期从", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    graduation_year = forms.IntegerField(label="毕业年份", required=False, min_value=2000, max_value=2100,
                                         widget=forms.NumberInput(attrs={"placeholder": "全部"}))

    def __init__(self, *args, states: StateSet, status_label: str, module: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].label = status_label
        self.fields["status"].choices = [*states.choices, (INVALID, INVALID_LABEL), ("", "全部")]
        types = list(dict.fromkeys(t.type for t in destination_types(module).values()))
        if len(types) > 1:
            self.fields["type"].choices = [("", "全部"), *((t, t) for t in types)]
        else:  # 补登 is one type
            del self.fields["type"]

    def filters(self) -> Filters:
        self.is_valid()
        data = self.cleaned_data  # the fields that parsed; a bad one filters nothing
        return Filters(status=data.get("status") or "", type=data.get("type") or "", q=data.get("q") or "",
                       unit=data.get("unit") or "", date_from=data.get("date_from"), date_to=data.get("date_to"),
                       graduation_year=data.get("graduation_year"))


def decorator(states: StateSet):
    """The rows' state (失效 marked), 毕业去向 and 预警单位, in one query at most (the flagged codes are cached)."""
    def decorate(page_rows: list[dict], user) -> None:
        warn = warning_for(user, (), [r["credit_code"] for r in page_rows if r["credit_code"]])
        mine = states.waiting_for(user.role)
        for r in page_rows:
            label_state(r, states, mine)
            r["type_label"] = type_label(r["destination_type"], r["subtype"])
            r["warning"] = warning_of(warn, None, r["credit_code"])
            mark_invalid(r)
    return decorate


def paper_rows(qs: QuerySet) -> QuerySet:
    """补登's rows also name the paper form (its number, from the details)."""
    return rows(qs).annotate(paper_no=KT("details__paper_no"))


def review_list(model: type[DestinationItem], *, name: str, title: str, nav: str, detail: str, status_label: str,
                states: StateSet, act, export, template: str, what: Column, page_rows=rows) -> ListSpec:
    """A reviewer's list of this module: the seed's filters, 批量审核 (always 审核), both exports; `what` is the
    column saying which destination it is."""
    module = model.module
    return ListSpec(
        name=name, title=title, template=template, nav=nav, detail=detail,
        form=lambda params, user: ReviewFilterForm(params, states=states, status_label=status_label, module=module),
        search=lambda user, form: search(model, user, form.filters()), rows=page_rows, decorate=decorator(states),
        states=states, export=export, returns="returned",
        batch=Batch(act=act, actions=REVIEW_ACTIONS, ensure=ensure_reviewer, categories=RejectCategory.choices),
        columns=(Column("考生号", "exam_no"), Column("姓名", "graduate_name"), Column("院系", "department_name"),
                 what, Column("单位/院校", html=warned_cell("unit_name")),
                 status_column(status_label), Column("更新时间", "updated_at"), link_column("操作", detail, review_link)),
    )


REGISTRATION_REVIEW = review_list(
    Registration, name="destinations:", title="去向登记管理", nav="destinations", detail="destinations:detail",
    status_label="去向登记状态", states=REGISTRATION_STATES, act=services.registration_act,
    export=REGISTRATION_EXPORT, template="destinations/list.html", what=Column("毕业去向", "type_label"),
)
PAPER_REVIEW = review_list(
    PaperAgreement, name="destinations:paper", title="补登管理", nav="paper", detail="destinations:paper_detail",
    status_label="补登状态", states=PAPER_STATES, act=services.paper_act, export=PAPER_EXPORT,
    template="destinations/paper_list.html", what=Column("协议书编号", "paper_no"), page_rows=paper_rows,
)
