from django import forms

from gradreg.codes.loader import code_map, region_problem
from gradreg.organisations.models import Department, Major

from .models import Graduate
from .validation import ROSTER_FIELDS, check_birth_date, check_id_number, check_phone, field_problem


def _rule(name: str):
    """The roster's one rule for this field, as a form validator (its own message, in place of Django's)."""

    def validate(value) -> None:
        problem = field_problem(name, value)
        if problem:
            raise forms.ValidationError(problem)

    return validate


class GraduateEditForm(forms.ModelForm):
    class Meta:
        model = Graduate
        fields = [
            "student_no", "name", "gender", "id_number", "ethnicity", "political_status", "education_level",
            "department", "major", "schooling_years", "directed_unit", "origin_region", "graduation_date",
            "phone", "email", "hukou_moved_to_school",
        ]
        # an <input type="date"> takes only ISO dates: any other format shows empty and fails as required
        widgets = {"graduation_date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        school_id = self.instance.school_id
        self.fields["department"].queryset = Department.objects.filter(school_id=school_id)
        self.fields["major"].queryset = Major.objects.filter(school_id=school_id)
        for name, table in [("gender", "xb"), ("ethnicity", "mz"), ("political_status", "zzmm"), ("education_level", "xl")]:
            self.fields[name] = forms.ChoiceField(label=self.fields[name].label, choices=sorted(code_map(table).items()))
        for name in ROSTER_FIELDS:
            field = self.fields[name]
            # text fields: the rule covers length and NUL too, so Django's own checks would only repeat it
            keep = [v for v in field.validators if not isinstance(field, forms.CharField)]
            field.validators = [*keep, _rule(name)]

    def clean_id_number(self):
        value, error = check_id_number(self.cleaned_data["id_number"])
        if error:
            raise forms.ValidationError(error)
        return value

    def clean(self):
        cleaned = super().clean()
        id_number, graduation = cleaned.get("id_number"), cleaned.get("graduation_date")
        if id_number and graduation and (problem := check_birth_date(id_number, graduation=graduation)):
            self.add_error("id_number", problem)
        return cleaned

    def clean_origin_region(self):
        value = self.cleaned_data["origin_region"].strip()
        if problem := region_problem(value, "生源所在地"):
            raise forms.ValidationError(problem)
        return value

    def clean_phone(self):
        value, error = check_phone(self.cleaned_data["phone"])
        if error:
            raise forms.ValidationError(error)
        return value


class TrainingModeChangeForm(forms.Form):
    to_mode = forms.ChoiceField(label="申请修改为")
    directed_unit = forms.CharField(label="定向/委培单位", required=False, max_length=200,
                                    help_text="申请为定向/委培时必填")
    reason = forms.CharField(label="申请理由", widget=forms.Textarea, max_length=1000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_mode"].choices = sorted(code_map("pyfs").items())
        # the unit is copied onto the graduate on approval: the roster's rule for it, in its words
        self.fields["directed_unit"].validators = [_rule("directed_unit")]


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", widget=forms.Textarea, required=False, max_length=1000)
