"""The end of the validation period after a validation notice is sent."""

from __future__ import annotations

from datetime import date, timedelta

from server.kit.business_days import add_business_days

# 12 CFR 1006.34(b)(5): receipt may be assumed 5 days after sending, not counting
# Saturdays, Sundays and federal holidays; the period ends 30 days after receipt.
VALIDATION_RECEIPT_BUSINESS_DAYS = 5
VALIDATION_PERIOD_DAYS = 30


def validation_period_end(notice_sent: date) -> date:
    receipt = add_business_days(notice_sent, VALIDATION_RECEIPT_BUSINESS_DAYS)
    return receipt + timedelta(days=VALIDATION_PERIOD_DAYS)
