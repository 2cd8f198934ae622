"""Field checks shared by the roster import, the edit form and (later) every place these values enter."""
from __future__ import annotations

from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

from gradreg.common.validators import PHONE, check_phone  # noqa: F401  (re-exported for the roster)


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
