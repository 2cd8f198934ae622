"""The info form of either module, generated from its fields; the service validates (`clean_info`)."""
from __future__ import annotations

from django import forms

from gradreg.ems.transfer_modules import Module
from gradreg.ems.transfer_validation import type_choices

from .models import ApplicationType, RecordState
from .selectors import INVALID


class ReasonForm(forms.Form):
    reason = forms.CharField(required=False, max_length=1000)


class InfoFilterForm(forms.Form):
    """档案/户口信息's filters; a bad value is left out, never an error page."""

    state = forms.ChoiceField(label="登记状态", required=False,
                              choices=[("", "全部"), *RecordState.choices])
    q = forms.CharField(label="姓名/考生号/学号", required=False, max_length=50)
    graduation_year = forms.IntegerField(label="毕业年份", required=False, min_value=2000, max_value=2100,
                                         widget=forms.NumberInput(attrs={"placeholder": "全部"}))
    transfer_type = forms.ChoiceField(label="类型", required=False)

    def __init__(self, *args, module: Module, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["transfer_type"].label = module.fields[0].label
        self.fields["transfer_type"].choices = [("", "全部"), *type_choices(module)]

    def values(self) -> dict:
        self.is_valid()
        return self.cleaned_data


class ApplicationFilterForm(forms.Form):
    """申请记录's filters: 审核状态 (default: what waits for the user's role), 申请类型, name, dates, cohort."""

    status = forms.ChoiceField(label="审核状态", required=False)
    apply_type = forms.ChoiceField(label="申请类型", required=False, choices=[("", "全部"), *ApplicationType.choices])
    q = forms.CharField(label="姓名/考生号", required=False, max_length=50)
    date_from = forms.DateField(label="更新日期从", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    graduation_year = forms.IntegerField(label="毕业年份", required=False, min_value=2000, max_value=2100,
                                         widget=forms.NumberInput(attrs={"placeholder": "全部"}))

    def __init__(self, *args, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [*states.choices, (INVALID, "失效"), ("", "全部")]

    def values(self) -> dict:
        self.is_valid()
        return self.cleaned_data
