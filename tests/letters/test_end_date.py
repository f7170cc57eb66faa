"""The validation period's end printed on a notice (12 CFR 1006.34(b)(5)): receipt five
days after mailing not counting Saturdays, Sundays and the legal public holidays of
5 U.S.C. 6103(a), observed days included; the period ends 30 days after receipt."""

from __future__ import annotations

from datetime import date

import pytest

from server.letters.end_date import assumed_receipt, planned_mailing_date, validation_period_end


@pytest.mark.parametrize(
    ("mailed", "receipt", "ends", "why"),
    [
        # Thanksgiving, Thursday 2026-11-26 (5 U.S.C. 6103(a)): Tue 24, Wed 25, Fri 27,
        # Mon 30, Tue Dec 1. Counting Thanksgiving would give receipt Nov 30.
        (date(2026, 11, 23), date(2026, 12, 1), date(2026, 12, 31), "Thanksgiving"),
        # New Year's Day, Friday 2027-01-01: Wed Dec 30, Thu 31, Mon Jan 4, Tue 5, Wed 6.
        (date(2026, 12, 29), date(2027, 1, 6), date(2027, 2, 5), "New Year 2027"),
        # Christmas, Friday 2026-12-25, and the weekend: Thu 24, Mon 28, Tue 29, Wed 30,
        # Thu 31.
        (date(2026, 12, 23), date(2026, 12, 31), date(2027, 1, 30), "Christmas 2026"),
        # Independence Day falls on Saturday 2026-07-04 and is observed Friday 2026-07-03
        # (5 U.S.C. 6103(b)); counted as a holiday (the conservative choice): Wed 1,
        # Thu 2, Mon 6, Tue 7, Wed 8. Not counting it would give receipt Jul 7.
        (date(2026, 6, 30), date(2026, 7, 8), date(2026, 8, 7), "observed 2026-07-03"),
        # An ordinary week: Mon to the next Mon.
        (date(2026, 10, 19), date(2026, 10, 26), date(2026, 11, 25), "no holiday"),
    ],
)
def test_receipt_and_period_end(mailed: date, receipt: date, ends: date, why: str) -> None:
    assert assumed_receipt(mailed) == receipt, why
    assert validation_period_end(mailed) == ends, why


@pytest.mark.parametrize(
    ("made_on", "planned"),
    [
        (date(2026, 11, 18), date(2026, 11, 19)),  # Wednesday: Thursday
        (date(2026, 11, 20), date(2026, 11, 23)),  # Friday: over the weekend to Monday
        (date(2026, 11, 25), date(2026, 11, 27)),  # before Thanksgiving: the Friday after
        (date(2026, 7, 2), date(2026, 7, 6)),  # before the observed Friday 2026-07-03
        (date(2026, 12, 31), date(2027, 1, 4)),  # New Year's Eve: Monday Jan 4
    ],
)
def test_a_batch_is_mailed_the_next_business_day(made_on: date, planned: date) -> None:
    assert planned_mailing_date(made_on) == planned
