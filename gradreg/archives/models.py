"""档案/户口信息 (seed 4): a graduate's registered info per module, and the applications that change it.

A `TransferRecord` is what the module holds for a graduate (one per graduate and module): its 登记状态
(未登记 / 审核中 / 已登记), the info as registered and where it came from (the graduate's approved
application, the department's own entry or import, an approved destination or signing, EMS). A
`TransferApplication` is the graduate's 登记 (first) or 修改 (afterwards), reviewed by 院系 then 学校.
Both carry one set of info columns (`TransferInfo`); the module's declaration (`modules.py`) says which
of them it uses and how each is labelled.
"""
from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse

from gradreg.common.roles import Role
from gradreg.ems.models import TransferInfo as BaseInfo
from gradreg.ems.transfer_modules import Kind, module
from gradreg.workflow.items import GraduateItem, Reviewed, SchoolRouted
from gradreg.workflow.states import State, StateSet


class TransferInfo(BaseInfo):
    """The info columns (EMS's own declaration), and the module they belong to."""

    class Meta:
        abstract = True

    @property
    def module(self):
        return module(self.kind)


class RecordState(models.TextChoices):
    NONE = "none", "未登记"
    PENDING = "pending", "审核中"
    REGISTERED = "registered", "已登记"


class RecordSource(models.TextChoices):
    APPLICATION = "application", "毕业生申请"
    DEPARTMENT = "department", "院系登记"
    IMPORT = "import", "院系批量导入"
    DESTINATION = "destination", "毕业去向登记"
    EMS = "ems", "就业管理系统"


class TransferRecord(SchoolRouted, TransferInfo):
    """登记状态 and the registered info of one graduate in one module.

    Made when the graduate first applies or a department registers; 未登记 again when a first
    application fails, or when the graduate is invalidated (seed 4.4: the info becomes inactive, kept
    for the history, and after re-upload the graduate registers again).
    """

    graduate = models.ForeignKey("ems.Graduate", on_delete=models.PROTECT, related_name="transfer_records")
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+", db_index=False)
    department = models.ForeignKey("organisations.Department", on_delete=models.PROTECT, related_name="+",
                                   db_index=False)
    state = models.CharField("登记状态", max_length=12, choices=RecordState.choices, default=RecordState.NONE)
    source = models.CharField("信息来源", max_length=12, choices=RecordSource.choices, blank=True)
    registered_at = models.DateTimeField("登记时间", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # seed 4.4: an invalidated graduate's info, kept but no longer in force
    inactive_at = models.DateTimeField("失效时间", null=True, blank=True)
    # bumped on every change of the registered info: EMS's idempotency keys and the reviewers' view
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "档案/户口登记信息"
        constraints = [models.UniqueConstraint(fields=["graduate", "kind"], name="transfer_record_one")]
        indexes = [models.Index(fields=["school", "kind", "state"], name="transfer_record_state")]

    def __str__(self) -> str:
        return f"{self.graduate_id} {self.get_kind_display()} {self.get_state_display()}"

    @property
    def registered(self) -> bool:
        return self.state == RecordState.REGISTERED


class ApplicationStatus(models.TextChoices):
    WAIT_DEPT = "wait_dept", "待院系审核"
    WAIT_SCHOOL = "wait_school", "院系审核通过,待学校审核"
    APPROVED = "approved", "审核通过"
    REJECTED = "rejected", "审核不通过"
    CANCELLED = "cancelled", "已撤销"


APPLICATION_STATES = StateSet(ApplicationStatus, {
    ApplicationStatus.WAIT_DEPT: State("wait", open=True),
    ApplicationStatus.WAIT_SCHOOL: State("wait", open=True),
    ApplicationStatus.APPROVED: State("ok"),
    ApplicationStatus.REJECTED: State("bad"),
    ApplicationStatus.CANCELLED: State("off"),
}, list_default={Role.DEPARTMENT: ApplicationStatus.WAIT_DEPT, Role.SCHOOL: ApplicationStatus.WAIT_SCHOOL})
OPEN = sorted(APPLICATION_STATES.open_states())


class ApplicationType(models.TextChoices):
    REGISTER = "register", "登记"
    MODIFY = "modify", "修改"


class TransferApplication(GraduateItem, Reviewed, TransferInfo):
    """A graduate's 登记 or 修改 of their 档案/户口 info, for review (one open per graduate and module)."""

    status = models.CharField("审核状态", max_length=12, choices=ApplicationStatus.choices)
    apply_type = models.CharField("申请类型", max_length=8, choices=ApplicationType.choices)
    # a reviewer's 修改信息 on the application (the graduate sees who changed what on the timeline)
    reviewer_edited_at = models.DateTimeField("审核人员修改时间", null=True, blank=True)
    decided_at = models.DateTimeField("审核完成时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "档案/户口信息申请"
        ordering = ["-updated_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["graduate", "kind"], condition=Q(status__in=OPEN),
                                               name="transfer_application_one_open")]
        indexes = [
            # the review lists: the school leads (the shard), the module, the scope, the state, newest first, the id
            models.Index(fields=["school", "kind", "department", "status", "-updated_at", "-id"], name="tapp_dept_list"),
            models.Index(fields=["school", "kind", "status", "-updated_at", "-id"], name="tapp_school_list"),
            models.Index(fields=["school", "kind", "department", "-updated_at", "-id"], name="tapp_dept_all"),
            models.Index(fields=["school", "kind", "-updated_at", "-id"], name="tapp_school_all"),
            models.Index(fields=["exam_no"], name="tapp_exam_no"),
            models.Index(fields=["graduate_name"], name="tapp_name"),
        ]

    def __str__(self) -> str:
        return f"{self.graduate_name} · {self.module.noun}信息{self.get_apply_type_display()}"

    def get_absolute_url(self) -> str:
        return reverse(f"{self.module.url}:application", args=[self.pk])


class TransferImport(models.Model):
    """One 批量导入 of a module's info and its result: every bad row, or the counts of what it wrote."""

    class Status(models.TextChoices):
        FAILED = "failed", "校验未通过，未写入"
        DONE = "done", "已导入"

    # no single-column index: transfer_import_school starts with it
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+", db_index=False)
    # the uploader's department (empty for a school user): a department sees its own imports only
    department = models.ForeignKey("organisations.Department", on_delete=models.PROTECT, related_name="+",
                                   null=True, blank=True, db_index=False)
    kind = models.CharField("模块", max_length=8, choices=Kind.choices)
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices)
    total_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField("首次登记", default=0)
    updated_count = models.PositiveIntegerField("修改", default=0)
    unchanged_count = models.PositiveIntegerField("无变化", default=0)
    errors = models.JSONField(default=list, help_text="[{row, column, message}]")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "档案/户口信息批量导入"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["school", "kind", "-created_at"], name="transfer_import_school")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}导入 {self.file_name} {self.get_status_display()}"

    @property
    def module(self):
        return module(self.kind)
