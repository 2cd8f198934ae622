"""The employment management system's roster of record (就业管理系统 毕业生名单)."""
from __future__ import annotations

from django.db import models
from django.urls import reverse

from gradreg.workflow.items import GraduateItem, Reviewed, SchoolRouted

from .transfer_modules import Kind


class TrainingMode:
    """培养方式 codes the rules depend on (the table itself is data in codes.CodeEntry)."""

    NON_DIRECTED = "1"
    DIRECTED_NO_SIGN = "21"
    DIRECTED_SIGN = "22"
    COMMISSIONED_NO_SIGN = "41"
    COMMISSIONED_SIGN = "42"
    NEEDS_UNIT = frozenset({"21", "22", "41", "42"})
    SUPPLEMENT_ONLY = frozenset({"21", "41"})


class Graduate(SchoolRouted):
    exam_no = models.CharField("考生号", max_length=20)
    student_no = models.CharField("学号", max_length=30, blank=True)
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=1)
    id_number = models.CharField("身份证号", max_length=18)
    ethnicity = models.CharField("民族", max_length=2)
    political_status = models.CharField("政治面貌", max_length=2)
    education_level = models.CharField("学历层次", max_length=2)
    # no single-column indexes on school and department: grad_school_list / grad_dept_list lead with them
    school = models.ForeignKey(
        "organisations.School", on_delete=models.PROTECT, related_name="graduates", verbose_name="学校", db_index=False
    )
    department = models.ForeignKey(
        "organisations.Department", on_delete=models.PROTECT, related_name="graduates", verbose_name="院系",
        db_index=False,
    )
    major = models.ForeignKey("organisations.Major", on_delete=models.PROTECT, related_name="graduates", verbose_name="专业")
    schooling_years = models.DecimalField("学制", max_digits=3, decimal_places=1)
    training_mode = models.CharField("培养方式", max_length=2)
    directed_unit = models.CharField("定向/委培单位", max_length=200, blank=True)
    origin_region = models.CharField("生源所在地", max_length=6)
    graduation_year = models.PositiveSmallIntegerField("毕业年份")
    graduation_date = models.DateField("毕业时间")
    phone = models.CharField("手机号码", max_length=20, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    hukou_moved_to_school = models.BooleanField("户口是否迁入学校", default=False)

    is_valid = models.BooleanField("有效", default=True)
    invalidated_at = models.DateTimeField("失效时间", null=True, blank=True)
    invalid_reason = models.CharField("失效原因", max_length=200, blank=True)
    restored_at = models.DateTimeField("恢复时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "毕业生"
        constraints = [
            models.UniqueConstraint(fields=["graduation_year", "exam_no"], name="graduate_exam_no_unique"),
            models.UniqueConstraint(fields=["graduation_year", "id_number"], name="graduate_id_number_unique"),
        ]
        indexes = [
            # the roster lists: scope first (the school leads, as every query of a school-sharded table
            # names it), then the default order, then the id, so a deep page finds its ids in the index
            # alone (common.pagination's deferred join) and reads only its own rows
            models.Index(fields=["school", "department", "is_valid", "-graduation_year", "exam_no", "id"],
                         name="grad_dept_list"),
            models.Index(fields=["school", "is_valid", "-graduation_year", "exam_no", "id"], name="grad_school_list"),
            models.Index(fields=["student_no"], name="grad_student_no"),
            models.Index(fields=["name"], name="grad_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.exam_no}）"

    def get_absolute_url(self) -> str:
        return reverse("roster:detail", args=[self.pk])


class Upload(models.Model):
    """One upload of an .xlsx to EMS and its result: every bad row, or the counts of what it wrote."""

    class Status(models.TextChoices):
        FAILED = "failed", "校验未通过，未写入"
        DONE = "done", "已导入"

    # no single-column index: each upload's (school, -created_at) index starts with it
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+", db_index=False)
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices)
    total_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, help_text="[{row, column, message}]")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]


class RosterImport(Upload):
    """One roster upload and its result."""

    restored_count = models.PositiveIntegerField(default=0)

    class Meta(Upload.Meta):
        indexes = [models.Index(fields=["school", "-created_at"], name="roster_import_school")]


class DestinationUpload(Upload):
    """One 毕业去向上传 (EMS records destinations itself, 就业管理系统上传) and its result."""

    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)

    class Meta(Upload.Meta):
        indexes = [models.Index(fields=["school", "-created_at"], name="destination_upload_school")]


