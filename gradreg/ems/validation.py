"""Field checks shared by the roster import, the edit form, activation, the invitation lookup and the API."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone
from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

from gradreg.common.validators import PHONE, check_phone  # noqa: F401  (re-exported for the roster)

MIN_AGE_AT_GRADUATION = 14  # younger than this when the cohort graduates: a mistyped birth date
COHORT_YEARS_AHEAD = 6  # the latest 毕业年份 the roster accepts is this many years after today's


def check_id_format(raw: str) -> tuple[str, str | None]:
    """GB 11643 居民身份证号 as written: length, birth date that exists, region code, check digit."""
    value = (raw or "").strip().upper()
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
