"""Signings (线上签约 and 线下电子协议) and terminations (解约), with the agreement they produce.

One `Signing` row per agreement attempt, whoever started it: `initiator` is 单位 for an employer's
online invitation (SPEC 4.1) and 学生 for a graduate's offline e-agreement application (SPEC 4.2).
Both share one status vocabulary so a reviewer's list filters them together, as the seed's
在线签约管理 does. A `Termination` belongs to one signed `Signing` (SPEC 4.4, 4.5).
"""
from __future__ import annotations

import secrets

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from gradreg.common.roles import Role
from gradreg.roster.review import Snapshotted
from gradreg.workflow.items import GraduateItem, Reviewed, SchoolRouted, list_indexes
from gradreg.workflow.items import RejectCategory as RejectCategory  # the review vocabulary, re-exported
from gradreg.workflow.states import State, StateSet


class Initiator(models.TextChoices):
    EMPLOYER = "employer", "单位"
    GRADUATE = "graduate", "学生"


class SigningStatus(models.TextChoices):
    # 线上签约 (seed 3.3.1)
    INVITED = "invited", "待学生处理"
    DECLINED = "declined", "学生已拒绝"
    WITHDRAWN = "withdrawn", "单位已撤回"
    EXPIRED = "expired", "邀请已过期"
    AGREED = "agreed", "学生已同意签约,等待学院审核"
    ONLINE_WAIT_SCHOOL = "online_school", "学院审核通过,等待学校审核"
    # 线下签约: 就业协议审核 (seed 3.3.2 (1))
    DRAFT_WAIT_DEPT = "draft_dept", "就业协议审核中,等待学院审核"
    DRAFT_WAIT_SCHOOL = "draft_school", "就业协议审核中,等待学校审核"
    DRAFT_RETURNED = "draft_returned", "就业协议退回修改"
    DRAFT_WITHDRAWN = "draft_withdrawn", "就业协议已撤回,待重新提交"
    # 线下签约: 签约鉴证或审核 (seed 3.3.2 (2))
    AWAIT_UPLOAD = "await_upload", "协议已生成,待回传"
    UPLOAD_WAIT_DEPT = "upload_dept", "签约审核中,等待学院审核"
    UPLOAD_WAIT_SCHOOL = "upload_school", "签约审核中,等待学校审核"
    UPLOAD_RETURNED = "upload_returned", "签约材料退回修改,待重新回传"
    # ends shared by both
    SIGNED = "signed", "签约成功"
    REJECTED = "rejected", "审核不通过"
    TERMINATED = "terminated", "已解约"
    CANCELLED = "cancelled", "学生已撤销申请"


S = SigningStatus

# What each state is, for both signing tables (flows.py attaches them). A signing in a holding state
# holds the graduate: no second one may be agreed or applied for. The seed's lists open on the
# offline application waiting for the reviewer.
SIGNING_STATES = StateSet(SigningStatus, {
    S.INVITED: State("wait", open=True),
    S.DECLINED: State("bad"),
    S.WITHDRAWN: State("off"),
    S.EXPIRED: State("off"),
    S.AGREED: State("wait", holds=True, open=True),
    S.ONLINE_WAIT_SCHOOL: State("wait", holds=True, open=True),
    S.DRAFT_WAIT_DEPT: State("wait", holds=True, open=True),
    S.DRAFT_WAIT_SCHOOL: State("wait", holds=True, open=True),
    S.DRAFT_RETURNED: State("wait", holds=True, open=True),
    S.DRAFT_WITHDRAWN: State("wait", holds=True, open=True),
    S.AWAIT_UPLOAD: State("wait", holds=True, open=True),
    S.UPLOAD_WAIT_DEPT: State("wait", holds=True, open=True),
    S.UPLOAD_WAIT_SCHOOL: State("wait", holds=True, open=True),
    S.UPLOAD_RETURNED: State("wait", holds=True, open=True),
    S.SIGNED: State("ok", holds=True),
    S.REJECTED: State("bad"),
    S.TERMINATED: State("off"),
    S.CANCELLED: State("off"),
}, list_default={Role.DEPARTMENT: S.DRAFT_WAIT_DEPT, Role.SCHOOL: S.DRAFT_WAIT_SCHOOL})