class TrainingModeChange(GraduateItem, Reviewed):
    """培养方式修改申请: department requests, school submits, province approves (SPEC 4.10)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "院系已申请,等待学校提交"
        SUBMITTED = "submitted", "学校已提交,等待省级审核"
        APPROVED = "approved", "省级审核通过,已修改"
        REJECTED = "rejected", "省级审核不通过"
        RETURNED = "returned", "学校已退回"
        WITHDRAWN = "withdrawn", "院系已撤回"

    graduate = models.ForeignKey(Graduate, on_delete=models.PROTECT, related_name="training_mode_changes")
    from_mode = models.CharField("原培养方式", max_length=2)
    to_mode = models.CharField("申请培养方式", max_length=2)
    directed_unit = models.CharField("定向/委培单位", max_length=200, blank=True)
    reason = models.TextField("申请理由")
    status = models.CharField("状态", max_length=12, choices=Status.choices)

    class Meta:
        verbose_name = verbose_name_plural = "培养方式修改申请"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["school", "status", "-created_at"], name="tmc_school_status"),
            models.Index(fields=["department", "status", "-created_at"], name="tmc_dept_status"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("ems:training_mode_detail", args=[self.pk])


class DestinationSource(models.TextChoices):
    """Where a destination held by EMS came from (the 来源 of seed 5.2)."""

    PLATFORM = "platform", "登记系统"
    EMS_UPLOAD = "ems_upload", "就业管理系统上传"
    EMS_API = "ems_api", "就业管理系统接口"


# the source type of a destination that came from a signing (events that name only `signing_id`)
SIGNING_SOURCE = "signing"


class ReportedDestination(models.Model):
    """The destination EMS currently holds for a graduate (毕业去向), one per graduate."""

    graduate = models.OneToOneField(Graduate, on_delete=models.CASCADE, related_name="reported_destination")
    # the graduate's school: the distribution column; the statistics per school start from it
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+", db_index=False)
    source = models.CharField("来源", max_length=12, choices=DestinationSource.choices)
    destination = models.CharField("毕业去向", max_length=60)
    destination_code = models.CharField("毕业去向代码", max_length=4, blank=True)
    employer_name = models.CharField("单位名称", max_length=200, blank=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    employer_region = models.CharField("单位所在地", max_length=6, blank=True)
    work_region = models.CharField("工作地点", max_length=6, blank=True)
    position = models.CharField("工作职位", max_length=100, blank=True)
    agreement_no = models.CharField("协议书编号", max_length=40, blank=True)
    subtype = models.CharField("具体去向", max_length=40, blank=True)
    # everything else the item reported (升学院校、专业, 国家（地区）, 档案/户口接收单位…), as sent
    details = models.JSONField("其他去向信息", default=dict, blank=True)
    # the platform item it came from (a signing, a registration…): a type name and a plain number, not a
    # foreign key, as EMS does not know the platform's tables
    source_type = models.CharField("来源记录类型", max_length=40, blank=True)
    source_id = models.BigIntegerField("来源记录", null=True, blank=True)
    # destination/signing data synced from the platform cannot be edited in EMS
    read_only = models.BooleanField("只读", default=False)
    reported_at = models.DateTimeField("上报时间")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "上报的毕业去向"
        indexes = [models.Index(fields=["school", "destination_code"], name="reported_dest_school")]

    def __str__(self) -> str:
        return f"{self.graduate_id}：{self.destination}"

    @property
    def signing_id(self) -> int | None:
        """The signing this destination came from, if it came from one."""
        return self.source_id if self.source_type == SIGNING_SOURCE else None


class TransferInfo(models.Model):
    """The 档案 or 户口 info of either module (`transfer_modules`), as EMS holds it and as the platform's
    records and applications carry it (the 户口 module leaves postcode, contact and phone empty)."""

    kind = models.CharField("模块", max_length=8, choices=Kind.choices)
    transfer_type = models.CharField("转递（迁移）类型", max_length=4, blank=True)
    unit_name = models.CharField("接收单位", max_length=200, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    region = models.CharField("所在地", max_length=6, blank=True)
    postcode = models.CharField("邮编", max_length=6, blank=True)
    contact = models.CharField("联系人/联系部门", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)

    class Meta:
        abstract = True


class ReportedTransfer(SchoolRouted, TransferInfo):
    """The 档案 or 户口 info EMS holds for a graduate (one per graduate and module), editable in EMS too."""

    graduate = models.ForeignKey(Graduate, on_delete=models.CASCADE, related_name="reported_transfers")
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+", db_index=False)
    # 登记系统 (from the platform) or 就业管理系统 (edited here)
    source = models.CharField("来源", max_length=12, choices=DestinationSource.choices)
    reported_at = models.DateTimeField("上报时间")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "上报的档案/户口信息"
        constraints = [models.UniqueConstraint(fields=["graduate", "kind"], name="reported_transfer_one")]
        indexes = [models.Index(fields=["school", "kind"], name="reported_transfer_school")]

    def __str__(self) -> str:
        return f"{self.graduate_id}：{self.get_kind_display()}"


class AppliedEvent(models.Model):
    """An event from the platform that EMS has applied; a redelivery of the same key is ignored."""

    idempotency_key = models.CharField(max_length=120, unique=True)
    topic = models.CharField(max_length=60)
    # the school of the event's change (from the event); empty for an event of no school
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+", null=True,
                               blank=True, db_index=False)
    applied_at = models.DateTimeField(auto_now_add=True)
    # SHA-256 of the canonical topic and payload (gradreg.ems.sync.payload_hash): the same key again with other
    # content is refused; empty for events applied before the hash was kept
    payload_hash = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "已处理的同步事件"
