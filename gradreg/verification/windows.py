"""How long a code verifies (seed 6.3) and how long a 核验授权 lasts.

- 核验编号: public look-ups until the graduation date plus six months (the same day of the month, or the
  month's last day when it has fewer days).
- 转递编号: until 31 March of the year after graduation.
- 核验授权: `VERIFICATION_GRANT_DAYS` days from authorising (90 unless configured; the seed leaves the length
  to the platform); then 已过期 and the graduate may authorise again.

Days are dates in China (Asia/Shanghai, the project's TIME_ZONE): a window ending on 31 March covers that
whole day.
"""
from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.utils import timezone

GRANT_DAYS_DEFAULT = 90


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def verify_code_until(graduation_date: dt.date) -> dt.date:
    """The last day a 核验编号 verifies."""
    return add_months(graduation_date, 6)


def transfer_code_until(graduation_date: dt.date) -> dt.date:
    """The last day a 转递编号 verifies."""
    return dt.date(graduation_date.year + 1, 3, 31)


def today() -> dt.date:
    return timezone.localdate()


def is_open(last_day: dt.date, on: dt.date | None = None) -> bool:
    return (on or today()) <= last_day


def grant_days() -> int:
    return int(getattr(settings, "VERIFICATION_GRANT_DAYS", GRANT_DAYS_DEFAULT))


def grant_expiry(granted_at: dt.datetime) -> dt.datetime:
    return granted_at + dt.timedelta(days=grant_days())
