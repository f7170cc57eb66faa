"""A debt's validation period: when it ends, from the day its validation notice was
mailed, and where the account stands in it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from server.kit import clock
from server.kit.business_days import add_business_days

# 12 CFR 1006.34(b)(5): receipt may be assumed 5 days after sending, not counting
# Saturdays, Sundays and federal holidays; the period ends 30 days after receipt.
VALIDATION_RECEIPT_BUSINESS_DAYS = 5
VALIDATION_PERIOD_DAYS = 30


def validation_period_end(notice_sent: date) -> date:
    receipt = add_business_days(notice_sent, VALIDATION_RECEIPT_BUSINESS_DAYS)
    return receipt + timedelta(days=VALIDATION_PERIOD_DAYS)


class ValidationState(StrEnum):
    # No notice has been mailed: there is no period, and no end date to count from.
    NOTICE_NOT_MAILED = "notice_not_mailed"
    IN_PERIOD = "in_validation_period"
    PERIOD_ENDED = "validation_period_ended"
    # The last notice mailed came back undeliverable: no period runs until one arrives.
    RETURNED_UNDELIVERABLE = "returned_undeliverable"


# American Samoa (UTC-11) is the last place in the United States to finish a day: a period
# is not called ended while its end date still runs anywhere a consumer may be.
LATEST_US_ZONE = "Pacific/Pago_Pago"


def validation_state(
    period_ends_on: date | None, now: datetime, *, returned_on: date | None = None
) -> ValidationState:
    """Where a debt stands at `now`: the consumer may dispute "by" the end date, so the end
    date itself is still inside the period, wherever in the US they are."""
    if period_ends_on is None and returned_on is not None:
        return ValidationState.RETURNED_UNDELIVERABLE
    if period_ends_on is None:
        return ValidationState.NOTICE_NOT_MAILED
    if clock.local_date(now, LATEST_US_ZONE) <= period_ends_on:
        return ValidationState.IN_PERIOD
    return ValidationState.PERIOD_ENDED
