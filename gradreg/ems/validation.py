"""Field checks shared by the roster import, the edit form, activation, the invitation lookup and the API."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

from gradreg.common.validators import PHONE, check_phone  # noqa: F401  (re-exported for the roster)
from gradreg.common.xlsx import FORMULA_START

from .models import TrainingMode

MIN_AGE_AT_GRADUATION = 14  # younger than this when the cohort graduates: a mistyped birth date
COHORT_YEARS_AHEAD = 6  # the latest 毕业年份 the roster accepts is this many years after today's


def check_id_format(raw: str) -> tuple[str, str | None]:
    """GB 11643 居民身份证号 as written: length, birth date that exists, region code, check digit.

    Full-width characters (a full-width Ｘ as well as digits) are read as their ASCII forms (NFKC)."""
    value = unicodedata.normalize("NFKC", raw or "").strip().upper()
    try:
        return ric.validate(value), None
    except InvalidLength:
        return value, "身份证号应为18位"
    except InvalidChecksum:
        return value, "身份证号校验位错误"
    except InvalidComponent:
        return value, "身份证号中的出生日期或地区码无效"
    except (InvalidFormat, ValidationError):
        return value, "身份证号格式错误"


def _age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def check_birth_date(value: str, *, graduation: dt.date | None = None, today: dt.date | None = None) -> str | None:
    """The birth date of a well-formed ID number against today and the cohort's graduation.

    Refused: a birth date after today, or one making the graduate younger than MIN_AGE_AT_GRADUATION
    on `graduation` (when the cohort is not known yet: the end of the latest 毕业年份 the roster accepts).
    """
    today = today or timezone.localdate()
    birth = ric.get_birth_date(value)
    if birth > today:
        return f"身份证号中的出生日期（{birth:%Y-%m-%d}）晚于今天，请核对"
    day = graduation or dt.date(today.year + COHORT_YEARS_AHEAD, 12, 31)
    if _age_on(birth, day) < MIN_AGE_AT_GRADUATION:
        return (f"按身份证号中的出生日期（{birth:%Y-%m-%d}），毕业时（{day:%Y-%m-%d}）不满{MIN_AGE_AT_GRADUATION}周岁，"
                "请核对")
    return None


def check_id_number(
    raw: str, *, graduation: dt.date | None = None, today: dt.date | None = None
) -> tuple[str, str | None]:
    """The one ID-number check of every entry point. Returns (normalised, Chinese error or None)."""
    value, problem = check_id_format(raw)
    if problem:
        return value, problem
    return value, check_birth_date(value, graduation=graduation, today=today)


# --------------------------------------------------------------------------- one rule per roster field
# Declared once, applied by every way into the roster: the import (importer.SPEC), the EMS edit form
# (forms.GraduateEditForm) and the service every other caller goes through (services.graduate_update).

CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # tabs, newlines, NUL: never part of a roster value
EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
EMAIL_MAX_LENGTH = 254
TENTH = Decimal("0.1")


def text_problem(label: str, text: str, max_length: int | None) -> str | None:
    """Over-long text or control characters (NUL, newlines), in the import report's words."""
    controls = CONTROL.search(text) is not None
    if max_length is not None and (len(text) > max_length or controls):
        return f"{label}最多{max_length}个字符，且不能含换行等控制字符"
    return f"{label}不能含换行等控制字符" if controls else None


def name_problem(value: str) -> str | None:
    return "姓名不能以 = + - @ 等符号开头" if value.startswith(FORMULA_START) else None


def email_problem(value: str) -> str | None:
    return "电子邮箱格式不正确" if len(value) > EMAIL_MAX_LENGTH or not EMAIL.match(value) else None


def schooling_years_problem(value: Any) -> str | None:
    try:
        value = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or not (1 <= value <= 8) or value != value.quantize(TENTH):
        return "学制应为1到8之间的数字（最多一位小数）"
    return None


def graduation_date_problem(date: dt.date, year: int) -> str | None:
    return f"毕业时间应在毕业年份（{year}年）内" if date.year != year else None


def directed_unit_problem(training_mode: str, unit: str) -> str | None:
    if training_mode in TrainingMode.NEEDS_UNIT:
        return None if unit else "定向/委培培养方式（21、22、41、42）须填写定向/委培单位"
    return "非定向毕业生的定向/委培单位必须为空" if unit else None


@dataclass(frozen=True)
class FieldRule:
    label: str
    max_length: int | None = None  # for text: also refuses control characters
    check: Callable[[Any], str | None] | None = None  # on the value (a non-empty one)


ROSTER_FIELDS: dict[str, FieldRule] = {
    "student_no": FieldRule("学号", 30),
    "name": FieldRule("姓名", 50, name_problem),
    "directed_unit": FieldRule("定向/委培单位", 200),
    "schooling_years": FieldRule("学制", check=schooling_years_problem),
    "email": FieldRule("电子邮箱", check=email_problem),  # too long is "格式不正确", as in the import
}


def field_problem(name: str, value: Any) -> str | None:
    """The Chinese problem with one roster field's value, or None (fields without a rule here pass)."""
    rule = ROSTER_FIELDS.get(name)
    if rule is None or value is None or value == "":
        return None
    if isinstance(value, str):
        problem = text_problem(rule.label, value, rule.max_length)
        if problem:
            return problem
    return rule.check(value) if rule.check is not None else None


def row_problems(graduate: Any) -> list[tuple[str, str]]:
    """The cross-field rules on a graduate's values: (field, message) for each broken one."""
    problems = []
    if graduate.major.department_id is not None and graduate.major.department_id != graduate.department_id:
        problems.append(("major", f"专业“{graduate.major.code}”不属于院系“{graduate.department.code}”"))
    if problem := graduation_date_problem(graduate.graduation_date, graduate.graduation_year):
        problems.append(("graduation_date", problem))
    if problem := directed_unit_problem(graduate.training_mode, graduate.directed_unit):
        problems.append(("directed_unit", problem))
    return problems
