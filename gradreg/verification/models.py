"""Every public look-up of an e-agreement, kept: who asked (the client address), how, and what they were told."""
from __future__ import annotations

from django.db import models

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
