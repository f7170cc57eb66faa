"""Reversals, and the balance adjustments: the bank taking a payment back (and the
settlement that payment paid undone with it), a client changing a balance."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import asyncpg

from server.accounts import money as account_money
from server.accounts import movements
from server.accounts import service as accounts
from server.audit import service as audit
from server.auth.principal import Principal, Role
from server.kit import clock, db
from server.kit.dollars import dollars
from server.kit.errors import InvalidInput, NotPermitted
from server.kit.mapping import read_as
from server.settlements.errors import PaymentAlreadyReversed
from server.settlements.money import Balance
from server.settlements.repositories import adjustments
from server.settlements.repositories import offers as offer_repository
from server.settlements.repositories import payments as payment_repository
from server.settlements.repositories import reversals as repository
from server.settlements.schemas import OfferStatus, PaidTo, ReversalCreate, ReversalRead
from server.settlements.services import idempotency, payments


def _reversal_read(row: asyncpg.Record, balance: Balance) -> ReversalRead:
    """`balance`: around the reversal and the write-off it undid, as `payment_read`."""
    return read_as(
        ReversalRead,
        row,
        reversal_id=row["id"],
        balance_before_cents=balance.before_cents,
        balance_after_cents=balance.after_cents,
        account_status=row["account_status_after"],
    )


async def reverse_payment(actor: Principal, payment_id: UUID, data: ReversalCreate) -> ReversalRead:
    """Record that the bank took a payment back (NSF, chargeback), once per payment.

    The amount first comes off the credit the account holds for the debtor, and the rest
    goes back onto the balance — so reversing a payment that left a credit removes that
    credit, and reversing an earlier payment while a later one sits as credit turns that
    credit back into payment of the balance. An account left owing again after being
    paid or settled in full reopens as active.

    Who: the agency's admins and supervisors (a reversal undoes collected money; the
    back office records it from the bank's return); a client, for payments made directly
    to it on its own accounts, which only it learns were returned. Collectors may not.
    """
    idempotency.refuse_card_numbers(data)
    payment = await payments.visible_payment(actor, payment_id)
    if actor.role == Role.COLLECTOR or (
        actor.role == Role.CLIENT and payment["paid_to"] != PaidTo.CLIENT
    ):
        raise NotPermitted("your role may not reverse this payment")
    now = clock.now()
    returned_at = data.returned_at or now
    clock.refuse_outside("returned_at", returned_at, now, "must not be in the future")
    if clock.agency_date(returned_at) < payment["received_on"]:
        raise InvalidInput.field("returned_at", "must not be before the payment was received")

    async with db.transaction():
        account = await accounts.lock_account(actor, payment["account_id"])
        row = await record_reversal(actor, payment, account, data.reason, returned_at)
        # Read after everything the reversal did, the settlement it undid included.
        running = await payments.ledger_of(payment["account_id"])
    return _reversal_read(row, running.by_cause[row["id"]])


async def record_reversal(
    actor: Principal,
    payment: asyncpg.Record,
    account: asyncpg.Record,
    reason: str,
    returned_at: datetime,
) -> asyncpg.Record:
    """The reversal of a payment on its account, locked in the caller's transaction: the
    balance (and credit) it restores, the status it reopens, the row, its audit line, and
    the settlement the payment paid undone. Every reversal is recorded here."""
    payment_id: UUID = payment["id"]
    if await repository.reversal_of(payment_id) is not None:
        raise PaymentAlreadyReversed("the payment is already reversed")
    amount = int(payment["amount_cents"])
    credit_removed = min(
        amount, max((await payment_repository.paid_and_credit(account["id"]))[1], 0)
    )
    change = await account_money.apply_money_movement(
        actor, account, amount - credit_removed, action=movements.MoneyAction.REVERSAL,
        reason=f"payment {payment_id} reversed: {reason}", at=returned_at,
    )  # fmt: skip
    values = {
        "client_id": payment["client_id"],
        "account_id": payment["account_id"],
        "payment_id": payment_id,
        "amount_cents": amount,
        "reason": reason,
        "returned_at": returned_at,
        "credit_removed_cents": credit_removed,
        "balance_before_cents": change.balance_before_cents,
        "balance_after_cents": change.balance_after_cents,
        "account_status_after": str(change.status_after),
        "created_by": actor.id,
    }
    try:
        # Recorded under the account's lock, as a payment is (see payments.record_payment).
        row = await repository.insert_reversal({**values, "recorded_at": clock.now()})
    except asyncpg.UniqueViolationError:
        raise PaymentAlreadyReversed("the payment is already reversed") from None
    await audit.record(
        actor, "payment.reverse", "payment_reversal", row["id"],
        client_id=payment["client_id"], after=values,
    )  # fmt: skip
    # A settlement this payment paid is undone with it: the write-off goes back on the
    # balance and the offer is owed again.
    await _undo_for_reversal(actor, payment, row["id"], returned_at)
    return row


async def _undo_for_reversal(
    actor: Principal, payment: asyncpg.Record, reversal_id: UUID, at: datetime
) -> None:
    """A reversed payment that paid an offer: the write-off it caused goes back on the
    balance (reopening the settled account) and the offer is owed again (accepted)."""
    write_off = await adjustments.write_off_by(payment["id"])
    if write_off is not None:
        cents = -int(write_off["amount_cents"])
        change = await account_money.reinstate_write_off(
            actor, payment["account_id"], cents, at=at,
            reason=f"payment {payment['id']} reversed: the settlement's write-off undone",
        )  # fmt: skip
        values = {
            "client_id": payment["client_id"], "account_id": payment["account_id"],
            "offer_id": write_off["offer_id"], "kind": "write_off_undone", "amount_cents": cents,
            "payment_id": payment["id"], "reversal_id": reversal_id,
            "undoes_id": write_off["id"],
            "balance_before_cents": change.balance_before_cents,
            "balance_after_cents": change.balance_after_cents, "created_by": actor.id,
        }  # fmt: skip
        adjustment_id = await adjustments.insert_adjustment(values)
        await audit.record(
            actor, "account.write_off_undone", "balance_adjustment", adjustment_id,
            client_id=payment["client_id"], after=values,
        )  # fmt: skip
    if payment["offer_id"] is None:
        return
    offer = await offer_repository.offer(payment["offer_id"], for_update=True)
    assert offer is not None
    if offer["status"] == OfferStatus.FULFILLED and int(offer["paid_cents"]) < int(
        offer["amount_cents"]
    ):
        await offer_repository.reopen_offer(offer["id"], f"payment {payment['id']} reversed")
        await audit.record(
            actor, "offer.reopen", "offer", offer["id"], client_id=offer["client_id"],
            before={"status": OfferStatus.FULFILLED},
            after={"status": OfferStatus.ACCEPTED, "reversal_id": reversal_id},
        )  # fmt: skip


async def record_adjustment(
    actor: Principal,
    account: asyncpg.Record,
    amount_cents: int,
    *,
    reason: str | None,
    effective_on: date,
    at: datetime,
) -> UUID:
    """A balance the client changed (interest or fees it added or took off), on an account
    locked in the caller's transaction: signed, `amount_cents` < 0 lowers the balance.
    It is not money: no fee, nothing to remit. A balance is never taken below zero."""
    balance = int(account["balance_cents"])
    if balance + amount_cents < 0:
        raise InvalidInput.field(
            "amount_cents",
            f"would take the balance ({balance} cents) below zero",
            code="balance_below_zero",
        )
    change = await account_money.apply_money_movement(
        actor, account, amount_cents, action=movements.MoneyAction.ADJUSTMENT,
        reason=f"balance adjusted by {dollars(amount_cents)} by the client: "
        f"{reason or 'no reason'}",
        at=at,
    )  # fmt: skip
    values = {
        "client_id": account["client_id"], "account_id": account["id"],
        "kind": "client_adjustment", "amount_cents": amount_cents, "reason": reason,
        "effective_on": effective_on, "balance_before_cents": change.balance_before_cents,
        "balance_after_cents": change.balance_after_cents, "created_by": actor.id,
    }  # fmt: skip
    adjustment_id = await adjustments.insert_adjustment(values)
    await audit.record(
        actor, "account.client_adjustment", "balance_adjustment", adjustment_id,
        client_id=account["client_id"], after=values,
    )  # fmt: skip
    return adjustment_id
