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
from datetime import date, datetime, timedelta
from enum import StrEnum

from server.kit.clock import local_date, start_of_day

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


def period_containing(cycle: RemittanceCycle, agency_tz: str, moment: datetime) -> Period:
    first = _first_day(cycle, local_date(moment, agency_tz))
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
    local_date(as_of, agency_tz)
    periods: list[Period] = []
    period = period_containing(cycle, agency_tz, since)
    while period.end <= as_of:
        periods.append(period)
        # A period's end is the next one's start, the first instant of its first day.
        period = period_containing(cycle, agency_tz, period.end)
    return periods


def _day(day: date, *, year: bool = True) -> str:
    return f"{day:%b} {day.day}, {day.year}" if year else f"{day:%b} {day.day}"


def period_label(start: datetime, end: datetime, agency_tz: str) -> str:
    """A period as a bookkeeper names it, in the agency's local dates: "November 2026" for
    a calendar month, "Nov 23 – Nov 29, 2026" for a week, "Nov 23, 2026" for a day (the
    end is the midnight that closes the period, so the last day is the one before)."""
    first = local_date(start, agency_tz)
    last = local_date(end - timedelta(microseconds=1), agency_tz)
    if first.day == 1 and _first_day_after(RemittanceCycle.MONTHLY, first) == last + timedelta(
        days=1
    ):
        return f"{first:%B} {first.year}"
    if first == last:
        return _day(first)
    if first.year == last.year:
        return f"{_day(first, year=False)} – {_day(last)}"
    return f"{_day(first)} – {_day(last)}"


def day_label(day: date) -> str:
    """A local date as people read it: "Nov 3, 2026"."""
    return _day(day)
