"""Fee, remittance-line and statement arithmetic, and clearing dates (DESIGN.md "settlements/").

Everything here is integer cents and integer basis points; no float, no Decimal (integer
division is exact enough: the only rounding is the fee's half-up to the cent).

The remittance batch computes a statement's lines set-based in SQL
(remittance/repository.py); the functions here are the reference those queries are tested
against:

- a line's columns are `line_for_payment` / `reversal_of` written as SQL expressions
  (`(amount * bps + 5000) / 10000` is the same integer for the non-negative amounts the
  fee is computed on, since PostgreSQL's integer division truncates toward zero);
- `statement_lines` is which movements get a line and which are withdrawn;
- `statement_totals` is `SUM(gross)`, `SUM(fee)`, `SUM(net)` over the lines plus the
  carry, so a `GROUP BY` over the stored lines must equal it to the cent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

from server.kit.business_days import add_business_days

BPS_PER_WHOLE = 10_000
"""A rate of 10,000 basis points is 100 %."""

HALF_A_CENT = BPS_PER_WHOLE // 2
"""Added before the floor division so the fee rounds half-up to the cent (DESIGN.md)."""

PaidTo = Literal["agency", "client"]
"""Who received a payment, as the API names it (`paid_to`)."""


def fee_cents(amount_cents: int, rate_bps: int) -> int:
    """The agency's contingency fee on a payment: half-up to the cent.

    Only payments are charged a fee, so a negative amount is refused rather than given a
    rounding rule: a reversal never recomputes its fee, it copies the original line with
    the opposite sign (`reversal_of`), so that what the agency gives back is exactly what
    it kept even if the client's rate has changed since.
    """
    if amount_cents < 0:
        raise ValueError(f"a fee is computed on a payment, not on {amount_cents} cents")
    if not 0 <= rate_bps <= BPS_PER_WHOLE:
        raise ValueError(f"a fee rate must be between 0 and {BPS_PER_WHOLE} bps, not {rate_bps}")
    return (amount_cents * rate_bps + HALF_A_CENT) // BPS_PER_WHOLE


class LineKind(StrEnum):
    AGENCY_PAYMENT = "agency_payment"
    DIRECT_PAYMENT = "direct_payment"
    REVERSAL = "reversal"


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One money movement on a client's statement; every amount is signed.

    - `collected_cents`: what the debtor paid, to the agency or straight to the client
      (negative when the bank took it back);
    - `gross_cents`: the part of it the agency holds for the client — the whole payment
      when paid to the agency, nothing when paid to the client;
    - `fee_cents`: the agency's fee;
    - `net_cents`: what the client is owed for it once the fee is kept, `gross - fee`; a
      direct payment's is `-fee`, the fee the client owes the agency.
    """

    kind: LineKind
    collected_cents: int
    gross_cents: int
    fee_cents: int
    net_cents: int

    def __post_init__(self) -> None:
        # The identity the net and gross methods reconcile on (93.33 - 43.00 = 50.33).
        if self.net_cents != self.gross_cents - self.fee_cents:
            raise ValueError(f"net must be gross - fee: {self}")


def line_for_payment(amount_cents: int, rate_bps: int, paid_to: PaidTo) -> StatementLine:
    """The line of a cleared payment, at the fee rate locked when the account was placed."""
    if amount_cents <= 0:
        raise ValueError(f"a payment is a positive amount, not {amount_cents} cents")
    fee = fee_cents(amount_cents, rate_bps)
    if paid_to == "agency":
        return StatementLine(
            LineKind.AGENCY_PAYMENT, amount_cents, amount_cents, fee, amount_cents - fee
        )
    # Paid straight to the client: the agency holds nothing to remit, the client owes the fee.
    return StatementLine(LineKind.DIRECT_PAYMENT, amount_cents, 0, fee, -fee)


def reversal_of(line: StatementLine) -> StatementLine:
    """The line of a reversal (NSF, chargeback) of a payment already on a statement.

    It copies the original line with the opposite sign, never recomputes it (DESIGN.md):
    the client returns the net it was remitted and the agency gives up the fee it kept;
    for a reversed direct payment the fee the client was charged is credited back.
    """
    if line.kind is LineKind.REVERSAL:
        raise ValueError("a reversal is of a payment, not of another reversal")
    return StatementLine(
        LineKind.REVERSAL,
        -line.collected_cents,
        -line.gross_cents,
        -line.fee_cents,
        -line.net_cents,
    )


@dataclass(frozen=True, slots=True)
class ClearedPayment:
    """A payment that cleared before the period's end and is on no statement yet."""

    payment_id: str
    amount_cents: int
    rate_bps: int
    paid_to: PaidTo


@dataclass(frozen=True, slots=True)
class Reversal:
    """A reversal returned before the period's end and on no statement yet."""

    reversal_id: str
    payment_id: str


