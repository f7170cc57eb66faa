"""When a debt's validation period ends (12 CFR 1006.34(b)(5))."""

from __future__ import annotations

from datetime import date

import pytest

from server.accounts.validation_period import validation_period_end


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
