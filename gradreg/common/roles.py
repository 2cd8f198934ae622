"""The roles of the platform: a vocabulary every floor may speak, so the shared kit needs no accounts app."""
from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    GRADUATE = "graduate", "毕业生"
    EMPLOYER = "employer", "用人单位"
    DEPARTMENT = "department", "院系用户"
    SCHOOL = "school", "学校用户"
    PROVINCE = "province", "省级管理部门"
    OPERATOR = "operator", "系统管理员"
