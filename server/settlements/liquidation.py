"""A client's liquidation curve per vintage, from the money each vintage took in each
calendar month. Pure: the reporting service reads the months from the database."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from server.settlements.schemas import VintageRead

if TYPE_CHECKING:
    import asyncpg


def months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def liquidation_curves(
    rows: Iterable[Mapping[str, Any] | asyncpg.Record], this_month: date
) -> list[VintageRead]:
    """`rows` as `liquidation_by_vintage` gives them (per vintage, oldest first, one row per
    month with money, `month` None for a vintage without any): each vintage's curve runs
    from its month to `this_month`, the first of the agency's current month."""
    vintages: dict[date, VintageRead] = {}
    for row in rows:
        vintage: date = row["vintage"]
        found = vintages.get(vintage)
        if found is None:
            months = max(months_between(vintage, this_month), 0) + 1
            found = vintages[vintage] = VintageRead(
                vintage, row["accounts"], int(row["placed_cents"]), [0] * months
            )
        if row["month"] is None:
            continue
        # Money received before the account reached us (history brought with it) counts
        # in the month it was placed.
        since = min(max(months_between(vintage, row["month"]), 0), len(found.collected_cents) - 1)
        for later in range(since, len(found.collected_cents)):
            found.collected_cents[later] += int(row["collected_cents"])
    return list(vintages.values())
