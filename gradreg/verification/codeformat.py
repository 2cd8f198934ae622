"""核验编号 and 转递编号: how they are drawn, printed and read back.

A code is 16 characters of Crockford's Base32 (the digits and the letters without I, L, O and U): 80 bits
from the operating system's CSPRNG (`secrets`). Printed in groups of four ("K7QF-9XM2-C4TR-HW8N") and read
back with any case, spaces or hyphens; the look-alikes O, I and L read as 0, 1 and 1, as Crockford's rules
say, so a code read aloud or copied by hand still matches. Guessing is hopeless under the public page's
limits: at 30 look-ups per address per 10 minutes, a thousand addresses trying for a year (about 1.6 × 10⁹
guesses) find a given code with odds below 10⁻¹⁵, and a hit still needs the graduate's name.

The QR code carries a separate 128-bit token (`new_qr_token`), so the QR address cannot be derived from the
printed code.
"""
from __future__ import annotations

import hashlib
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 16
BITS = LENGTH * 5  # 80
GROUP = 4
_READ_AS = {"O": "0", "I": "1", "L": "1"}
_SKIPPED = " -\u3000\t"
_SHIFTS = tuple(range(BITS - 5, -1, -5))


def new_code() -> str:
    """A fresh code, stored as its 16 characters (no hyphens): 80 random bits, five to a character (one call to
    the CSPRNG, not sixteen: a batch of 20,000 转递编号 draws them in a few tens of milliseconds)."""
    n = int.from_bytes(secrets.token_bytes(BITS // 8), "big")
    return "".join([ALPHABET[(n >> shift) & 31] for shift in _SHIFTS])


def new_qr_token() -> str:
    """The QR address's token: 128 bits, URL-safe."""
    return secrets.token_urlsafe(16)


def grouped(code: str) -> str:
    """"K7QF9XM2C4TRHW8N" -> "K7QF-9XM2-C4TR-HW8N"."""
    return "-".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))


def read(typed: object) -> str | None:
    """What a person typed, as a stored code; None when it cannot be one (wrong length or letters)."""
    if not isinstance(typed, str) or len(typed) > 64:
        return None
    chars = [_READ_AS.get(c, c) for c in typed.upper() if c not in _SKIPPED]
    code = "".join(chars)
    if len(code) != LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def digest(code: str) -> str:
    """What the look-up log and the rate limiter keep of a typed code: never the code itself."""
    return hashlib.sha256(code.encode()).hexdigest()
