"""Forms of the account pages; every message in Chinese, each shown by its field."""
from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm

from gradreg.common.errors import DomainError
from gradreg.organisations.models import Department, Province, School

from .models import Role, User
from .services import STAFF_USERNAME, creatable_roles


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """A service's refusal shown on the field it concerns, or above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


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
