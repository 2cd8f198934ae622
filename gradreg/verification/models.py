"""Every public look-up of an e-agreement, kept: who asked (the client address), how, and what they were told."""
from __future__ import annotations

from django.db import models

from gradreg.common.onetime import OneTimeCode
from gradreg.workflow.items import SchoolRouted


class CheckMethod(models.TextChoices):
    LINK = "link", "扫码或网址"
    UPLOAD = "upload", "上传文件"


class Outcome(models.TextChoices):
    VALID = "valid", "真实有效"
    PENDING = "pending", "签约办理中"
    TERMINATED = "terminated", "已解约"
    VOID = "void", "已失效"
    SUPERSEDED = "superseded", "已被新版本取代"
    UNKNOWN = "unknown", "未找到"
    FOREIGN = "foreign", "非本平台签发或已被改动"
    BAD_FILE = "bad_file", "文件无效"


class AgreementCheck(models.Model):
    at = models.DateTimeField("核验时间", auto_now_add=True, db_index=True)
    ip = models.GenericIPAddressField("来源地址", null=True, blank=True)
    method = models.CharField("核验方式", max_length=10, choices=CheckMethod.choices)
    outcome = models.CharField("核验结果", max_length=12, choices=Outcome.choices)
    token = models.CharField("核验码", max_length=64, blank=True)
    upload_sha256 = models.CharField("上传文件SHA-256", max_length=64, blank=True)
    signing = models.ForeignKey("signing.Signing", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    # the signing's school (the distribution column); empty when the look-up found no signing
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+", null=True,
                               blank=True, db_index=False)

    class Meta:
        verbose_name = verbose_name_plural = "协议书核验记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["signing", "-at"], name="agreement_check_signing")]

    def __str__(self) -> str:
        return f"{self.get_method_display()} · {self.get_outcome_display()}"


# ---- 登记确认 (seed 5) -------------------------------------------------------------------------------------

class ConfirmationStatus(models.TextChoices):
    """登记确认状态. 未上报 is never stored: it is read from EMS (no `ReportedDestination`), as is 未确认 for a
    graduate with no confirmation row yet (`gradreg.verification.confirmation.status_of`)."""

    NOT_REPORTED = "not_reported", "未上报"
    UNCONFIRMED = "unconfirmed", "未确认"
    CORRECT = "correct", "确认无误"
    WRONG = "wrong", "确认有误"


class ConfirmationAction(models.TextChoices):
    CONFIRM_OK = "confirm_ok", "确认无误"
    CONFIRM_WRONG = "confirm_wrong", "确认有误"
    RESET = "reset", "重要信息变更，需重新确认"


