"""Remittance periods (DESIGN.md "Remittance").

Periods are calendar periods ending at 00:00 in the agency's time zone — daily, weekly
(ending Monday 00:00) or monthly (ending on the 1st 00:00) — whatever the date a client
was set up, so history brought from an earlier system falls in the periods it belongs to.
They are computed on local calendar dates and only then turned into instants, so a day is
23 or 25 hours long across a DST change and a period never drifts by an hour.

A period is half-open, [start, end): a movement at exactly 00:00 belongs to the period
that starts then. Its bounds are aware UTC datetimes, as every timestamp we store.

There is no clock here: refusing a run "as of" a moment in the future is the service's
check, made against its own `now` before it calls `periods_ended_by`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

MONDAY = 0
"""`date.weekday()` of the day a weekly period starts (and the previous one ends)."""


class RemittanceCycle(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


@dataclass(frozen=True, slots=True)
class Period:
    start: datetime
    end: datetime


def start_of_day(day: date, agency_tz: str) -> datetime:
    """The instant (UTC) the agency's day `day` begins.

    Where a DST change falls at midnight (America/Santiago, say) 00:00 may not exist or
    may happen twice; zoneinfo's fold=0 then reads it with the offset in force before the
    change, which is the first instant of the day in both cases.
    """
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(agency_tz)).astimezone(UTC)


def _first_day(cycle: RemittanceCycle, day: date) -> date:
    if cycle is RemittanceCycle.DAILY:
        return day
    if cycle is RemittanceCycle.WEEKLY:
        return day - timedelta(days=(day.weekday() - MONDAY) % 7)
    return day.replace(day=1)


def _first_day_after(cycle: RemittanceCycle, first_day: date) -> date:
    if cycle is RemittanceCycle.DAILY:
        return first_day + timedelta(days=1)
    if cycle is RemittanceCycle.WEEKLY:
        return first_day + timedelta(days=7)
    return (first_day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _local_date(moment: datetime, agency_tz: str) -> date:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a moment must be timezone-aware, not {moment!r}")
    return moment.astimezone(ZoneInfo(agency_tz)).date()


def period_containing(cycle: RemittanceCycle, agency_tz: str, moment: datetime) -> Period:
    first = _first_day(cycle, _local_date(moment, agency_tz))
    after = _first_day_after(cycle, first)
    return Period(start_of_day(first, agency_tz), start_of_day(after, agency_tz))


def periods_ended_by(
    cycle: RemittanceCycle, agency_tz: str, since: datetime, as_of: datetime
) -> list[Period]:
    """Every period that has ended by `as_of` (end <= as_of) and ends after `since`, in order.

    `since` is the client's earliest movement not yet on a statement; the batch issues a
    statement for each of these periods that has none yet and holds something, so a
    missed night is caught up the next.
    """
    _local_date(as_of, agency_tz)
    periods: list[Period] = []
    period = period_containing(cycle, agency_tz, since)
    while period.end <= as_of:
        periods.append(period)
        # A period's end is the next one's start, the first instant of its first day.
        period = period_containing(cycle, agency_tz, period.end)
    return periods
