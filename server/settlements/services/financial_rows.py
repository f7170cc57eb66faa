"""A client's financial file: its rows applied (direct payments, balance adjustments,
reversals of direct payments) and acknowledged.

Placements loads the file and hands the rows to `apply_financial_rows`; the composition
root registers this module's functions as the financial files' row owner
(`FINANCIAL_ROW_OWNER`, made of `apply_financial_rows`, `ACKNOWLEDGEMENT_COLUMNS` and
`financial_acknowledgement`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import asyncpg

from server.accounts import service as accounts
from server.accounts.statuses import LEFT_COLLECTION
from server.auth.principal import SYSTEM
from server.clients.schemas import PaymentMethod
from server.kit import clock, db
from server.kit.clock import start_of_day
from server.kit.db import width
from server.kit.errors import DomainError, FieldError, InvalidInput
from server.kit.settings import get_settings
from server.placements.file_changes import FinancialRow
from server.placements.row_owners import RowOwner
from server.placements.rows import RowError
from server.settlements.errors import PaymentAlreadyReversed
from server.settlements.repositories import financial_rows as repository
from server.settlements.repositories import offers as offer_repository
from server.settlements.repositories import payments as payment_repository
from server.settlements.schemas import PaidTo, PaymentCreate
from server.settlements.services import offers, payments, reversals
from server.settlements.tables import ClientTransaction, Payment

# The acknowledgement's columns, one per value `financial_acknowledgement` yields.
ACKNOWLEDGEMENT_COLUMNS = (
    "line", "client_account_number", "transaction_type", "transaction_id", "account_id",
    "movement_id", "amount_cents", "balance_after_cents",
)  # fmt: skip


def _row_refused(field: str, code: str, reason: str) -> InvalidInput:
    return InvalidInput(f"{field}: {reason}", code=code, details=[FieldError(field, reason)])


async def _file_reversal(
    client_id: UUID, account: asyncpg.Record, row: FinancialRow
) -> tuple[UUID, UUID]:
    """The reversal of a direct payment an earlier row (of this file or another) reported:
    (payment id, reversal id)."""
    assert row.original_transaction_id is not None
    original = await repository.client_transaction_by_id(client_id, row.original_transaction_id)
    if original is None or original["kind"] != "payment":
        raise _row_refused(
            "original_transaction_id", "not_found",
            "no direct payment with this transaction id was reported by this client",
        )  # fmt: skip
    payment = await payment_repository.payment(original["payment_id"])
    assert payment is not None
    if payment["account_id"] != account["id"]:
        raise _row_refused(
            "original_transaction_id", "account_mismatch", "the payment is on another account"
        )
    if payment["reversal_id"] is not None:
        raise _row_refused(
            "original_transaction_id",
            PaymentAlreadyReversed.code,
            "the payment is already reversed",
        )
    if row.amount_cents != payment["amount_cents"]:
        reason = f"must be the reversed payment's amount ({payment['amount_cents']} cents)"
        raise _row_refused("amount_cents", "amount_mismatch", reason)
    if row.transaction_date < payment["received_on"]:
        reason = f"must not be before the payment was received ({payment['received_on']})"
        raise _row_refused("transaction_date", "invalid_date", reason)
    # The bank returned the money on that day: the reversal belongs to its period.
    returned_at = start_of_day(row.transaction_date, get_settings().agency_timezone)
    reason = row.reason or "returned, as reported in the client's financial file"
    reversal = await reversals.record_reversal(SYSTEM, payment, account, reason, returned_at)
    return payment["id"], reversal["id"]


async def _apply_financial_row(placement_id: UUID, client_id: UUID, row: FinancialRow) -> None:
    """One row, in one transaction with the ledger line that makes it idempotent."""
    now = clock.now()
    async with db.transaction():
        if await repository.client_transaction_at(placement_id, row.line) is not None:
            # Applied by a worker that died before its batch's counts committed.
            return
        if row.transaction_id is not None:
            seen = await repository.client_transaction_by_id(client_id, row.transaction_id)
            if seen is not None:
                reason = (
                    f"already reported on line {seen['line']} of placement {seen['placement_id']}"
                )
                raise _row_refused("transaction_id", "duplicate_transaction", reason)
        account = await accounts.lock_client_account(client_id, row.client_account_number)
        if account is None:
            raise _row_refused(
                "client_account_number", "not_found",
                "no account with this number is placed with the agency for this client",
            )  # fmt: skip
        ledger: dict[str, Any] = {
            "client_id": client_id, "placement_id": placement_id, "line": row.line,
            "transaction_id": row.transaction_id, "kind": row.transaction_type,
            "account_id": account["id"],
        }  # fmt: skip
        if row.transaction_type == "payment":
            # A payment after a recall or close is recorded like the API's, flagged, and
            # remitted; the account has no offer any more (withdrawn as it left).
            offer_id = await offer_repository.accepted_offer_of(account["id"])
            offer = (
                None if offer_id is None else await offers.payable_offer(account["id"], offer_id)
            )
            payment = PaymentCreate(
                amount_cents=row.amount_cents, method=PaymentMethod(row.payment_method),
                paid_to=PaidTo.CLIENT, received_at=row.transaction_date.isoformat(),
                processor_reference=row.transaction_id, notes=row.reason, offer_id=offer_id,
            )  # fmt: skip
            ledger["payment_id"] = await payments.record_payment(
                SYSTEM, account, payment, row.transaction_date, now, offer=offer
            )
        elif row.transaction_type == "adjustment" and account["status"] in LEFT_COLLECTION:
            reason = f"the account is {account['status']}: its balance is the client's again"
            raise _row_refused("client_account_number", "account_left_collection", reason)
        elif row.transaction_type == "adjustment":
            ledger["adjustment_id"] = await reversals.record_adjustment(
                SYSTEM, account, row.amount_cents, reason=row.reason,
                effective_on=row.transaction_date, at=now,
            )  # fmt: skip
        else:
            ledger["payment_id"], ledger["reversal_id"] = await _file_reversal(
                client_id, account, row
            )
        try:
            await repository.insert_client_transaction(ledger)
        except asyncpg.UniqueViolationError:
            # Another file of the client's with the same transaction id committed first.
            raise _row_refused(
                "transaction_id", "duplicate_transaction", "already reported by this client"
            ) from None


async def apply_financial_rows(
    placement_id: UUID, client_id: UUID, rows: list[FinancialRow]
) -> list[RowError]:
    """The rows of a client's financial file, checked by the loader: direct payments,
    balance adjustments and reversals of direct payments, each through the same code as
    the API's payments and reversals (balance, status, audit, offers) and each in its own
    transaction with its `client_transaction` line. One error per row refused.

    Row by row, not set-based like the other files: each row moves money under its
    account's lock, and financial files are a client's day of transactions, not its book.
    Idempotent per (placement, line): a row applied before a worker died is skipped."""
    refused: list[RowError] = []
    for row in rows:
        try:
            await _apply_financial_row(placement_id, client_id, row)
        except DomainError as error:
            detail = error.details[0] if error.details else FieldError("", error.message)
            refused.append(RowError(row.line, "", detail.field, error.code, detail.reason))
    return refused


async def financial_acknowledgement(placement_id: UUID) -> AsyncIterator[list[Any]]:
    """A financial placement's acknowledgement rows: each row applied and its movement."""
    after = 0
    while batch := await repository.client_transactions_after(placement_id, after, 5000):
        # The caller of the acknowledgement was checked against the placement's client.
        account_ids = list({r["account_id"] for r in batch})
        numbers = await accounts.account_numbers(SYSTEM, account_ids)
        # The balance each movement left as the account's payments list has it: the
        # running balance in the order things took effect, not as posted.
        running = await payments.ledgers_of(account_ids)
        for r in batch:
            balance = running[r["account_id"]].by_cause[r["movement_id"]]
            yield [
                r["line"], numbers[r["account_id"]], r["kind"], r["transaction_id"],
                str(r["account_id"]), str(r["movement_id"]), r["amount_cents"],
                balance.after_cents,
            ]  # fmt: skip
        after = batch[-1]["line"]


# Registered for financial files by `server.wiring` at start-up.
FINANCIAL_ROW_OWNER = RowOwner(
    apply=apply_financial_rows,
    acknowledgement_columns=ACKNOWLEDGEMENT_COLUMNS,
    acknowledged=financial_acknowledgement,
    # A transaction id is kept in the ledger and as the payment's reference.
    text_widths={
        "transaction_id": min(
            width(ClientTransaction.transaction_id), width(Payment.processor_reference)
        ),
        "original_transaction_id": width(ClientTransaction.transaction_id),
    },
)
