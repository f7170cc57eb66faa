"""Business days: weekdays that are not US federal holidays.

One definition serves both the validation-notice receipt rule (12 CFR 1006.34(b)(5):
"excluding legal public holidays identified in 5 U.S.C. 6103(a), Saturdays, and Sundays")
and the clearing hold on payments, which banks count on the same calendar. The
`holidays` package keeps the calendar, including observed dates (a holiday falling on a
Saturday is observed on the Friday before).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _federal_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("US", years=year, categories=("public",)).keys())


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _federal_holidays(day.year)


def add_business_days(start: date, days: int) -> date:
    """The date `days` business days after `start` (0 returns `start` itself).

    Counting starts on the day after `start`, as a hold of one business day placed on a
    Friday clears on the next business day.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_business_day(current):
            remaining -= 1
    return current


def subtract_business_days(end: date, days: int) -> date:
    """The business day `days` business days before `end` (0 returns `end` itself): the
    inverse of `add_business_days` for a business day `end`."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = end
    remaining = days
    while remaining:
        current -= timedelta(days=1)
        if is_business_day(current):
            remaining -= 1
    return current
