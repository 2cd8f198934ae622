"""Users: one role each, and the unit that role is scoped to."""
from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from gradreg.common.onetime import OneTimeCode
from gradreg.common.roles import Role
from gradreg.organisations.models import Department


class User(AbstractUser):
    role = models.CharField("角色", max_length=16, choices=Role.choices)
    display_name = models.CharField("姓名", max_length=50, blank=True)
    province = models.ForeignKey(
        "organisations.Province", null=True, blank=True, on_delete=models.PROTECT, verbose_name="省份"
    )
    school = models.ForeignKey(
        "organisations.School", null=True, blank=True, on_delete=models.PROTECT, verbose_name="学校"
    )
    department = models.ForeignKey(
        "organisations.Department", null=True, blank=True, on_delete=models.PROTECT, verbose_name="院系"
    )
    employer = models.ForeignKey(
        "organisations.Employer", null=True, blank=True, on_delete=models.PROTECT, verbose_name="用人单位"
    )
    graduate = models.OneToOneField(
        "ems.Graduate", null=True, blank=True, on_delete=models.PROTECT, related_name="account", verbose_name="毕业生"
    )
    must_change_password = models.BooleanField("首次登录须修改密码", default=False)
    created_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="创建人"
    )

    class Meta:
        verbose_name = verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                name="user_scope_matches_role",
                condition=(
                    models.Q(role="graduate", graduate__isnull=False)
                    | models.Q(role="employer", employer__isnull=False)
                    | models.Q(role="department", department__isnull=False, school__isnull=False)
                    | models.Q(role="school", school__isnull=False)
                    | models.Q(role="province", province__isnull=False)
                    | models.Q(role="operator")
                ),
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def unit_name(self) -> str:
        """The unit the user acts for, as shown in audit snapshots."""
        if self.role == Role.DEPARTMENT and self.department_id:
            if not User.department.is_cached(self):
                # one query for both names: the department with its school (every audited review needs them)
                department = Department.objects.select_related("school").get(pk=self.department_id)
                self.department = department
                if department.school_id == self.school_id:
                    self.school = department.school
            return f"{self.school}{self.department}"
        if self.role == Role.SCHOOL and self.school_id:
            return str(self.school)
        if self.role == Role.PROVINCE and self.province_id:
            return str(self.province)
        if self.role == Role.EMPLOYER and self.employer_id:
            return str(self.employer)
        if self.role == Role.GRADUATE and self.graduate_id:
            return str(self.graduate.school)
        return "平台运营"


class ActivationCode(OneTimeCode):
    """A one-time code sent to the phone or e-mail on the roster, to activate a graduate's account."""

    graduate = models.ForeignKey("ems.Graduate", on_delete=models.CASCADE, related_name="activation_codes")
    # the graduate's school: the distribution column (docs/scaling.md)
    school = models.ForeignKey("organisations.School", on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        indexes = [models.Index(fields=["graduate", "-created_at"])]


class SensitiveView(models.Model):
    """Each time a full ID number or phone is shown, who saw whose, and when."""

    viewer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    graduate = models.ForeignKey("ems.Graduate", on_delete=models.CASCADE, related_name="+")
    # the graduate's school: the distribution column (docs/scaling.md)
    school = models.ForeignKey("organisations.School", on_delete=models.CASCADE, related_name="+", db_index=False)
    fields = models.CharField(max_length=100)
    at = models.DateTimeField(auto_now_add=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "敏感信息查看记录"
        indexes = [models.Index(fields=["graduate", "-at"])]
