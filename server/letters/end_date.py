"""When a validation notice is mailed, when the consumer is assumed to receive it, and the
end of the validation period printed on it.

12 CFR 1006.34(b)(5): the validation period ends 30 days after the consumer receives or is
assumed to receive the validation information; a collector may assume receipt "any date
that is at least five days (excluding legal public holidays identified in 5 U.S.C.
6103(a), Saturdays, and Sundays)" after providing it. 5 U.S.C. 6103(b) moves a holiday
falling on a Saturday to the Friday before and one falling on a Sunday to the Monday
after (Friday 2026-07-03 for Independence Day). Whether 1006.34(b)(5) excludes those
observed days is not spelled out; excluding them too makes receipt, and so the period's
end, later, never earlier: the conservative choice, the one the consumer cannot lose by.
`server.kit.business_days` keeps that calendar (the `holidays` package's US public
holidays, observed days included).

The date printed on the notice governs (the consumer reads it): it is computed from the
batch's planned mailing date, and a notice the vendor mailed later than planned is void
(its printed date would be too early) and sent again.
"""

from __future__ import annotations

from datetime import date, timedelta

from server.accounts.validation_period import (
    VALIDATION_RECEIPT_BUSINESS_DAYS,
    validation_period_end,
)
from server.kit.business_days import add_business_days, is_business_day

__all__ = ["assumed_receipt", "planned_mailing_date", "validation_period_end"]


def planned_mailing_date(batch_made_on: date) -> date:
    """A batch made on one (agency) day is mailed by the vendor on the next business day:
    the vendor prints overnight and the post office takes mail on business days."""
    day = batch_made_on + timedelta(days=1)
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def assumed_receipt(mailed_on: date) -> date:
    """1006.34(b)(5): five business days after mailing (the accounts' own rule, which
    `validation_period_end` adds the 30 days to)."""
    return add_business_days(mailed_on, VALIDATION_RECEIPT_BUSINESS_DAYS)