class Confirmation(SchoolRouted):
    """A graduate's 登记确认: what they said last (确认无误 / 确认有误 and its description), or 未确认 after an
    important change. The school and department are the graduate's, copied on each write."""

    graduate = models.OneToOneField("ems.Graduate", on_delete=models.CASCADE, related_name="confirmation")
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+", db_index=False)
    department = models.ForeignKey("organisations.Department", on_delete=models.PROTECT, related_name="+",
                                   db_index=False)
    status = models.CharField("登记确认状态", max_length=16, choices=ConfirmationStatus.choices,
                              default=ConfirmationStatus.UNCONFIRMED)
    description = models.TextField("有误说明", max_length=500, blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "登记确认"
        indexes = [models.Index(fields=["school", "status"], name="confirmation_school_status")]

    def __str__(self) -> str:
        return f"{self.graduate_id}：{self.get_status_display()}"


class ConfirmationRecord(SchoolRouted):
    """登记确认记录: each confirmation with what the graduate saw (毕业去向, 档案, 户口 as shown), and each
    reset by an important change with the fields that changed. Never edited."""

    confirmation = models.ForeignKey(Confirmation, on_delete=models.CASCADE, related_name="records")
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+", db_index=False)
    action = models.CharField("操作", max_length=16, choices=ConfirmationAction.choices)
    status = models.CharField("确认后状态", max_length=16, choices=ConfirmationStatus.choices)
    description = models.TextField("有误说明", max_length=500, blank=True)
    # what was confirmed: {"destination": [[label, value]…], "archive": […], "hukou": […]}
    snapshot = models.JSONField("确认时的信息", default=dict, blank=True)
    # a reset: {"kind": "destination" | "archive" | "hukou", "fields": [...]}
    changed = models.JSONField("变更的字段", default=dict, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "登记确认记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["confirmation", "-at"], name="confirmation_record_list")]

    def __str__(self) -> str:
        return f"{self.confirmation_id}：{self.get_action_display()}"


# ---- 户档转递与核验信息 (seed 6) --------------------------------------------------------------------------

class SheetKind(models.TextChoices):
    """The two 去向登记信息表: one per receiving agency (档案 and 户籍)."""

    ARCHIVE = "archive", "档案"
    HUKOU = "hukou", "户口"


class CodeType(models.TextChoices):
    VERIFY = "verify", "核验编号"
    TRANSFER = "transfer", "转递编号"


class VerificationGrant(SchoolRouted):
    """核验授权: the graduate, 确认无误 and through 实人认证, lets agencies look up their sheets with a 核验编号.

    One row per graduate; authorising again replaces the code (the old one stops working). The 核验编号 is
    shown to the graduate only (never on a staff page, in an export or a staff API answer). 核验状态 is read
    (`gradreg.verification.grants.status_of`): 未确认 without a live grant, 生效中 until `expires_at`, then 已过期.
    An important change of the confirmed information ends the grant (`ended_at`), as 登记确认 goes back to 未确认.
    """

    graduate = models.OneToOneField("ems.Graduate", on_delete=models.CASCADE, related_name="verification_grant")
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+", db_index=False)
    department = models.ForeignKey("organisations.Department", on_delete=models.PROTECT, related_name="+",
                                   db_index=False)
    code = models.CharField("核验编号", max_length=16, unique=True)
    # the QR code's address carries this token, never the code: it cannot be typed from the printed code
    qr_token = models.CharField("二维码令牌", max_length=32, unique=True)
    provider = models.CharField("实人认证方式", max_length=40)
    granted_at = models.DateTimeField("授权时间")
    expires_at = models.DateTimeField("授权有效期至")
    ended_at = models.DateTimeField("终止时间", null=True, blank=True)
    ended_reason = models.CharField("终止原因", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "核验授权"
        indexes = [models.Index(fields=["school", "department"], name="verification_grant_scope")]

    def __str__(self) -> str:
        return f"{self.graduate_id}：核验授权"


class IdentityCheck(OneTimeCode):
    """实人认证 by the built-in provider: a one-time code sent to the roster's phone or e-mail (never the in-app
    message centre), single use, short-lived; its hash only is kept."""

    graduate = models.ForeignKey("ems.Graduate", on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("organisations.School", on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        verbose_name = verbose_name_plural = "实人认证验证码"
        indexes = [models.Index(fields=["graduate", "-created_at"], name="identity_check_recent")]


class TransferCode(SchoolRouted):
    """转递编号: issued by the school or department for one graduate and one sheet, seen by staff only.

    Regenerating replaces the code. An important change of the destination (both sheets) or of the sheet's
    own 档案/户口 info makes it stale (`stale_at`) until regenerated; a stale code verifies nothing.
    """

    graduate = models.ForeignKey("ems.Graduate", on_delete=models.CASCADE, related_name="transfer_codes")
    kind = models.CharField("信息表", max_length=8, choices=SheetKind.choices)
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+", db_index=False)
    department = models.ForeignKey("organisations.Department", on_delete=models.PROTECT, related_name="+",
                                   db_index=False)
    code = models.CharField("转递编号", max_length=16, unique=True)
    qr_token = models.CharField("二维码令牌", max_length=32, unique=True)
    generated_at = models.DateTimeField("首次生成时间")
    updated_at = models.DateTimeField("更新时间", db_index=True)
    stale_at = models.DateTimeField("失效时间", null=True, blank=True)
    # what made it stale: {"kind": "destination" | "archive" | "hukou", "fields": [...]}
    stale_reason = models.JSONField("失效原因", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "转递编号"
        constraints = [models.UniqueConstraint(fields=["graduate", "kind"], name="transfer_code_one_per_sheet")]
        indexes = [models.Index(fields=["school", "kind", "department"], name="transfer_code_scope")]

    def __str__(self) -> str:
        return f"{self.graduate_id}：{self.get_kind_display()}转递编号"


class TransferCodeRun(SchoolRouted):
    """One "批量生成/重新生成转递编号": who, for which sheet and scope, and how many codes it wrote."""

    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+", db_index=False)
    department = models.ForeignKey("organisations.Department", on_delete=models.PROTECT, related_name="+",
                                   null=True, blank=True, db_index=False)
    kind = models.CharField("信息表", max_length=8, choices=SheetKind.choices)
    actor = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("生成时间", auto_now_add=True)
    created = models.PositiveIntegerField("新生成", default=0)
    renewed = models.PositiveIntegerField("重新生成", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "转递编号生成记录"
        ordering = ["-at", "-id"]


class SheetIssue(models.Model):
    """Each 去向登记信息表 PDF the platform signed: its fingerprint, for the document check (current,
    superseded, or not issued here) and the content it showed, to tell whether it is still current."""

    kind = models.CharField("信息表", max_length=8, choices=SheetKind.choices)
    code_type = models.CharField("编号类型", max_length=8, choices=CodeType.choices)
    # the code printed on it (the verification page needs it to say "superseded")
    code = models.CharField("编号", max_length=16, db_index=True)
    graduate = models.ForeignKey("ems.Graduate", on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+", db_index=False)
    sha256 = models.CharField("文件SHA-256", max_length=64, db_index=True)
    content_sha256 = models.CharField("内容SHA-256", max_length=64)
    issued_at = models.DateTimeField("签发时间", auto_now_add=True)
    issued_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "去向登记信息表签发记录"
        ordering = ["-issued_at", "-id"]


class LookupMethod(models.TextChoices):
    NAME_CODE = "name_code", "姓名+编号"
    QR = "qr", "扫描二维码"
    UPLOAD = "upload", "上传文件"
    API = "api", "接口"


class LookupOutcome(models.TextChoices):
    SHOWN = "shown", "已展示信息表"
    REFUSED = "refused", "无法核验"
    THROTTLED = "throttled", "查询过于频繁"


class SheetLookup(models.Model):
    """Every public look-up of a 去向登记信息表 (seed 6.3): when, from where, how, and what was answered. The
    typed code is kept as a digest only; the graduate is named only when a sheet was shown."""

    at = models.DateTimeField("核验时间", auto_now_add=True, db_index=True)
    ip = models.GenericIPAddressField("来源地址", null=True, blank=True)
    kind = models.CharField("信息表", max_length=8, choices=SheetKind.choices)
    method = models.CharField("核验方式", max_length=10, choices=LookupMethod.choices)
    outcome = models.CharField("核验结果", max_length=10, choices=LookupOutcome.choices)
    code_type = models.CharField("编号类型", max_length=8, choices=CodeType.choices, blank=True)
    code_digest = models.CharField("编号摘要", max_length=64, blank=True)
    graduate = models.ForeignKey("ems.Graduate", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+", null=True,
                               blank=True, db_index=False)

    class Meta:
        verbose_name = verbose_name_plural = "去向登记信息表核验记录"
        ordering = ["-at", "-id"]
