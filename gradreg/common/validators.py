"""Phone checks shared by the roster (EMS), employer registration and agreement contacts."""
from __future__ import annotations

import re

PHONE = re.compile(r"^1[3-9][0-9]{9}$")  # ASCII digits only: \d also matches full-width ones
LANDLINE = re.compile(r"^0[1-9][0-9]{1,2}-?[1-9][0-9]{6,7}(-[0-9]{1,6})?$")


def check_phone(raw: str) -> tuple[str, str | None]:
    value = re.sub(r"[\s-]", "", raw or "")
    if value and not PHONE.match(value):
        return value, "手机号码应为11位，以1开头"
    return value, None


def check_contact_phone(raw) -> tuple[str, str | None]:
    """A mobile number, or a fixed line with its area code (020-12345678, optionally -extension)."""
    value = str(raw or "").strip().replace(" ", "")
    mobile, error = check_phone(value)
    if error is None:
        return mobile, None
    if LANDLINE.match(value):
        return value, None
    return value, "联系电话应为11位手机号码，或带区号的固定电话（如020-12345678）"
