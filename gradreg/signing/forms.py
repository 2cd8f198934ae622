"""Forms of the signing pages: they parse and label input; the services decide."""
from __future__ import annotations

from django import forms

from gradreg.codes.loader import code_map
from gradreg.common.errors import Invalid

from .models import EMPLOYER_FIELDS, TERM_FIELDS, Initiator, RejectCategory, Signing, SigningStatus, TerminationStatus
from .selectors import ReviewFilters
from .services import clean_terms


def _code_choices(table: str) -> list[tuple[str, str]]:
    return [("", "请选择")] + [(c, f"{c} {n}") for c, n in code_map(table).items()]


class TermsForm(forms.ModelForm):
    """The agreement terms; the offline variant adds the employer's particulars (the graduate types them)."""

    class Meta:
        model = Signing
        fields = TERM_FIELDS
        widgets = {
            "breach_terms": forms.Textarea(attrs={"rows": 2}),
            "other_terms": forms.Textarea(attrs={"rows": 2}),
            "work_region": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 6,
                                                  "placeholder": "6位行政区划代码，如 440106"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["job_category"] = forms.ChoiceField(label="职位类别", choices=_code_choices("gzzwlb"))
        for name in ("monthly_salary",):
            self.fields[name].widget.attrs["inputmode"] = "decimal"

    with_employer = False

    def clean(self):
        """Run the service's own checks too, so one submission reports every problem by field."""
        data = super().clean()
        raw = {name: self.data.get(name, "") for name in self.Meta.fields}
        try:
            clean_terms(raw, with_employer=self.with_employer)
        except Invalid as e:
            for name, msgs in e.errors.items():
                if name in self.fields and name not in self.errors:
                    for m in msgs:
                        self.add_error(name, m)
        return data


class OfflineForm(TermsForm):
    with_employer = True
    class Meta(TermsForm.Meta):
        fields = EMPLOYER_FIELDS + TERM_FIELDS
        widgets = {
            **TermsForm.Meta.widgets,
            "employer_region": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 6,
                                                      "placeholder": "6位行政区划代码"}),
            "credit_code": forms.TextInput(attrs={"maxlength": 18, "autocapitalize": "characters"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer_nature"] = forms.ChoiceField(label="单位性质", choices=_code_choices("dwxz"))
        self.fields["employer_industry"] = forms.ChoiceField(label="所属行业", choices=_code_choices("dwhy"))
        self.order_fields(EMPLOYER_FIELDS + TERM_FIELDS)


class InviteForm(TermsForm):
    name = forms.CharField(label="毕业生姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", max_length=18, required=False,
                                help_text="填写身份证号或考生号其中之一")
    exam_no = forms.CharField(label="考生号", max_length=20, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["name", "id_number", "exam_no", *TERM_FIELDS])

    def clean(self):
        data = super().clean()
        if not data.get("id_number") and not data.get("exam_no"):
            self.add_error("id_number", "请填写身份证号或考生号")
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    category = forms.ChoiceField(label="不通过原因类别", required=False,
                                 choices=[("", "请选择")] + list(RejectCategory.choices))


class UploadForm(forms.Form):
    file = forms.FileField(label="文件", required=False)


class TerminationForm(forms.Form):
    reason = forms.CharField(label="解约原因", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    material = forms.FileField(label="解约材料（JPG/PNG/PDF）", required=False)


class ReviewFilterForm(forms.Form):
    """The seed's filters of 在线签约管理 / 解约管理."""

    initiator = forms.ChoiceField(label="签约发起方", required=False, choices=[("", "全部")] + list(Initiator.choices))
    status = forms.ChoiceField(label="签约状态", required=False)
    q = forms.CharField(label="姓名/考生号", required=False, max_length=50)
    employer = forms.CharField(label="单位名称", required=False, max_length=100)
    date_from = forms.DateField(label="更新日期从", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, termination: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        statuses = TerminationStatus.choices if termination else SigningStatus.choices
        self.fields["status"].choices = [("", "全部")] + list(statuses)
        if termination:
            self.fields["initiator"].label = "解约方式"
            self.fields["initiator"].choices = [("", "全部"), (Initiator.EMPLOYER, "线上解约"),
                                                (Initiator.GRADUATE, "线下解约")]

    def filters(self, **extra):
        data = self.cleaned_data if self.is_valid() else {}
        return ReviewFilters(
            initiator=data.get("initiator", ""), status=data.get("status", ""), q=data.get("q", ""),
            employer=data.get("employer", ""), date_from=data.get("date_from"), date_to=data.get("date_to"), **extra,
        )