def statement_lines(
    cleared: Iterable[ClearedPayment],
    reversals: Iterable[Reversal],
    issued_lines: Mapping[str, StatementLine],
) -> list[tuple[str, StatementLine]]:
    """The lines of one statement, each with the id of its movement (payment or reversal).

    `issued_lines` holds, by payment id, the lines of payments already on an issued
    statement (at least those of the payments in `reversals`).

    A reversal of a payment on a statement copies its line; a reversal of a payment on no
    statement withdraws it, and neither appears (DESIGN.md). A reversal only counts
    against the period it was returned in, so a late run issues the same lines as one on
    time; the withdrawal is stable, as a later run again finds the payment reversed and
    the reversal's payment on no statement.
    """
    reversed_ids: set[str] = set()
    reversal_lines: list[tuple[str, StatementLine]] = []
    for reversal in reversals:
        if reversal.payment_id in reversed_ids:
            raise ValueError(f"payment {reversal.payment_id} is reversed twice")
        reversed_ids.add(reversal.payment_id)
        original = issued_lines.get(reversal.payment_id)
        if original is not None:
            reversal_lines.append((reversal.reversal_id, reversal_of(original)))
    payment_lines: list[tuple[str, StatementLine]] = []
    for payment in cleared:
        if payment.payment_id in issued_lines:
            raise ValueError(f"payment {payment.payment_id} is already on a statement")
        if payment.payment_id not in reversed_ids:
            line = line_for_payment(payment.amount_cents, payment.rate_bps, payment.paid_to)
            payment_lines.append((payment.payment_id, line))
    return payment_lines + reversal_lines


class RemittanceMethod(StrEnum):
    NET = "net"
    """The fee is kept off the top: the client is remitted the net."""
    GROSS = "gross"
    """Everything is remitted and the fee invoiced."""


@dataclass(frozen=True, slots=True)
class StatementTotals:
    """A statement's totals as a bookkeeper reads them.

    The sums over the lines (`collected`, `gross`, `fees`, `net`) are the period's own;
    `carried_in_cents` (never positive) is what the client still owed from its previous
    statement. What is remitted is this period's amount plus the carry — the net for the
    net method, the gross for the gross method — when positive; when negative it is due
    from the client and carried to its next statement (`carried_out_cents`), never lost.

    `invoiced_fees_cents` is the fee invoice of a gross client (nothing for a net client,
    whose fees were kept off the top). It is issued as it is: a negative invoice is a
    credit note, the fee the agency gives back on reversed payments, and the client's
    money carried forward stays the remittance's alone.
    """

    method: RemittanceMethod
    collected_cents: int
    gross_cents: int
    fees_cents: int
    net_cents: int
    carried_in_cents: int
    remit_cents: int
    carried_out_cents: int
    invoiced_fees_cents: int


def statement_totals(
    lines: Iterable[StatementLine], method: RemittanceMethod, carried_in_cents: int = 0
) -> StatementTotals:
    if carried_in_cents > 0:
        raise ValueError("only what the client owes is carried: carried_in_cents must be <= 0")
    lines = list(lines)
    collected = sum(line.collected_cents for line in lines)
    gross = sum(line.gross_cents for line in lines)
    fees = sum(line.fee_cents for line in lines)
    net = sum(line.net_cents for line in lines)
    owed = (net if method is RemittanceMethod.NET else gross) + carried_in_cents
    return StatementTotals(
        method=method,
        collected_cents=collected,
        gross_cents=gross,
        fees_cents=fees,
        net_cents=net,
        carried_in_cents=carried_in_cents,
        remit_cents=max(owed, 0),
        carried_out_cents=min(owed, 0),
        invoiced_fees_cents=fees if method is RemittanceMethod.GROSS else 0,
    )


def cleared_on(received_on: date, hold_business_days: int) -> date:
    """The date a payment clears: received + the client's hold for its method, in business
    days (weekends and US federal holidays do not count, as at the banks)."""
    return add_business_days(received_on, hold_business_days)


# --- an account's running balance -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Step:
    """One movement of an account's balance, as `running_balances` reads it: `kind` is
    "payment", "reversal" or an adjustment's kind; `amount_cents` as stored (a payment's
    and a reversal's positive, an adjustment's signed)."""

    kind: str
    amount_cents: int


@dataclass(frozen=True, slots=True)
class Balance:
    before_cents: int
    after_cents: int


def running_balances(start_cents: int, steps: Iterable[Step]) -> list[Balance]:
    """The balance before and after each movement, taken in the order given (the order
    they took effect), by the rules that post them: a payment pays the balance down to
    zero and the rest is credit due back to the debtor; a reversal takes back that credit
    first and puts the rest back on the balance; an adjustment (a write-off, its undoing,
    a client's change) moves the balance, never below zero.

    Posted in that order, these are the figures stored at posting. A movement posted out
    of order (a payment received before one already recorded) is read in its place, so
    every "balance after" fits the list it is shown in."""
    balance, credit = start_cents, 0
    out: list[Balance] = []
    for step in steps:
        before = balance
        if step.kind == "payment":
            applied = min(step.amount_cents, max(balance, 0))
            balance -= applied
            credit += step.amount_cents - applied
        elif step.kind == "reversal":
            removed = min(step.amount_cents, max(credit, 0))
            credit -= removed
            balance += step.amount_cents - removed
        else:
            balance = max(balance + step.amount_cents, 0)
        out.append(Balance(before, balance))
    return out
