"""Where a person lives and writes: ZIP codes with their state and time zone, and e-mail
addresses (the rules are in `normalize`'s docstring)."""

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


def normalize_email(raw: str) -> str | None:
    local, at, domain = raw.rpartition("@")
    if (
        not at
        or not 0 < len(local) <= 64
        or len(raw) > 254
        or "@" in local
        or len(raw.split()) != 1
        or "." not in domain
        or "" in domain.split(".")
    ):
        return None
    return local + "@" + domain.lower()
