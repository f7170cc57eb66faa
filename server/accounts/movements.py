"""Money movements on an account's balance, and the status each leaves the account in.

Pure: the service applies the movement and records the change this decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from server.accounts.statuses import OPEN, AccountStatus


@dataclass(frozen=True)
class BalanceChange:
    balance_before_cents: int
    balance_after_cents: int
    status_before: AccountStatus
    status_after: AccountStatus


class MoneyAction(StrEnum):
    """What moves an account's balance; each names its status changes and audit lines."""

    PAYMENT = "payment"
    REVERSAL = "reversal"
    # The rest of a paid settlement's balance written off.
    SETTLEMENT = "settlement"
    # The client changed the balance (a financial file's adjustment).
    ADJUSTMENT = "adjustment"


# Paid off while being worked: the account is paid in full. A recalled or closed account
# keeps its status (the money is recorded all the same); a settled one already is done.
PAID_OFF_FROM = OPEN
# A reversal that leaves something owing undoes the payoff (or the settlement).
REOPENED_FROM = frozenset({AccountStatus.PAID_IN_FULL, AccountStatus.SETTLED_IN_FULL})


def status_after(action: MoneyAction, current: AccountStatus, balance_cents: int) -> AccountStatus:
    if action == MoneyAction.SETTLEMENT:
        # Settled whatever is left; a recalled or closed account keeps its status, as a
        # payment leaves it.
        return AccountStatus.SETTLED_IN_FULL if current in OPEN | REOPENED_FROM else current
    if balance_cents == 0 and current in PAID_OFF_FROM:
        return AccountStatus.PAID_IN_FULL
    if balance_cents > 0 and current in REOPENED_FROM:
        return AccountStatus.ACTIVE
    return current
