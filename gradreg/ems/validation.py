"""Field checks shared by the roster import, the edit form and (later) every place these values enter."""
from __future__ import annotations

import re

from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

PHONE = re.compile(r"^1[3-9][0-9]{9}$")  # ASCII digits only: \d also matches full-width ones


def check_id_number(raw: str) -> tuple[str, str | None]:
    """GB 11643 居民身份证号: length, birth date, check digit. Returns (normalised, Chinese error or None)."""
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


def check_phone(raw: str) -> tuple[str, str | None]:
    value = re.sub(r"[\s-]", "", raw or "")
    if value and not PHONE.match(value):
        return value, "手机号码应为11位，以1开头"
    return value, None
