"""Forms of graduate self-activation; every message in Chinese, each shown by its field."""
from __future__ import annotations

import re

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html, validate_password

from gradreg.accounts.models import User

from .activation import CHANNEL_EMAIL, CHANNEL_LABELS, CHANNEL_SMS

EXAM_NO = re.compile(r"^[0-9A-Za-z]{4,20}$")
ID_NUMBER = re.compile(r"^[0-9]{17}[0-9X]$")
CODE = re.compile(r"^[0-9]{6}$")


class ActivationStartForm(forms.Form):
    exam_no = forms.CharField(
        label="考生号", max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    id_number = forms.CharField(
        label="身份证号", max_length=18, widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    channel = forms.ChoiceField(
        label="验证码发送方式",
        choices=[(CHANNEL_SMS, CHANNEL_LABELS[CHANNEL_SMS]), (CHANNEL_EMAIL, CHANNEL_LABELS[CHANNEL_EMAIL])],
        initial=CHANNEL_SMS,
        widget=forms.RadioSelect,
        help_text="验证码发送到就业管理系统毕业生名单上登记的手机号码或电子邮箱；名单上只登记了其中一种时，发送到该联系方式。",
    )

    def clean_exam_no(self) -> str:
        value = self.cleaned_data["exam_no"].strip()
        if not EXAM_NO.match(value):
            raise forms.ValidationError("考生号格式不正确，应为4至20位数字或字母。")
        return value

    def clean_id_number(self) -> str:
        value = self.cleaned_data["id_number"].strip().upper()
        if not ID_NUMBER.match(value):
            raise forms.ValidationError("身份证号应为18位，最后一位可以是数字或X。")
        return value


class ActivationConfirmForm(forms.Form):
    code = forms.CharField(
        label="验证码", max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    password1 = forms.CharField(
        label="设置密码", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="确认密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, data=None, *, user: User):
        super().__init__(data)
        self.user = user  # the account about to be created, for the similarity check

    def clean_code(self) -> str:
        value = self.cleaned_data["code"].strip()
        if not CODE.match(value):
            raise forms.ValidationError("验证码为6位数字。")
        return value

    def clean_password1(self) -> str:
        password = self.cleaned_data["password1"]
        validate_password(password, user=self.user)
        return password

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "两次输入的密码不一致。")
        return cleaned
