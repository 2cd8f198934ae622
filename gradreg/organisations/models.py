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


CHECKSUM_UNCONFIRMED = (
    "统一社会信用代码“{code}”未通过校验位检查，请对照营业执照逐位核对。如确与营业执照一致（早期试点代码），"
    "请勾选“确认代码无误”后再提交，审核时将人工核验。"
)


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


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已通过"
    REJECTED = "rejected", "未通过"


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
    # Where the operator's review stands; only the employer review workflow moves it (see `approved`).
    review_status = models.CharField(
        "审核状态", max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING, db_index=True
    )
    review_note = models.TextField("审核意见", blank=True)
    licence = models.CharField("营业执照", max_length=255, blank=True, help_text="上传文件的存储名")
    licence_content_type = models.CharField("营业执照文件类型", max_length=50, blank=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="审核人"
    )
    registered_at = models.DateTimeField("注册时间", null=True, blank=True, help_text="单位自行注册的时间")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "用人单位"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def approved(self) -> bool:
        """"May this employer invite?", the question every other module asks: its review has passed."""
        return self.review_status == ReviewStatus.APPROVED

    @approved.setter
    def approved(self, value: bool) -> None:
        # for fixtures and seeds creating an employer already reviewed: Employer(..., approved=True)
        if value:
            self.review_status = ReviewStatus.APPROVED
        elif self.review_status == ReviewStatus.APPROVED:
            self.review_status = ReviewStatus.PENDING

    @property
    def review_state(self) -> str:
        return self.review_status

    @property
    def review_state_label(self) -> str:
        return ReviewStatus(self.review_status).label

    @property
    def licence_is_image(self) -> bool:
        return self.licence_content_type.startswith("image/")


class WarningCategory(models.TextChoices):
    VIOLATION = "violation", "违规"
    FAKE = "fake", "虚假"
    DISCRIMINATION = "discrimination", "就业歧视"
    FALSE_AD = "false_ad", "虚假宣传"
    OTHER = "other", "其他"


class EmployerWarning(models.Model):
    """A school's flag on an employer (预警单位); at most one live flag per school and employer."""

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="warnings", verbose_name="用人单位")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="employer_warnings", verbose_name="标记学校")
    category = models.CharField("预警类别", max_length=16, choices=WarningCategory.choices)
    note = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="标记人"
    )
    created_at = models.DateTimeField("标记时间", auto_now_add=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "预警单位标记"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "school"],
                condition=models.Q(revoked_at__isnull=True),
                name="employer_warning_one_live_per_school",
                violation_error_message="本校已将该单位标记为预警单位，请先撤销原标记。",
            )
        ]
        indexes = [models.Index(fields=["employer", "revoked_at"], name="employer_warning_live")]

    def __str__(self) -> str:
        return f"{self.school}：{self.employer}（{self.get_category_display()}）"
