"""When a new-business file's balances are implausible for the client, so that the client
must confirm them before any account is worked.

A unit mistake (cents sent where the map reads dollars, or a shifted decimal point) moves
every balance of a file by a factor of 100; a consumer dunned for 100× the debt is
harmed whatever the cause. The agency's own rule, not a regulation: hold the file when its
median balance is more than HOLD_MEDIAN_FACTOR times the median of the client's loaded
accounts; with no history to compare with (the client's first file), when any balance is
above the client's `max_plausible_balance_cents`. Demanding an amount not owed is what
15 U.S.C. 1692f(1) and 1692e(2)(A) forbid; holding is how we avoid it here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

HOLD_MEDIAN_FACTOR: Final = 20


@dataclass(frozen=True, slots=True)
class BalanceFacts:
    """A file's placed balances against the client's. Medians may be halves of a cent."""

    median_cents: Decimal | None  # of the file's accounts; None if it placed none
    largest_cents: int | None
    history_median_cents: Decimal | None  # of the client's loaded accounts; None if none


def _dollars(cents: Decimal | int) -> str:
    return f"${Decimal(cents) / 100:,.2f}"


def hold_reason(facts: BalanceFacts, max_plausible_balance_cents: int) -> str | None:
    """Why the file must wait for the client's confirmation, or None to load it."""
    if facts.median_cents is None or facts.largest_cents is None:
        return None
    if facts.history_median_cents is not None:
        if facts.median_cents > HOLD_MEDIAN_FACTOR * facts.history_median_cents:
            return (
                f"the median balance of this file, {_dollars(facts.median_cents)}, is more than"
                f" {HOLD_MEDIAN_FACTOR} times the median of your accounts with us,"
                f" {_dollars(facts.history_median_cents)}"
            )
        return None
    if facts.largest_cents > max_plausible_balance_cents:
        return (
            f"a balance of {_dollars(facts.largest_cents)} in your first file is above your"
            f" plausible maximum of {_dollars(max_plausible_balance_cents)}"
        )
    return None
