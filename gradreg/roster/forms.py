from __future__ import annotations

import time

from django import forms

from gradreg.accounts.models import Role
from gradreg.codes.loader import code_map
from gradreg.common.widgets import FastSelect
from gradreg.organisations.models import Department, Major

from .gates import current_cohort
from .selectors import RosterFilters

_UNITS: dict[tuple[str, int], tuple[float, list[tuple[str, str]]]] = {}
UNITS_CACHE_SECONDS = 60


def _unit_choices(kind: str, key: int) -> list[tuple[str, str]]:
    """Majors of a department / school, departments of a school: cached, a list page asks on every request."""
    hit = _UNITS.get((kind, key))
    now = time.monotonic()
    if hit and now - hit[0] < UNITS_CACHE_SECONDS:
        return hit[1]
    if kind == "dept_majors":
        rows = Major.objects.filter(department_id=key)
    elif kind == "school_majors":
        rows = Major.objects.filter(school_id=key)
    else:
        rows = Department.objects.filter(school_id=key)
    value = [(str(pk), name) for pk, name in rows.order_by("code").values_list("pk", "name")]
    _UNITS[(kind, key)] = (now, value)
    return value


class RosterFilterForm(forms.Form):
    graduation_year = forms.TypedChoiceField(label="毕业年份", required=False, coerce=int, empty_value=None,
                                             widget=FastSelect)
    department = forms.TypedChoiceField(label="院系", required=False, coerce=int, empty_value=None, widget=FastSelect)
    major = forms.TypedChoiceField(label="专业", required=False, coerce=int, empty_value=None, widget=FastSelect)
    education_level = forms.ChoiceField(label="学历层次", required=False, widget=FastSelect)
    training_mode = forms.ChoiceField(label="培养方式", required=False, widget=FastSelect)
    q = forms.CharField(label="姓名/考生号/学号", required=False, max_length=50)

    def __init__(self, data, *, actor):
        super().__init__(data)
        cohort = current_cohort()
        everything = [("", "全部")]
        self.fields["graduation_year"].choices = everything + [(y, f"{y}届") for y in range(cohort, cohort - 6, -1)]
        self.fields["education_level"].choices = everything + sorted(code_map("xl").items())
        self.fields["training_mode"].choices = everything + sorted(code_map("pyfs").items())
        if actor.role == Role.DEPARTMENT:
            del self.fields["department"]
            self.fields["major"].choices = everything + _unit_choices("dept_majors", actor.department_id)
        elif actor.school_id:
            self.fields["department"].choices = everything + _unit_choices("school_departments", actor.school_id)
            self.fields["major"].choices = everything + _unit_choices("school_majors", actor.school_id)
        else:
            # province and operator users filter by year, level, mode and name only
            del self.fields["department"]
            del self.fields["major"]

    def filters(self, *, valid: bool | None = True) -> RosterFilters:
        if not self.is_bound:
            return RosterFilters(valid=valid)
        self.is_valid()
        d = self.cleaned_data  # the fields that are valid; a bad value drops only its own filter
        return RosterFilters(
            graduation_year=d.get("graduation_year"),
            major=d.get("major"),
            department=d.get("department"),
            education_level=d.get("education_level") or "",
            training_mode=d.get("training_mode") or "",
            q=(d.get("q") or "").replace("\x00", ""),
            valid=valid,
        )


def clear_unit_cache() -> None:
    _UNITS.clear()
