"""Numbers as people write them."""
from __future__ import annotations

from decimal import Decimal


def plain_number(value) -> str:
    """4.0 → "4", 4.50 → "4.5", 12 → "12": no trailing zeros, never an exponent."""
    if value is None or value == "":
        return ""
    d = Decimal(str(value)).normalize()
    return f"{d:f}"
