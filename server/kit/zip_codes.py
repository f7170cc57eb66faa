"""US ZIP codes with their state and time zone, from the `zipcodes` package's data: what a
client's file and a collector's typed address are both read against."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import zipcodes


@cache
def zip_table() -> dict[str, tuple[str, str | None]]:
    """ZIP5 -> (state, IANA zone or None), built once: zipcodes.matching scans a list."""
    valid_zones: dict[str, str | None] = {}
    table: dict[str, tuple[str, str | None]] = {}
    for entry in zipcodes.list_all():  # type: ignore[no-untyped-call]
        zone = entry["timezone"]
        if zone not in valid_zones:
            try:
                ZoneInfo(zone)
                valid_zones[zone] = zone
            except (ZoneInfoNotFoundError, ValueError):
                valid_zones[zone] = None  # "" for military ZIPs, and a stray town name
        table[entry["zip_code"]] = (entry["state"], valid_zones[zone])
    return table