def _token() -> str:
    return secrets.token_urlsafe(18)


class AgreementTerms(models.Model):
    """The employer's particulars and the agreement terms, as both parties see and sign them."""

    employer_name = models.CharField("单位名称", max_length=200)
    credit_code = models.CharField("统一社会信用代码", max_length=18)
    employer_nature = models.CharField("单位性质", max_length=4, blank=True)
    employer_industry = models.CharField("所属行业", max_length=4, blank=True)
    employer_region = models.CharField("单位所在地", max_length=6, blank=True)
    employer_address = models.CharField("单位地址", max_length=200, blank=True)
    contact_name = models.CharField("单位联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)

    position = models.CharField("岗位名称", max_length=100)
    job_category = models.CharField("职位类别", max_length=4)
    work_region = models.CharField("工作地点", max_length=6)
    monthly_salary = models.DecimalField(
        "月薪（元）", max_digits=9, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(9_999_999)]
    )
    probation_months = models.PositiveSmallIntegerField(
        "试用期（月）", default=0, validators=[MaxValueValidator(6)], help_text="依《劳动合同法》最长6个月"
    )
    service_years = models.DecimalField(
        "服务期（年）", max_digits=3, decimal_places=1, default=0, validators=[MinValueValidator(0)]
    )
    breach_terms = models.TextField("违约条款", max_length=2000, blank=True)
    archive_unit = models.CharField("档案接收单位", max_length=200, blank=True)
    archive_address = models.CharField("档案接收地址", max_length=200, blank=True)
    hukou_unit = models.CharField("户口接收单位", max_length=200, blank=True)
    hukou_address = models.CharField("户口接收地址", max_length=200, blank=True)
    other_terms = models.TextField("其他约定", max_length=2000, blank=True)

    class Meta:
        abstract = True


TERM_FIELDS = (
    "position", "job_category", "work_region", "monthly_salary", "probation_months", "service_years",
    "breach_terms", "archive_unit", "archive_address", "hukou_unit", "hukou_address", "other_terms",
)
EMPLOYER_FIELDS = (
    "employer_name", "credit_code", "employer_nature", "employer_industry", "employer_region",
    "employer_address", "contact_name", "contact_phone",
)


