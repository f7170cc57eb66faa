"""The one place that reads the clock and knows the agency's calendar.

Every other module asks here for "now" and "the agency's today", so that a pinned-clock
run (the whole machine's clock started elsewhere with faketime) moves all of them at
once, and no two parts of the server disagree about which day it is. ruff's banned-api
rule forbids reading the clock anywhere else in `server/` and `client_portal/`.

Durations (timeouts, deadlines of a retry loop) use `time.monotonic()`, which is not a
reading of the date and stays allowed everywhere.

Tests move this process's clock with `running_from(instant)` (the clock then runs on from
there, never frozen); other processes' clocks move only with the whole machine's
(faketime, scripts/pinned_clock.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.kit.errors import InvalidInput

# Before this, a time a caller sends is a typing error rather than history from an earlier
# system; it also keeps time zone arithmetic in range (year 1 at +14:00 has no UTC date).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


# How far this process's clock stands from the machine's: zero but inside `running_from`.
_offset = timedelta(0)


def now() -> datetime:
    """The current moment, timezone-aware UTC: what storage holds."""
    return datetime.now(UTC) + _offset  # noqa: TID251 - the one reader of the clock


@contextmanager
def running_from(instant: datetime) -> Iterator[None]:
    """This process's clock started at `instant` for the block, running on from there."""
    global _offset
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"an instant must be timezone-aware, not {instant!r}")
    before = _offset
    _offset = instant - datetime.now(UTC)  # noqa: TID251 - the one reader of the clock
    try:
        yield
    finally:
        _offset = before


def agency_zone() -> ZoneInfo:
    """The agency's own time zone (remittance periods, the agency's business day)."""
    from server.kit.settings import get_settings

    return ZoneInfo(get_settings().agency_timezone)


def local_date(moment: datetime, zone: str | ZoneInfo) -> date:
    """The calendar date of `moment` in `zone`; a naive moment is refused, since its
    date would depend on the machine's own zone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a moment must be timezone-aware, not {moment!r}")
    return moment.astimezone(ZoneInfo(zone) if isinstance(zone, str) else zone).date()


def agency_date(moment: datetime) -> date:
    """The agency's calendar date of `moment`."""
    return local_date(moment, agency_zone())


def agency_today() -> date:
    """Today in the agency's time zone: the one answer to "which day is it"."""
    return agency_date(now())


def start_of_day(day: date, zone: str | ZoneInfo) -> datetime:
    """The instant (UTC) `day` begins in `zone`.

    Where a DST change falls at midnight (America/Santiago, say) 00:00 may not exist or
    may happen twice; zoneinfo's fold=0 then reads it with the offset in force before the
    change, which is the first instant of the day in both cases.
    """
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    return datetime.combine(day, time.min, tz).astimezone(UTC)


def refuse_outside(field: str, moment: datetime, latest: datetime, reason: str) -> None:
    """A time a caller sent, refused (422 naming `field`) before EARLIEST or after `latest`
    (the route's own range, e.g. now), before any arithmetic could overflow on it."""
    if moment < EARLIEST:
        raise InvalidInput.field(field, f"must not be before {EARLIEST.date()}")
    if moment > latest:
        raise InvalidInput.field(field, reason)
