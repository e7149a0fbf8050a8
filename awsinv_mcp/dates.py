"""Calendar arithmetic shared by every layer (support dates, certificate expiry, cost periods)."""

from __future__ import annotations

import calendar
from datetime import date


def days_in_month(day: date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def add_months(day: date, months: int) -> date:
    """`day` plus `months` calendar months, the day clamped to the month's length (Aug 31 + 6 = Feb 28/29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_start(day: date, months: int = 0) -> date:
    """The first day of the month `months` after `day`'s month (0: `day`'s own month)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
