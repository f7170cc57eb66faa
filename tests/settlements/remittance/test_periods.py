"""Remittance periods: calendar periods ending at 00:00 in the agency's time zone."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.settlements.remittance.periods import (
    Period,
    RemittanceCycle,
    period_containing,
    periods_ended_by,
    start_of_day,
)

NEW_YORK = "America/New_York"
NY = ZoneInfo(NEW_YORK)
DAILY, WEEKLY, MONTHLY = RemittanceCycle.DAILY, RemittanceCycle.WEEKLY, RemittanceCycle.MONTHLY


def ny(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=NY)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def hours(period: Period) -> float:
    return (period.end - period.start) / timedelta(hours=1)


# --- period_containing ---------------------------------------------------------------------


def test_daily_period_is_the_agency_local_day_in_utc() -> None:
    period = period_containing(DAILY, NEW_YORK, utc(2026, 6, 10, 3, 30))  # 23:30 on the 9th in NY
    assert period == Period(utc(2026, 6, 9, 4), utc(2026, 6, 10, 4))
    assert period.start.tzinfo is UTC
    assert period.end.tzinfo is UTC


def test_daily_period_is_23_hours_when_dst_starts() -> None:
    period = period_containing(DAILY, NEW_YORK, ny(2026, 3, 8, 12))
    assert period == Period(utc(2026, 3, 8, 5), utc(2026, 3, 9, 4))
    assert hours(period) == 23


def test_daily_period_is_25_hours_when_dst_ends() -> None:
    period = period_containing(DAILY, NEW_YORK, ny(2026, 11, 1, 12))
    assert period == Period(utc(2026, 11, 1, 4), utc(2026, 11, 2, 5))
    assert hours(period) == 25


def test_a_moment_at_midnight_starts_the_next_period() -> None:
    assert period_containing(DAILY, NEW_YORK, ny(2026, 6, 10)).start == ny(2026, 6, 10)
    just_before = ny(2026, 6, 10) - timedelta(microseconds=1)
    assert period_containing(DAILY, NEW_YORK, just_before).end == ny(2026, 6, 10)


def test_weekly_period_ends_monday_midnight() -> None:
    # Sunday 2026-11-29 23:59 is the last minute of the week that began Monday the 23rd.
    period = period_containing(WEEKLY, NEW_YORK, ny(2026, 11, 29, 23, 59))
    assert period == Period(ny(2026, 11, 23), ny(2026, 11, 30))
    assert period_containing(WEEKLY, NEW_YORK, ny(2026, 11, 30)).start == ny(2026, 11, 30)
    assert period_containing(WEEKLY, NEW_YORK, ny(2026, 11, 23, 0, 0)).start == ny(2026, 11, 23)


def test_weekly_period_over_the_fall_dst_change_is_169_hours() -> None:
    period = period_containing(WEEKLY, NEW_YORK, ny(2026, 11, 1, 12))
    assert period == Period(ny(2026, 10, 26), ny(2026, 11, 2))
    assert hours(period) == 7 * 24 + 1


def test_monthly_period_ends_on_the_first() -> None:
    period = period_containing(MONTHLY, NEW_YORK, ny(2026, 3, 15))
    assert period == Period(utc(2026, 3, 1, 5), utc(2026, 4, 1, 4))  # EST to EDT
    assert period_containing(MONTHLY, NEW_YORK, ny(2026, 4, 1)).start == ny(2026, 4, 1)
    last_second = ny(2026, 3, 31, 23, 59, 59)
    assert period_containing(MONTHLY, NEW_YORK, last_second).end == ny(2026, 4, 1)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (ny(2026, 12, 31, 23), Period(ny(2026, 12, 1), ny(2027, 1, 1))),
        (ny(2028, 2, 29, 12), Period(ny(2028, 2, 1), ny(2028, 3, 1))),
        (ny(2027, 2, 28, 12), Period(ny(2027, 2, 1), ny(2027, 3, 1))),
        (ny(2026, 1, 31, 12), Period(ny(2026, 1, 1), ny(2026, 2, 1))),
    ],
)
def test_monthly_period_over_year_end_and_february(moment: datetime, expected: Period) -> None:
    assert period_containing(MONTHLY, NEW_YORK, moment) == expected


def test_midnight_dst_changes_start_the_day_at_its_first_instant() -> None:
    # Chile moves its clocks at midnight: 00:00 on 2024-09-08 never happened (it went
    # from 23:59:59 -04 to 01:00 -03), and on 2025-04-06 23:00-24:00 of the 5th repeats.
    santiago = "America/Santiago"
    spring = period_containing(DAILY, santiago, utc(2024, 9, 8, 12))
    assert spring == Period(utc(2024, 9, 8, 4), utc(2024, 9, 9, 3))
    assert hours(spring) == 23
    autumn = period_containing(DAILY, santiago, utc(2025, 4, 5, 12))
    assert autumn == Period(utc(2025, 4, 5, 3), utc(2025, 4, 6, 4))
    assert hours(autumn) == 25


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        period_containing(DAILY, NEW_YORK, datetime(2026, 6, 10, 12))


def test_start_of_day_is_local_midnight_in_utc() -> None:
    assert start_of_day(ny(2026, 7, 4).date(), NEW_YORK) == utc(2026, 7, 4, 4)
    assert start_of_day(ny(2026, 1, 4).date(), NEW_YORK) == utc(2026, 1, 4, 5)


# --- periods_ended_by ----------------------------------------------------------------------


def test_every_daily_period_ended_by_as_of_from_the_one_holding_since() -> None:
    periods = periods_ended_by(DAILY, NEW_YORK, ny(2026, 11, 25, 15), ny(2026, 11, 28))
    assert periods == [
        Period(ny(2026, 11, 25), ny(2026, 11, 26)),
        Period(ny(2026, 11, 26), ny(2026, 11, 27)),
        Period(ny(2026, 11, 27), ny(2026, 11, 28)),
    ]


def test_a_period_ending_a_moment_after_as_of_has_not_ended() -> None:
    as_of = ny(2026, 11, 28) - timedelta(microseconds=1)
    periods = periods_ended_by(DAILY, NEW_YORK, ny(2026, 11, 25, 15), as_of)
    assert [p.end for p in periods] == [ny(2026, 11, 26), ny(2026, 11, 27)]


def test_nothing_has_ended_while_since_is_in_the_current_period() -> None:
    assert periods_ended_by(WEEKLY, NEW_YORK, ny(2026, 11, 23), ny(2026, 11, 29, 23)) == []
    assert periods_ended_by(DAILY, NEW_YORK, ny(2026, 11, 28), ny(2026, 11, 25)) == []


def test_since_at_a_period_end_starts_with_the_next_period() -> None:
    periods = periods_ended_by(WEEKLY, NEW_YORK, ny(2026, 11, 23), ny(2026, 12, 7, 1))
    assert periods == [
        Period(ny(2026, 11, 23), ny(2026, 11, 30)),
        Period(ny(2026, 11, 30), ny(2026, 12, 7)),
    ]


def test_monthly_catch_up_over_history_and_year_end() -> None:
    periods = periods_ended_by(MONTHLY, NEW_YORK, ny(2025, 11, 20), ny(2026, 2, 1))
    assert periods == [
        Period(ny(2025, 11, 1), ny(2025, 12, 1)),
        Period(ny(2025, 12, 1), ny(2026, 1, 1)),
        Period(ny(2026, 1, 1), ny(2026, 2, 1)),
    ]


def test_a_naive_as_of_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        periods_ended_by(DAILY, NEW_YORK, ny(2026, 11, 25), datetime(2026, 11, 28))


# --- properties ----------------------------------------------------------------------------

# Zones whose clocks never change at midnight, so every period starts at 00:00 local;
# Lord Howe's DST is half an hour.
ZONES = ["America/New_York", "America/Los_Angeles", "Europe/London", "Asia/Kolkata"]
ZONES += ["Australia/Lord_Howe", "Pacific/Honolulu", "UTC"]
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
)


@given(st.sampled_from(RemittanceCycle), st.sampled_from(ZONES), moments)
def test_the_period_holds_the_moment_and_starts_at_local_midnight(
    cycle: RemittanceCycle, zone: str, moment: datetime
) -> None:
    period = period_containing(cycle, zone, moment)
    assert period.start <= moment < period.end
    local_start = period.start.astimezone(ZoneInfo(zone))
    local_end = period.end.astimezone(ZoneInfo(zone))
    for local in (local_start, local_end):
        assert (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)
        if cycle is RemittanceCycle.WEEKLY:
            assert local.weekday() == 0  # Monday
        if cycle is RemittanceCycle.MONTHLY:
            assert local.day == 1
    days = (local_end.date() - local_start.date()).days
    expected_days = {RemittanceCycle.DAILY: {1}, RemittanceCycle.WEEKLY: {7}}
    assert days in expected_days.get(cycle, {28, 29, 30, 31})


@given(
    st.sampled_from(RemittanceCycle),
    st.sampled_from(ZONES),
    moments,
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=120)),
)
def test_periods_ended_by_abut_and_stop_at_as_of(
    cycle: RemittanceCycle, zone: str, since: datetime, span: timedelta
) -> None:
    as_of = since + span
    periods = periods_ended_by(cycle, zone, since, as_of)
    first = period_containing(cycle, zone, since)
    if periods:
        assert periods[0] == first
        assert periods[-1].end <= as_of
        assert all(a.end == b.start for a, b in itertools.pairwise(periods))
        upcoming = period_containing(cycle, zone, periods[-1].end)
    else:
        upcoming = first
    assert upcoming.end > as_of
