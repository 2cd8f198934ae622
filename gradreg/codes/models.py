"""Code tables of graduate-employment reporting, kept as data an operator can update in the admin."""
from django.db import models


class CodeTable(models.TextChoices):
    EDUCATION = "xl", "学历"
    ETHNICITY = "mz", "民族"
    POLITICAL = "zzmm", "政治面貌"
    TRAINING_MODE = "pyfs", "培养方式"
    GENDER = "xb", "性别"
    UNIT_NATURE = "dwxz", "单位性质"
    INDUSTRY = "dwhy", "单位行业"
    JOB_CATEGORY = "gzzwlb", "工作职位类别"
    DESTINATION = "byqx", "毕业去向"
    ARCHIVE_TRANSFER = "dazdlx", "档案转递类型"
    HUKOU_MIGRATION = "hkqy", "户口迁移类型"


class CodeEntry(models.Model):
    table = models.CharField("代码表", max_length=16, choices=CodeTable.choices)
    code = models.CharField("代码", max_length=16)
    name = models.CharField("名称", max_length=100)
    parent = models.CharField("上级", max_length=100, blank=True)
    note = models.TextField("来源与说明", blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "代码"
        constraints = [models.UniqueConstraint(fields=["table", "code"], name="code_unique_per_table")]
        ordering = ["table", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Region(models.Model):
    """GB/T 2260 行政区划代码; codes no longer in use stay for ID-number birthplaces."""

    code = models.CharField("代码", max_length=6, primary_key=True)
    name = models.CharField("名称", max_length=60)
    province = models.CharField("省份", max_length=30)
    valid_from = models.CharField("启用年份", max_length=4, blank=True)
    valid_to = models.CharField("停用年份", max_length=4, blank=True)
    successor = models.CharField("继承代码", max_length=6, blank=True, help_text="停用代码的现行继承代码（已知时）")

    class Meta:
        verbose_name = verbose_name_plural = "行政区划"
        ordering = ["code"]

    @property
    def in_use(self) -> bool:
        return not self.valid_to

    def __str__(self) -> str:
        return f"{self.code} {self.province}{'' if self.name == self.province else self.name}"
