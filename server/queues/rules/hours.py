"""Calling hours and the consumer's place: when a call is at a convenient time.

The hours hold in every zone the consumer may be in (`zones_considered`); the times the
consumer said are inconvenient hold on their own clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, time

from server.queues.local_time import CONTIGUOUS_US_ZONES, zone
from server.queues.rules.facts import Consumer, InconvenientTime

# 12 CFR 1006.6(b)(1)(i): absent knowledge to the contrary, a convenient time is after
# 8:00 a.m. and before 9:00 p.m. at the consumer's location. Read as the half-open
# [08:00, 21:00): the industry (and our dialer) treats 08:00:00 as the first lawful second.
CALLING_HOURS_START = time(8, 0)
CALLING_HOURS_END = time(21, 0)


def zones_considered(consumer: Consumer, e164: str) -> tuple[str, ...]:
    """Every zone the consumer may be in when called on `e164`; the rules hold in each.

    12 CFR 1006.6(b)(1)(i) and its commentary: when the collector has conflicting or
    uncertain information on the consumer's location, a time is convenient only if it is
    convenient in every location the consumer may be. With addresses (every client's the
    agency holds), all their zones and the dialed number's; without one, the zones of
    every number on file for the person (the dialed one may not be where they are). A
    number that says nothing about place (toll-free, non-geographic: no zones) adds none;
    a number not on file may ring anywhere in the contiguous US; with no zone at all,
    every contiguous-US zone.
    """
    address = consumer.address_zones
    dialed = consumer.phone(e164)
    zones: list[str] = list(address)
    if dialed is None:
        zones += CONTIGUOUS_US_ZONES
    elif address:
        zones += dialed.zones
    if not address:
        zones += (z for p in consumer.phones for z in p.zones)
    return tuple(dict.fromkeys(zones)) or CONTIGUOUS_US_ZONES


def in_calling_hours(at: datetime, zones: Iterable[str]) -> bool:
    return all(
        CALLING_HOURS_START <= at.astimezone(zone(z)).time() < CALLING_HOURS_END for z in zones
    )


def stated_time_zones(consumer: Consumer, zones: tuple[str, ...]) -> tuple[str, ...]:
    """Stated inconvenient times are the consumer's own clock: their homes' (every address
    the agency holds), else every zone they might be in (`zones`)."""
    return consumer.address_zones or zones


def at_inconvenient_time(
    at: datetime, wishes: Sequence[InconvenientTime], zones: Iterable[str]
) -> bool:
    """A stated time holds on the clock the consumer named, else on every one of `zones`."""
    home = tuple(zones)
    return any(
        wish.holds(at.astimezone(zone(z)))
        for wish in wishes
        for z in ((wish.zone,) if wish.zone else home)
    )
