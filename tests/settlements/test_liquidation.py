"""The liquidation curve per vintage without a database: months counted from the vintage,
money cumulative, money from before the placement counted in its first month."""

from __future__ import annotations

from datetime import date
from typing import Any

from server.settlements.liquidation import liquidation_curves, months_between
from server.settlements.schemas import VintageRead


def test_months_between_counts_calendar_months() -> None:
    assert months_between(date(2026, 3, 1), date(2026, 3, 1)) == 0
    assert months_between(date(2026, 3, 1), date(2026, 5, 1)) == 2
    assert months_between(date(2025, 11, 1), date(2026, 2, 1)) == 3
    assert months_between(date(2026, 3, 1), date(2026, 1, 1)) == -2


def _row(vintage: date, month: date | None, cents: int) -> dict[str, Any]:
    return {
        "vintage": vintage,
        "accounts": 4,
        "placed_cents": 100_000,
        "month": month,
        "collected_cents": cents,
    }


def test_a_vintage_collects_cumulatively_up_to_this_month() -> None:
    vintage = date(2026, 1, 1)
    rows = [
        _row(vintage, date(2026, 1, 1), 1_000),
        _row(vintage, date(2026, 3, 1), 500),
        # A reversal returned later takes money back from then on.
        _row(vintage, date(2026, 4, 1), -200),
    ]
    assert liquidation_curves(rows, this_month=date(2026, 4, 1)) == [
        VintageRead(vintage, 4, 100_000, [1_000, 1_000, 1_500, 1_300])
    ]


def test_money_from_before_the_placement_counts_in_its_first_month() -> None:
    vintage = date(2026, 2, 1)
    rows = [_row(vintage, date(2025, 12, 1), 700), _row(vintage, date(2026, 2, 1), 300)]
    assert liquidation_curves(rows, this_month=date(2026, 3, 1)) == [
        VintageRead(vintage, 4, 100_000, [1_000, 1_000])
    ]


def test_a_vintage_without_money_is_a_flat_curve_and_vintages_keep_their_order() -> None:
    rows = [
        _row(date(2026, 1, 1), None, 0),
        _row(date(2026, 2, 1), date(2026, 2, 1), 250),
    ]
    assert liquidation_curves(rows, this_month=date(2026, 2, 1)) == [
        VintageRead(date(2026, 1, 1), 4, 100_000, [0, 0]),
        VintageRead(date(2026, 2, 1), 4, 100_000, [250]),
    ]
