"""The dates the letters other than the notice follow: 1692g(b)'s deadline inside the
validation period, and 1006.26(b)'s time bar read on the letter's assumed receipt."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from server.letters.end_date import assumed_receipt
from server.letters.letter_rules import inside_validation_period, may_mention_suit, offer_deadline

# Mailed Monday 2026-11-23: received Tuesday 2026-12-01 (Thanksgiving is not counted).
MAILED = date(2026, 11, 23)
RECEIVED = date(2026, 12, 1)
END = date(2026, 12, 31)


def test_receipt_is_five_business_days_after_mailing() -> None:
    assert assumed_receipt(MAILED) == RECEIVED


@pytest.mark.parametrize(
    ("due_on", "ends_on", "mailed", "deadline"),
    [
        # Inside the period an earlier due date is moved to the period's end ...
        (date(2026, 12, 20), END, MAILED, END),
        (END - timedelta(days=1), END, MAILED, END),
        # ... also for a letter mailed on the end date itself (the consumer may dispute
        # "by" it) ...
        (END - timedelta(days=10), END, END, END),
        # ... and a later due date stays.
        (END + timedelta(days=1), END, MAILED, END + timedelta(days=1)),
        # Mailed the day after the end: the offer's own date.
        (END + timedelta(days=5), END, END + timedelta(days=1), END + timedelta(days=5)),
        # No period known: nothing to move it to (the batch holds such a letter).
        (date(2026, 12, 20), None, MAILED, date(2026, 12, 20)),
    ],
)
def test_no_deadline_inside_the_period_is_before_its_end(
    due_on: date, ends_on: date | None, mailed: date, deadline: date
) -> None:
    assert offer_deadline(due_on, ends_on, mailed) == deadline


def test_inside_the_period_through_its_last_day() -> None:
    assert inside_validation_period(END, END)
    assert not inside_validation_period(END, END + timedelta(days=1))
    assert not inside_validation_period(None, MAILED)


@pytest.mark.parametrize(
    ("limitations_on", "allowed"),
    [
        (None, False),  # unknown: treated as time-barred
        (RECEIVED, True),  # the statute still runs on the day it is received
        (RECEIVED - timedelta(days=1), False),  # runs out before it arrives
        (MAILED, False),  # runs out while it is in the mail
        (MAILED - timedelta(days=400), False),
        (RECEIVED + timedelta(days=365), True),
    ],
)
def test_suit_is_mentioned_only_when_the_statute_outlives_receipt(
    limitations_on: date | None, allowed: bool
) -> None:
    assert may_mention_suit(limitations_on, MAILED) is allowed
