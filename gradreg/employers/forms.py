"""Forms of the employer pages. They only parse (no field can fail here): every rule lives in the services,
shared with the API, so each problem is reported once and all of them at once."""
from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.urls import reverse_lazy

from gradreg.codes.loader import code_map, region_codes_in_use, region_name

UNIT_FIELD_NAMES = (
    "name", "credit_code", "credit_code_confirmed", "nature_code", "industry_code", "region_code", "address", "contact_name", "contact_phone",
    "licence",
)
ACCOUNT_FIELD_NAMES = ("username", "password", "password_confirm")
CREDIT_CODE_HELP = "18位，见营业执照。"
LICENCE_ACCEPT = ".jpg,.jpeg,.png,.pdf,image/jpeg,image/png,application/pdf"


def _choices(table: str) -> list[tuple[str, str]]:
    return [("", "请选择"), *sorted(code_map(table).items())]


class EmployerForm(forms.Form):
    """The unit's own data and its business licence (registration, and correction after 未通过)."""

    name = forms.CharField(label="单位名称", required=False, widget=forms.TextInput(attrs={"maxlength": 200}))
    credit_code = forms.CharField(
        label="统一社会信用代码", required=False, help_text=CREDIT_CODE_HELP,
        # checked as it is typed: a code failing its check digit is told at once, with the confirmation it needs
        widget=forms.TextInput(attrs={
            "autocomplete": "off", "maxlength": 30, "hx-get": reverse_lazy("organisations:credit_code_check"),
            "hx-trigger": "change, keyup changed delay:600ms", "hx-target": "#id_credit_code_helptext",
            "hx-swap": "innerHTML", "aria-describedby": "id_credit_code_helptext",
        }),
    )
    credit_code_confirmed = forms.BooleanField(
        label="确认代码无误", required=False,
        help_text="仅当代码未通过校验位检查、但与营业执照逐位一致时（早期试点代码）勾选；审核时将人工核验。",
    )
    nature_code = forms.CharField(label="单位性质", required=False)
    industry_code = forms.CharField(label="所属行业", required=False)
    region_code = forms.CharField(
        label="单位所在地", required=False,
        help_text="6位行政区划代码（GB/T 2260），如 440106（广东省广州市天河区）。",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 6}),
    )
    address = forms.CharField(label="地址", required=False, widget=forms.TextInput(attrs={"maxlength": 200}))
    contact_name = forms.CharField(label="联系人", required=False, widget=forms.TextInput(attrs={"maxlength": 50}))
    contact_phone = forms.CharField(
        label="联系电话", required=False,
        help_text="手机号码，或带区号的固定电话（如 020-12345678）。",
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "maxlength": 30}),
    )
    licence = forms.FileField(
        label="营业执照", required=False, allow_empty_file=True,
        help_text="营业执照扫描件或照片，jpg、png 或 pdf 格式，不超过 5 MB。",
        widget=forms.FileInput(attrs={"accept": LICENCE_ACCEPT}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # choices read at request time: the code tables are data an operator may update
        self.fields["nature_code"].widget = forms.Select(choices=_choices("dwxz"))
        self.fields["industry_code"].widget = forms.Select(choices=_choices("dwhy"))
        code = (self.data.get("region_code") or self.initial.get("region_code") or "").strip()
        if code in region_codes_in_use():
            self.fields["region_code"].help_text = f"已识别：{region_name(code)}。"

    def unit_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in UNIT_FIELD_NAMES if name in self.fields]

    def unit_data(self) -> dict[str, str]:
        data = {name: self.cleaned_data.get(name) or "" for name in UNIT_FIELD_NAMES if name != "licence"}
        data["credit_code_confirmed"] = bool(data["credit_code_confirmed"])
        return data


class EmployerRegisterForm(EmployerForm):
    username = forms.CharField(
        label="登录用户名", required=False,
        help_text="以字母开头，3至30位字母、数字、下划线、点或连字符，注册后不能修改。",
        widget=forms.TextInput(attrs={"autocomplete": "username", "maxlength": 30}),
    )
    password = forms.CharField(
        label="登录密码", required=False, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password_confirm = forms.CharField(
        label="确认密码", required=False, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def account_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ACCOUNT_FIELD_NAMES]

