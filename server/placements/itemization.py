"""The validation notice's itemization as a new-business row states it (12 CFR
1006.34(b)(3), (c)(2)(iii)-(viii)): the itemization date, the amount owed on it, the
interest, fees, payments and credits since, the creditor on that date and the one owed
now. Pure and per row, like `normalize`.

Rules:
- A row states an itemization when it gives any of its date or amounts; then the amount
  owed on the itemization date (`itemization_balance_cents`) is required, and interest,
  fees and payments since left empty are 0: an itemization cannot be made from part of
  one. A row that gives none has no itemization of its own (the notice then reads the
  account's principal, interest and fees: `letters.service.notice_data`).
- Its date is the row's `itemization_date`, else the date the client's itemization date
  kind names (`charge_off` → the charge-off date, `last_payment` → the last payment
  date). A row with an itemization and no date is refused; so is a date after today.
- It must reconcile to the balance placed, to the cent: amount on the date + interest +
  fees − payments and credits since = principal + interest + fees of the row
  (1006.34(c)(2)(viii): the current amount is the result of the itemization).
- The creditors are text, kept as given (each within its column's width).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final

from server.kit.dollars import dollars
from server.placements.rows import NEGATIVE, Problem, future_date

# The client's itemization date kinds (clients.schemas.ItemizationDate) that are columns
# the account keeps; the others come only from the row's `itemization_date`.
_KIND_COLUMNS: Final = {"charge_off": "charge_off_date", "last_payment": "last_payment_date"}

AMOUNT_NEEDED: Final = Problem(
    "itemization_incomplete",
    "is required when the row gives any part of the itemization (its date, or interest,"
    " fees or payments since it)",
)


def no_date(kind: str | None) -> Problem:
    if kind in _KIND_COLUMNS:
        said = f"your itemization date is the {kind.replace('_', '-')} date, which this row lacks"
    else:
        said = "give the date the amounts are stated at"
    return Problem("itemization_incomplete", f"is required for the itemization: {said}")


def does_not_reconcile(stated: int, placed: int) -> Problem:
    return Problem(
        "itemization_does_not_reconcile",
        f"the itemization adds up to {dollars(stated)}, not the balance placed"
        f" ({dollars(placed)}): amount on the date + interest + fees − payments and credits"
        " since must equal principal + interest + fees",
    )


@dataclass(frozen=True, slots=True)
class Itemization:
    on: date
    balance_cents: int
    interest_cents: int
    fees_cents: int
    payments_cents: int

    @property
    def current_cents(self) -> int:
        return self.balance_cents + self.interest_cents + self.fees_cents - self.payments_cents


@dataclass(frozen=True, slots=True)
class StatedItemization:
    """A row's itemization cells, parsed (None: the cell was empty)."""

    on: date | Problem | None
    balance: int | Problem | None
    interest: int | Problem | None
    fees: int | Problem | None
    payments: int | Problem | None


def read_itemization(
    cells: StatedItemization,
    kind: str | None,
    dates_by_column: Mapping[str, date],
    placed_cents: int | None,
    today: date,
    errors: list[tuple[str, Problem]],
) -> Itemization | None:
    """The row's itemization, or None when it states none; its problems into `errors`.
    `dates_by_column` holds the row's charge-off and last payment dates (parsed);
    `placed_cents` the balance placed (None when the row's own amounts are wrong)."""
    parts = {
        "itemization_balance_cents": cells.balance,
        "interest_since_itemization_cents": cells.interest,
        "fees_since_itemization_cents": cells.fees,
        "payments_since_itemization_cents": cells.payments,
    }
    if all(value is None for value in parts.values()) and cells.on is None:
        return None
    found = len(errors)
    for field, value in parts.items():
        if isinstance(value, Problem):
            errors.append((field, value))
        elif value is not None and value < 0:
            errors.append((field, NEGATIVE))
    if cells.balance is None:
        errors.append(("itemization_balance_cents", AMOUNT_NEEDED))
    on = cells.on
    if on is None and kind in _KIND_COLUMNS:
        on = dates_by_column.get(_KIND_COLUMNS[kind])
    if on is None:
        errors.append(("itemization_date", no_date(kind)))
    elif isinstance(on, Problem):
        errors.append(("itemization_date", on))
    elif on > today:
        errors.append(("itemization_date", future_date(on)))
    if len(errors) > found or not isinstance(on, date):
        return None
    amounts = [v if isinstance(v, int) else 0 for v in parts.values()]
    itemization = Itemization(on, *amounts)
    if placed_cents is not None and itemization.current_cents != placed_cents:
        errors.append(
            (
                "itemization_balance_cents",
                does_not_reconcile(itemization.current_cents, placed_cents),
            )
        )
        return None
    return itemization