class Signing(AgreementTerms, GraduateItem, Reviewed, Snapshotted):
    initiator = models.CharField("签约发起方", max_length=10, choices=Initiator.choices)
    status = models.CharField("签约状态", max_length=16, choices=SigningStatus.choices)
    employer = models.ForeignKey("organisations.Employer", on_delete=models.PROTECT, related_name="signings",
                                 null=True, blank=True, help_text="线上签约的单位；线下签约为空（单位未注册）")

    expires_at = models.DateTimeField("邀请有效期至", null=True, blank=True)
    decline_reason = models.CharField("拒绝原因", max_length=500, blank=True)

    stamped_file = models.CharField("盖章协议图像", max_length=200, blank=True)
    stamped_content_type = models.CharField(max_length=40, blank=True)
    stamped_sha256 = models.CharField(max_length=64, blank=True)
    stamped_at = models.DateTimeField("回传时间", null=True, blank=True)
    # 情况说明 (seed 3.3.2): the graduate explains a wrong e-agreement instead of (or beside) the stamped copy
    explanation_file = models.CharField("情况说明", max_length=200, blank=True)
    explanation_content_type = models.CharField(max_length=40, blank=True)
    explanation_sha256 = models.CharField(max_length=64, blank=True)

    agreement_no = models.CharField("协议书编号", max_length=30, blank=True)
    agreement_file = models.CharField("电子就业协议书", max_length=200, blank=True)
    agreement_sha256 = models.CharField("协议书SHA-256", max_length=64, blank=True)
    agreement_generated_at = models.DateTimeField("协议书生成时间", null=True, blank=True)
    verify_token = models.CharField(max_length=32, default=_token, unique=True, editable=False)

    signed_at = models.DateTimeField("签约成功时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "签约"
        ordering = ["-updated_at", "-id"]
        constraints = [
            # the database's own guard of "one live destination" among signings
            models.UniqueConstraint(
                fields=["graduate"], condition=Q(status__in=sorted(SIGNING_STATES.holding())), name="signing_one_holding"
            ),
            models.UniqueConstraint(
                fields=["school", "agreement_no"], condition=~Q(agreement_no=""), name="signing_agreement_no"
            ),
        ]
        indexes = [
            *list_indexes("signing"),
            # "签约状态: 全部" lists, newest first, without sorting the whole school
            models.Index(fields=["school", "department", "-updated_at", "-id"], name="signing_dept_all"),
            models.Index(fields=["school", "-updated_at", "-id"], name="signing_school_all"),
            models.Index(fields=["employer", "-updated_at"], name="signing_employer_list"),
            models.Index(fields=["exam_no"], name="signing_exam_no"),
            models.Index(fields=["graduate_name"], name="signing_graduate_name"),
        ]

    def __str__(self) -> str:
        return f"{self.graduate_name} · {self.employer_name}"

    def get_absolute_url(self) -> str:
        return reverse("signing:detail", args=[self.pk])

    @property
    def is_online(self) -> bool:
        return self.initiator == Initiator.EMPLOYER

    @property
    def workflow_name(self) -> str:
        return "online_signing" if self.is_online else "offline_signing"


class TerminationStatus(models.TextChoices):
    PENDING_OTHER = "pending_other", "待对方确认"
    OTHER_DECLINED = "other_declined", "对方不同意解约"
    CANCELLED = "cancelled", "申请方已撤回"
    AGREED = "agreed", "已同意解约,等待学院审核"
    OFFLINE_WAIT_DEPT = "offline_dept", "解约中,等待学院审核"
    WAIT_SCHOOL = "school", "学院审核通过,等待学校审核"
    RETURNED = "returned", "解约退回修改"
    TERMINATED = "terminated", "已解约"
    FAILED = "failed", "解约失败"


TS = TerminationStatus

# Both termination tables; an open termination is the one a signing may have at a time.
TERMINATION_STATES = StateSet(TerminationStatus, {
    TS.PENDING_OTHER: State("wait", open=True),
    TS.OTHER_DECLINED: State("bad"),
    TS.CANCELLED: State("off"),
    TS.AGREED: State("wait", open=True),
    TS.OFFLINE_WAIT_DEPT: State("wait", open=True),
    TS.WAIT_SCHOOL: State("wait", open=True),
    TS.RETURNED: State("wait", open=True),
    TS.TERMINATED: State("off"),  # the pages have always shown an ended termination in grey
    TS.FAILED: State("bad"),
}, list_default={Role.DEPARTMENT: TS.OFFLINE_WAIT_DEPT})


class Termination(GraduateItem, Reviewed):
    signing = models.ForeignKey(Signing, on_delete=models.PROTECT, related_name="terminations")
    status = models.CharField("解约状态", max_length=16, choices=TerminationStatus.choices)
    online = models.BooleanField("线上解约")
    applicant = models.CharField("申请方", max_length=10, choices=Initiator.choices)
    reason = models.TextField("解约原因", max_length=2000)
    answer_reason = models.CharField("对方意见", max_length=500, blank=True)
    material_file = models.CharField("解约材料", max_length=200, blank=True)
    material_content_type = models.CharField(max_length=40, blank=True)
    material_sha256 = models.CharField(max_length=64, blank=True)

    # the scope and list columns are copied from the signing
    employer = models.ForeignKey("organisations.Employer", on_delete=models.PROTECT, related_name="terminations",
                                 null=True, blank=True)
    employer_name = models.CharField("单位名称", max_length=200)

    class Meta:
        verbose_name = verbose_name_plural = "解约"
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["signing"], condition=Q(status__in=sorted(TERMINATION_STATES.open_states())), name="termination_one_open"
            ),
        ]
        indexes = [
            *list_indexes("term"),
            models.Index(fields=["employer", "-updated_at"], name="term_employer_list"),
        ]

    def __str__(self) -> str:
        return f"解约 {self.graduate_name} · {self.employer_name}"

    def get_absolute_url(self) -> str:
        return reverse("signing:termination_detail", args=[self.pk])

    @property
    def workflow_name(self) -> str:
        return "online_termination" if self.online else "offline_termination"


class AgreementCounter(SchoolRouted):
    """Next 协议书编号 per school and year; the row is locked while a number is taken."""

    school = models.ForeignKey("organisations.School", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "year"], name="agreement_counter_unique")]
