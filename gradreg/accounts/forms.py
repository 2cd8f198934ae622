"""Forms of the account pages; every message in Chinese, each shown by its field."""
from __future__ import annotations

import re

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.password_validation import password_validators_help_text_html, validate_password

from gradreg.organisations.models import Department, Province, School

from .models import Role, User
from .services import CHANNEL_EMAIL, CHANNEL_LABELS, CHANNEL_SMS, STAFF_USERNAME, creatable_roles

EXAM_NO = re.compile(r"^[0-9A-Za-z]{4,20}$")
ID_NUMBER = re.compile(r"^[0-9]{17}[0-9X]$")
CODE = re.compile(r"^[0-9]{6}$")


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误。连续失败5次，账号将被锁定30分钟。",
        "inactive": "该账号已停用。",
    }


class OwnPasswordChangeForm(PasswordChangeForm):
    def clean(self):
        cleaned = super().clean()
        old, new = cleaned.get("old_password"), cleaned.get("new_password1")
        if old and new and old == new:
            self.add_error("new_password1", "新密码不能与原密码相同。")
        return cleaned


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


class StaffCreateForm(forms.Form):
    role = forms.ChoiceField(label="账号类型")
    username = forms.CharField(
        label="用户名", max_length=30,
        help_text="以字母开头，3至30位字母、数字、下划线、点或连字符，创建后不能修改。",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    display_name = forms.CharField(label="姓名", max_length=50)
    province = forms.ModelChoiceField(
        label="省份", queryset=Province.objects.all(), required=False, empty_label="请选择",
        help_text="创建省级管理部门账号时选择。",
    )
    school = forms.ModelChoiceField(
        label="学校", queryset=School.objects.all(), required=False, empty_label="请选择",
        help_text="创建学校用户账号时选择。",
    )
    department = forms.ModelChoiceField(
        label="院系", queryset=Department.objects.none(), required=False, empty_label="请选择",
    )

    def __init__(self, data=None, *, actor: User):
        super().__init__(data)
        roles = creatable_roles(actor)
        self.fields["role"].choices = [(r, Role(r).label) for r in roles]
        if len(roles) == 1:
            self.fields["role"].initial = roles[0]
        if Role.PROVINCE not in roles:
            del self.fields["province"]
        if Role.SCHOOL not in roles:
            del self.fields["school"]
        if Role.DEPARTMENT in roles:
            self.fields["department"].queryset = Department.objects.filter(school_id=actor.school_id)
        else:
            del self.fields["department"]

    def clean_username(self) -> str:
        value = self.cleaned_data["username"].strip()
        if not STAFF_USERNAME.match(value):
            raise forms.ValidationError("用户名须以字母开头，由3至30位字母、数字、下划线、点或连字符组成。")
        if User.objects.filter(username__iexact=value).exists():
            raise forms.ValidationError("该用户名已被使用，请换一个。")
        return value

    def clean(self):
        cleaned = super().clean()
        needs = {Role.PROVINCE: ("province", "请选择省份。"), Role.SCHOOL: ("school", "请选择学校。"),
                 Role.DEPARTMENT: ("department", "请选择院系。")}
        role = cleaned.get("role")
        if role in needs:
            field, message = needs[role]
            if field in self.fields and not cleaned.get(field) and field not in self.errors:
                self.add_error(field, message)
        return cleaned
