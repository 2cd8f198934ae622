from django import forms

from gradreg.accounts.models import Role
from gradreg.codes.loader import code_map
from gradreg.organisations.models import Department, Major

from .gates import current_cohort
from .selectors import RosterFilters


class RosterFilterForm(forms.Form):
    graduation_year = forms.TypedChoiceField(label="毕业年份", required=False, coerce=int, empty_value=None)
    department = forms.ModelChoiceField(label="院系", queryset=Department.objects.none(), required=False, empty_label="全部")
    major = forms.ModelChoiceField(label="专业", queryset=Major.objects.none(), required=False, empty_label="全部")
    education_level = forms.ChoiceField(label="学历层次", required=False)
    training_mode = forms.ChoiceField(label="培养方式", required=False)
    q = forms.CharField(label="姓名/考生号/学号", required=False, max_length=50)

    def __init__(self, data, *, actor):
        super().__init__(data)
        cohort = current_cohort()
        self.fields["graduation_year"].choices = [("", "全部")] + [(y, f"{y}届") for y in range(cohort, cohort - 6, -1)]
        self.fields["education_level"].choices = [("", "全部")] + sorted(code_map("xl").items())
        self.fields["training_mode"].choices = [("", "全部")] + sorted(code_map("pyfs").items())
        if actor.role == Role.DEPARTMENT:
            del self.fields["department"]
            self.fields["major"].queryset = Major.objects.filter(department_id=actor.department_id)
        elif actor.school_id:
            self.fields["department"].queryset = Department.objects.filter(school_id=actor.school_id)
            self.fields["major"].queryset = Major.objects.filter(school_id=actor.school_id)

    def filters(self, *, valid: bool | None = True) -> RosterFilters:
        if not self.is_valid():
            return RosterFilters(valid=valid)
        d = self.cleaned_data
        return RosterFilters(
            graduation_year=d.get("graduation_year"),
            major=d["major"].pk if d.get("major") else None,
            department=d["department"].pk if d.get("department") else None,
            education_level=d.get("education_level") or "",
            training_mode=d.get("training_mode") or "",
            q=d.get("q") or "",
            valid=valid,
        )
