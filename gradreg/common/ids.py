"""Generating valid identifiers (demo and scale data, tests)."""
from __future__ import annotations

import datetime as dt

from stdnum.cn import ric

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_id_number(region: str, birth: dt.date, seq: int) -> str:
    """A GB 11643 ID number with a correct check digit; seq 0-999 (odd = male)."""
    body = f"{region}{birth:%Y%m%d}{seq % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit


def make_credit_code(n: int, *, valid: bool = True) -> str:
    """A GB 32100 统一社会信用代码 (registration authority 9, type 1: enterprise)."""
    from stdnum.cn import uscc

    body = f"91{110000 + n % 10000:06d}{n:09d}"[:17]
    check = uscc.calc_check_digit(body)
    if not valid:
        check = CREDIT_ALPHABET[(CREDIT_ALPHABET.index(check) + 1) % 31]
    return body + check
