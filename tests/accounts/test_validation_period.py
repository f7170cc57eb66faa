"""When a debt's validation period ends (12 CFR 1006.34(b)(5))."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from server.accounts.validation_period import (
    ValidationState,
    validation_period_end,
    validation_state,
)


@pytest.mark.parametrize(
    ("sent", "ends"),
    [
        # Mon: receipt Mon June 10 (5 business days), end 30 days later.
        (date(2024, 6, 3), date(2024, 7, 10)),
        # Wed before Thanksgiving: Fri 29, Mon 2, Tue 3, Wed 4, Thu 5 -> Dec 5 + 30.
        (date(2024, 11, 27), date(2025, 1, 4)),
        # Fri before Christmas: Mon 23, Tue 24, (Wed 25), Thu 26, Fri 27, Mon 30 -> + 30.
        (date(2024, 12, 20), date(2025, 1, 29)),
    ],
)
def test_validation_period_end(sent: date, ends: date) -> None:
    assert validation_period_end(sent) == ends


@pytest.mark.parametrize(
    ("ends", "now", "state"),
    [
        (None, datetime(2027, 1, 4, 12, tzinfo=UTC), ValidationState.NOTICE_NOT_MAILED),
        (date(2027, 1, 4), datetime(2027, 1, 4, 12, tzinfo=UTC), ValidationState.IN_PERIOD),
        # 10:59 UTC on January 5th is still 23:59 on January 4th in American Samoa
        # (UTC-11), the last US zone to end a day: still inside the period.
        (date(2027, 1, 4), datetime(2027, 1, 5, 10, 59, tzinfo=UTC), ValidationState.IN_PERIOD),
        (date(2027, 1, 4), datetime(2027, 1, 5, 11, 0, tzinfo=UTC), ValidationState.PERIOD_ENDED),
    ],
)
def test_the_end_date_is_the_last_day_of_the_period_everywhere_in_the_us(
    ends: date | None, now: datetime, state: ValidationState
) -> None:
    assert validation_state(ends, now) == state
