"""Forms generated from a destination type: one field per declared field, its proof, the receiving info.

The form only parses and labels; `validation.clean_destination` (which every other way in calls too)
decides, and its problems are shown by field.
"""
from __future__ import annotations

from django import forms

from gradreg.codes.destinations import DestinationType, FieldSpec, countries, type_choices
from gradreg.codes.loader import code_map
from gradreg.common.errors import Invalid
from gradreg.workflow.items import RejectCategory

from .validation import RECEIVING, clean_destination

REGION_ATTRS = {"inputmode": "numeric", "maxlength": 6, "placeholder": "6位行政区划代码，如 440106"}


def _choices(pairs) -> list[tuple[str, str]]:
    return [("", "请选择"), *pairs]


def _field(spec: FieldSpec, *, directed: bool) -> forms.Field:
    common = {"label": spec.label, "required": False, "help_text": spec.help}
    if directed and spec.name == "unit_name":
        return forms.CharField(**common, disabled=True)  # EMS's 定向/委培单位: read-only
    if spec.code_table:
        return forms.ChoiceField(**common, choices=_choices((c, f"{c} {n}") for c, n in code_map(spec.code_table).items()))
    if spec.choices:
        return forms.ChoiceField(**common, choices=_choices((c, c) for c in spec.choices))
    if spec.kind == "country":
        return forms.ChoiceField(**common, choices=_choices((c, n) for c, n in countries().items()))
    if spec.kind == "region":
        return forms.CharField(**common, max_length=6, widget=forms.TextInput(attrs=REGION_ATTRS))
    if spec.kind == "date":
        return forms.CharField(**common, max_length=10, widget=forms.DateInput(attrs={"type": "date"}))
    if spec.kind == "years":
        return forms.CharField(**common, max_length=4, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    if spec.kind == "credit_code":
        return forms.CharField(**common, max_length=40, widget=forms.TextInput(attrs={"autocapitalize": "characters"}))
    return forms.CharField(**common, max_length=(spec.max_length or 200) + 50)  # the service names the limit


class DestinationForm(forms.Form):
    """The fields of one type (`dtype`); `graduate` gives the 定向/委培 unit and the date window."""

    def __init__(self, *args, dtype: DestinationType, graduate, with_proof: bool = True, proof_required: bool = True,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.dtype, self.graduate = dtype, graduate
        for spec in dtype.fields:
            field = _field(spec, directed=dtype.directed)
            if spec.required:
                field.label = f"{spec.label}（必填）"
            elif spec.one_of:
                field.label = f"{spec.label}（与{'、'.join(_labels(dtype, spec.one_of, but=spec.name))}至少填一项）"
            self.fields[spec.name] = field
        if dtype.directed:  # EMS's unit as it is now, over any stored one (the service takes EMS's too)
            self.initial["unit_name"] = graduate.directed_unit
        if dtype.archive_hukou:
            for name, label, max_length in RECEIVING:
                self.fields[name] = forms.CharField(label=label, required=False, max_length=max_length + 50)
        if with_proof and dtype.proof:
            self.fields["proof"] = forms.FileField(
                label=f"{dtype.proof}（{'必传' if proof_required else '重新上传时选择'}）", required=False,
                help_text="JPG、PNG 或 PDF，不超过 5 MB",
                widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf"}))

    def values(self) -> dict[str, str]:
        """What was typed, as text, for the service (which validates it)."""
        return {name: self.cleaned_data.get(name) or "" for name in self.fields if name != "proof"}

    def clean(self):
        """The service's checks too, so one submission reports every problem by field."""
        data = super().clean()
        try:
            clean_destination(self.dtype, {k: v for k, v in data.items() if k != "proof"}, graduate=self.graduate)
        except Invalid as e:
            for name, msgs in e.errors.items():
                target = name if name in self.fields else None
                if target is None or target not in self.errors:
                    for m in msgs:
                        self.add_error(target, m)
        return data


def _labels(dtype: DestinationType, names, *, but: str) -> list[str]:
    return [f.label for f in dtype.fields if f.name in names and f.name != but]


def initial_of(item) -> dict[str, str]:
    """An item's values as the form's initial data (details and receiving info)."""
    return {**item.details, **{name: getattr(item, name) for name, _, _ in RECEIVING}}


class TypeForm(forms.Form):
    """Step one: the destination type (grouped as the seed lists them)."""

    type_key = forms.ChoiceField(label="毕业去向类型", choices=())

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type_key"].choices = [("", "请选择"), *(choices if choices is not None else type_choices())]


class ReasonForm(forms.Form):
    reason = forms.CharField(required=False, max_length=1000)
    category = forms.ChoiceField(required=False, choices=[("", "")] + list(RejectCategory.choices))
