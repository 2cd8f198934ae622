"""去向登记 (other destination registration, seed 3.5) and 补登 (paper-agreement registration, SPEC 4.3).

Both are a graduate's destination, declared by its type from the taxonomy in the codes app
(`gradreg.codes.destinations`): the type names the fields, the proof and whether 档案/户口 receiving
info is asked, and the values live in `details`. The columns beside it (unit, credit code, region)
are copies of the details that lists search and sort on and that EMS receives.

A `Registration` and a `PaperAgreement` share every column (`DestinationItem`); each has its own
status vocabulary, so each list shows its own wording.
"""
from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse

from gradreg.codes.destinations import DestinationType, destination_type
from gradreg.common.roles import Role
from gradreg.roster.review import Snapshotted
from gradreg.workflow.items import GraduateItem, Reviewed, list_indexes
from gradreg.workflow.states import State, StateSet


class DestinationItem(GraduateItem, Reviewed, Snapshotted):
    """A destination a graduate registers for review: its type, its fields, its proof."""

    type_key = models.CharField("去向类型代码", max_length=40)
    destination_type = models.CharField("毕业去向类型", max_length=40)
    subtype = models.CharField("具体去向", max_length=40, blank=True)
    destination_code = models.CharField("毕业去向代码", max_length=4)
    # 未就业 reports the graduate's situation, not a destination: it holds no one (see live.py)
    unemployed = models.BooleanField("未就业", default=False)
    details = models.JSONField("去向信息", default=dict, blank=True)
    unit_name = models.CharField("单位（院校）名称", max_length=200, blank=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    region = models.CharField("所在地", max_length=6, blank=True)

    archive_unit = models.CharField("档案接收单位", max_length=200, blank=True)
    archive_address = models.CharField("档案接收地址", max_length=200, blank=True)
    hukou_unit = models.CharField("户口接收单位", max_length=200, blank=True)
    hukou_address = models.CharField("户口接收地址", max_length=200, blank=True)

    proof_file = models.CharField("证明材料", max_length=200, blank=True)
    proof_content_type = models.CharField(max_length=40, blank=True)
    proof_sha256 = models.CharField(max_length=64, blank=True)

    approved_at = models.DateTimeField("登记时间", null=True, blank=True)
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)
    # 修改去向: the last time a reviewer changed the graduate's destination (shown on the graduate's page)
    reviewer_edited_at = models.DateTimeField("审核人员修改时间", null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-updated_at", "-id"]
        # %(class)s: each model's own names (registration_…, paperagreement_…)
        indexes = [
            *list_indexes("%(class)s"),
            # "状态: 全部" lists, newest first, without sorting the whole school
            models.Index(fields=["school", "department", "-updated_at", "-id"], name="%(class)s_dept_all"),
            models.Index(fields=["school", "-updated_at", "-id"], name="%(class)s_school_all"),
            models.Index(fields=["exam_no"], name="%(class)s_exam_no"),
            models.Index(fields=["graduate_name"], name="%(class)s_name"),
        ]

    def get_absolute_url(self) -> str:
        return reverse(self.detail_url_name, args=[self.pk])

    @property
    def taxonomy_type(self) -> DestinationType | None:
        """The item's type in the taxonomy; None for a type since retired (its details show as stored)."""
        return destination_type(self.type_key, self.module)

    @property
    def type_label(self) -> str:
        return type_label(self.destination_type, self.subtype)


def type_label(destination_type: str, subtype: str) -> str:
    """毕业去向 as pages show it: the type, and its sub-type in brackets (境内升学（考研）)."""
    return f"{destination_type}（{subtype}）" if subtype else destination_type


class RegistrationStatus(models.TextChoices):
    WAIT_DEPT = "wait_dept", "去向登记审核中,等待学院审核"
    WAIT_SCHOOL = "wait_school", "去向登记审核中,等待学校审核"
    RETURNED = "returned", "去向登记退回修改"
    WITHDRAWN = "withdrawn", "已撤回,待重新提交"
    APPROVED = "approved", "审核通过,已登记"
    REJECTED = "rejected", "审核不通过"
    VOIDED = "voided", "已作废"


class PaperStatus(models.TextChoices):
    WAIT_DEPT = "wait_dept", "补登审核中,等待学院审核"
    WAIT_SCHOOL = "wait_school", "补登审核中,等待学校审核"
    RETURNED = "returned", "补登退回修改"
    WITHDRAWN = "withdrawn", "已撤回,待重新提交"
    APPROVED = "approved", "审核通过,已补登"
    REJECTED = "rejected", "审核不通过"
    VOIDED = "voided", "已作废"


def _states(vocabulary) -> StateSet:
    """Both vocabularies have one shape: in flight or approved holds the graduate (unless 未就业)."""
    v = vocabulary
    return StateSet(vocabulary, {
        v.WAIT_DEPT: State("wait", holds=True, open=True),
        v.WAIT_SCHOOL: State("wait", holds=True, open=True),
        v.RETURNED: State("wait", holds=True, open=True),
        v.WITHDRAWN: State("wait", holds=True, open=True),
        v.APPROVED: State("ok", holds=True),
        v.REJECTED: State("bad"),
        v.VOIDED: State("off"),
    }, list_default={Role.DEPARTMENT: v.WAIT_DEPT, Role.SCHOOL: v.WAIT_SCHOOL})


REGISTRATION_STATES = _states(RegistrationStatus)
PAPER_STATES = _states(PaperStatus)
# the states of a current registration: in flight or approved (the same values in both vocabularies)
CURRENT = sorted(REGISTRATION_STATES.holding())


class Registration(DestinationItem):
    module = "registration"  # the taxonomy's module (gradreg.codes.destinations)
    source_type = "registration"  # how EMS names the item its destination came from
    detail_url_name = "destinations:detail"
    status = models.CharField("去向登记状态", max_length=16, choices=RegistrationStatus.choices)

    class Meta(DestinationItem.Meta):
        verbose_name = verbose_name_plural = "去向登记"
        constraints = [
            # one current destination, and one current 未就业 report, per graduate (the row lock serialises,
            # this is the database's own guard)
            models.UniqueConstraint(fields=["graduate"], condition=Q(status__in=CURRENT, unemployed=False),
                                    name="registration_one_current"),
            models.UniqueConstraint(fields=["graduate"], condition=Q(status__in=CURRENT, unemployed=True),
                                    name="registration_one_unemployed"),
        ]

    def __str__(self) -> str:
        return f"{self.graduate_name} · {self.type_label}"


class PaperAgreement(DestinationItem):
    module = "paper"
    source_type = "paper_agreement"
    detail_url_name = "destinations:paper_detail"
    status = models.CharField("补登状态", max_length=16, choices=PaperStatus.choices)

    class Meta(DestinationItem.Meta):
        verbose_name = verbose_name_plural = "补登"
        constraints = [
            models.UniqueConstraint(fields=["graduate"], condition=Q(status__in=CURRENT), name="paper_one_current"),
        ]

    def __str__(self) -> str:
        return f"补登 {self.graduate_name} · {self.unit_name}"

