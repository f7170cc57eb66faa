"""Local clocks for the contact rules: zones, local dates, and the instants where they turn.

The contact rules speak in the consumer's local time (8 a.m. to 9 p.m., calendar days for
Regulation F), while calls are stored in UTC. These helpers do the conversions once, so the
rules never add 24 hours where a day has 23 or 25.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

# The zones a US number or address may be in when nothing better is known. Phoenix is
# listed apart from Denver because Arizona keeps standard time all year: in summer its
# clock matches Los Angeles, in winter Denver.
CONTIGUOUS_US_ZONES: tuple[str, ...] = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
)


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_date(at: datetime, zone_name: str) -> date:
    return at.astimezone(zone(zone_name)).date()


class DateSpan(NamedTuple):
    """The local dates an instant falls on across several zones, first to last."""

    first: date
    last: date


def date_span(at: datetime, zone_names: Iterable[str]) -> DateSpan:
    """The dates `at` falls on in these zones. Read as a span, a date has begun at `at`
    when it has begun in any of the zones and has ended only when it has ended in all."""
    dates = [local_date(at, z) for z in zone_names]
    return DateSpan(min(dates), max(dates))


def local_dates(start: datetime, end: datetime, zone_name: str) -> Iterator[date]:
    """Every local date from the one holding `start` to the one holding `end`, inclusive."""
    day = local_date(start, zone_name)
    last = local_date(end, zone_name)
    while day <= last:
        yield day
        day += timedelta(days=1)


# The search for the next lawful moment asks for the same few weeks of local clocks over
# and over (every check of a claim, every zone of a person).
@lru_cache(maxsize=1 << 14)
def instants_of(day: date, clock: time, zone_name: str) -> frozenset[datetime]:
    """The UTC instants at which the local clock in `zone_name` reads `clock` on `day`.

    Both folds are returned, so an hour repeated when clocks go back yields two instants;
    a time skipped when clocks go forward yields instants an hour either side of the jump.
    """
    tz = zone(zone_name)
    return frozenset(
        datetime.combine(day, clock, tzinfo=tz).replace(fold=fold).astimezone(UTC)
        for fold in (0, 1)
    )
