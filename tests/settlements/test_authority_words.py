"""The authority band in dollars and the reasons an offer left the collector's band:
each figure is the one the band's own test uses, rounded the way the test rounds."""

from __future__ import annotations

from datetime import timedelta

from server.settlements.authority import (
    LumpSum,
    band_reasons,
    band_sentence,
    lowest_settlement_cents,
    offer_band,
)
from tests.settlements.test_authority import (
    AUTHORITY,
    BALANCE,
    OFFERED_ON,
    SUPERVISOR,
    every_two_weeks,
    plan,
)


def test_the_lowest_settlement_is_the_percent_rounded_up_to_the_cent() -> None:
    collector = AUTHORITY.collector
    assert lowest_settlement_cents(collector, BALANCE) == 800_000
    # 80 % of $1,000.01 is $800.008: $800.01 is the least the band accepts.
    assert lowest_settlement_cents(collector, 100_001) == 80_001
    assert offer_band(AUTHORITY, 100_001, LumpSum(80_001)).value == "collector"
    assert offer_band(AUTHORITY, 100_001, LumpSum(80_000)) is SUPERVISOR


def test_the_band_in_dollars() -> None:
    assert band_sentence(AUTHORITY.collector, BALANCE) == (
        "A lump sum or a plan totalling at least $8,000.00 (80 % of $10,000.00); a plan of"
        " at most 6 instalments over at most 6 months, each at least $25.00."
    )
    assert "at least $6,500.00 (65 % of $10,000.00)" in band_sentence(AUTHORITY.supervisor, BALANCE)


def test_each_limit_passed_is_named_with_the_level_that_stops_it() -> None:
    assert band_reasons(AUTHORITY, BALANCE, LumpSum(800_000)) == []
    assert band_reasons(AUTHORITY, BALANCE, LumpSum(799_999)) == [
        "settles 79 % of the balance ($7,999.99 of $10,000.00) < the collector's 80 %"
    ]
    assert band_reasons(AUTHORITY, BALANCE, LumpSum(600_000)) == [
        "settles 60 % of the balance ($6,000.00 of $10,000.00) < the supervisor's 65 %"
    ]
    seven = every_two_weeks(7, 130_000)
    assert band_reasons(AUTHORITY, BALANCE, seven) == ["7 instalments > the collector's 6"]
    long = plan((OFFERED_ON, 400_000), (OFFERED_ON + timedelta(days=200), 400_000))
    assert band_reasons(AUTHORITY, BALANCE, long) == ["7 months > the collector's 6"]
    small = plan((OFFERED_ON, 798_000), (OFFERED_ON + timedelta(days=1), 2_000))
    # Both levels ask $25.00: the client decides, so the supervisor's limit is named.
    assert band_reasons(AUTHORITY, BALANCE, small) == [
        "an instalment of $20.00 < the supervisor's $25.00"
    ]
