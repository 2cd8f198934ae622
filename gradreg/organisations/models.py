"""Provinces, schools, departments (院系), majors and employers."""
from __future__ import annotations

from django.db import models
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError


class Province(models.Model):
    code = models.CharField("代码", max_length=2, unique=True)
    name = models.CharField("名称", max_length=30)

    class Meta:
        verbose_name = verbose_name_plural = "省份"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ReviewLabel(models.TextChoices):
    AUDIT = "审核", "审核"
    ATTEST = "鉴证", "鉴证"


class School(models.Model):
    code = models.CharField("学校代码", max_length=10, unique=True)
    name = models.CharField("学校名称", max_length=100)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="schools", verbose_name="所在省份")
    review_label = models.CharField(
        "审核动作名称", max_length=2, choices=ReviewLabel.choices, default=ReviewLabel.AUDIT,
        help_text="本校院系、学校用户的审核动作显示为“审核”或“鉴证”",
    )

    class Meta:
        verbose_name = verbose_name_plural = "学校"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="departments", verbose_name="学校")
    code = models.CharField("院系代码", max_length=20)
    name = models.CharField("院系名称", max_length=100)

    class Meta:
        verbose_name = verbose_name_plural = "院系"
        ordering = ["school_id", "code"]
        constraints = [models.UniqueConstraint(fields=["school", "code"], name="department_code_unique")]

    def __str__(self) -> str:
        return self.name


class Major(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="majors", verbose_name="学校")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="majors", verbose_name="院系", null=True, blank=True
    )
    code = models.CharField("专业代码", max_length=20)
    name = models.CharField("专业名称", max_length=100)

    class Meta:
        verbose_name = verbose_name_plural = "专业"
        ordering = ["school_id", "code"]
        constraints = [models.UniqueConstraint(fields=["school", "code"], name="major_code_unique")]

    def __str__(self) -> str:
        return self.name


def check_credit_code(code: str) -> tuple[str, bool]:
    """Normalise a 统一社会信用代码; returns (code, needs_review).

    A checksum failure does not refuse the code: early pilot codes were issued that fail it, so the
    employer is accepted and flagged for an operator to check by hand. A wrong length or alphabet is
    refused outright (raises ValueError with a Chinese message).
    """
    compact = uscc.compact(code or "")
    if len(compact) != 18:
        raise ValueError("统一社会信用代码应为18位")
    try:
        return uscc.validate(compact), False
    except StdnumError:
        if not all(c in "0123456789ABCDEFGHJKLMNPQRTUWXY" for c in compact):
            raise ValueError("统一社会信用代码含有无效字符") from None
        return compact, True


class Employer(models.Model):
    name = models.CharField("单位名称", max_length=200)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    credit_code_needs_review = models.BooleanField(
        "信用代码待人工核验", default=False, help_text="校验位不符的代码（早期试点代码）需人工核实"
    )
    nature_code = models.CharField("单位性质", max_length=4, blank=True)
    industry_code = models.CharField("所属行业", max_length=4, blank=True)
    region_code = models.CharField("单位所在地", max_length=6, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    approved = models.BooleanField("已审核", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "用人单位"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
