"""Every public look-up of an e-agreement, kept: who asked (the client address), how, and what they were told."""
from __future__ import annotations

from django.db import models


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
