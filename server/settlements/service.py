"""Payments and reversals: the use cases.

Every money movement on an account runs in one transaction that first locks the account
row (accounts' `lock_account`), so concurrent payments apply one after another and the
balance is exact; the movement, the balance, any status it causes and the audit lines
commit together or not at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

from server.accounts import service as accounts
from server.accounts.movements import MoneyAction
from server.accounts.statuses import AccountStatus
from server.audit import service as audit
from server.auth.principal import SYSTEM, Principal, Role
from server.clients import service as clients
from server.clients.authority import Band, parse_authority
from server.clients.schemas import PaymentMethod
from server.kit import cards, clock, db
from server.kit.clock import start_of_day
from server.kit.csv_export import csv_stream
from server.kit.errors import DomainError, FieldError, InvalidInput, NotFound, NotPermitted
from server.kit.pagination import Page, PageRequest, make_page
from server.kit.settings import get_settings
from server.placements.file_changes import FinancialRow
from server.placements.row_owners import RowOwner
from server.placements.rows import RowError
from server.queues import service as queues
from server.settlements import repository
from server.settlements.authority import (
    Installment,
    LumpSum,
    OfferInvalid,
    Plan,
    offer_band,
    refusal_to_decide,
    validate_plan,
)
from server.settlements.errors import (
    AccountNotSettleable,
    IdempotencyKeyReused,
    OfferExists,
    OfferNotPayable,
    OfferNotPending,
    PaymentAlreadyReversed,
)
from server.settlements.money import Balance, Step, cleared_on, dollars, running_balances
from server.settlements.schemas import (
    Decision,
    InstallmentRead,
    MoneySection,
    Movement,
    OfferCreate,
    OfferDecision,
    OfferKind,
    OfferRead,
    OfferStatus,
    OfferWithdraw,
    PaidTo,
    PaymentCreate,
    PaymentRead,
    ReversalCreate,
    ReversalRead,
    ReversalSummary,
    VintageRead,
)

# Kept at least this long (DESIGN.md, API contract); older keys are purged.
IDEMPOTENCY_RETENTION = timedelta(days=30)
IDEMPOTENCY_HEADER = "Idempotency-Key"
_PURGE_BATCH = 5_000
# Older than any debt the agency could hold; keeps the business-day calendar sane.
_EARLIEST_RECEIVED = date(1970, 1, 1)
# What the account detail shows; the full lists are paginated routes.
_SECTION_PAYMENTS = 20
_SECTION_HISTORY = 50


@dataclass(frozen=True, slots=True)
class IdempotentResult:
    """A response as first given, replayed for the same key and body."""

    status_code: int
    payment: PaymentRead
    replayed: bool


def refuse_card_numbers(values: Any, key: str | None = None) -> None:
    """DESIGN.md, Security: a card number is never stored, logged or echoed. `values` is a
    request body, decoded (JSON) or as its struct; `key` its Idempotency-Key."""
    fields = cards.card_number_fields(msgspec.to_builtins(values))
    if key and cards.contains_card_number(key):
        fields.insert(0, IDEMPOTENCY_HEADER)
    if fields:
        reason = "must not contain a card number"
        raise InvalidInput(
            "; ".join(f"{field}: {reason}" for field in fields),
            code="card_number_refused",
            details=[FieldError(field, reason) for field in fields],
        )


def _check_key(key: str | None) -> str:
    if key is None:
        raise InvalidInput.field(IDEMPOTENCY_HEADER, "is required", code="missing_header")
    key = key.strip()
    if not key or not key.isascii() or not key.isprintable():
        raise InvalidInput.field(IDEMPOTENCY_HEADER, "must be 1–255 printable ASCII characters")
    return key


def _scope(actor: Principal) -> str:
    """Keys are the caller's client's, or the agency's for the agency's own people."""
    return f"client:{actor.client_id}" if actor.role == Role.CLIENT else "agency"


def _received(value: str, now: datetime, zone: ZoneInfo) -> tuple[date, datetime | None]:
    """`received_at` as a date in the agency's time zone, and the moment if one was given."""
    moment: datetime | None = None
    try:
        if len(value) == len("YYYY-MM-DD"):
            day = date.fromisoformat(value)
        else:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                raise InvalidInput.field("received_at", "a time must carry its UTC offset")
            clock.refuse_outside("received_at", moment, now, "must not be in the future")
            day = moment.astimezone(zone).date()
    except ValueError:
        raise InvalidInput.field(
            "received_at", "must be a date (YYYY-MM-DD) or an ISO 8601 time with offset"
        ) from None
    if (moment is not None and moment > now) or day > now.astimezone(zone).date():
        raise InvalidInput.field("received_at", "must not be in the future")
    if day < _EARLIEST_RECEIVED:
        raise InvalidInput.field("received_at", f"must not be before {_EARLIEST_RECEIVED}")
    return day, moment


def _request_hash(operation: str, subject: UUID, data: msgspec.Struct) -> str:
    canonical = msgspec.json.encode([operation, str(subject), data], order="sorted")
    return hashlib.sha256(canonical).hexdigest()


def _payment_read(row: asyncpg.Record, balance: Balance) -> PaymentRead:
    """`balance` is the running balance around the payment and what it caused, in the
    order payments were received (see `_running`), not the figures stored at posting."""
    reversal = None
    if row["reversal_id"] is not None:
        reversal = ReversalSummary(
            reversal_id=row["reversal_id"],
            reason=row["reversal_reason"],
            returned_at=row["reversal_returned_at"],
        )
    return PaymentRead(
        payment_id=row["id"],
        account_id=row["account_id"],
        client_id=row["client_id"],
        amount_cents=row["amount_cents"],
        method=PaymentMethod(row["method"]),
        paid_to=PaidTo(row["paid_to"]),
        received_on=row["received_on"],
        received_at=row["received_at"],
        cleared_on=row["cleared_on"],
        processor_reference=row["processor_reference"],
        notes=row["notes"],
        offer_id=row["offer_id"],
        fee_rate_bps=row["fee_rate_bps"],
        applied_cents=row["applied_cents"],
        credit_cents=row["credit_cents"],
        refund_due=row["credit_cents"] > 0,
        balance_before_cents=balance.before_cents,
        balance_after_cents=balance.after_cents,
        account_status=row["account_status_after"],
        created_at=row["created_at"],
        reversal=reversal,
    )


@dataclass(frozen=True, slots=True)
class _Ledger:
    """An account's movements in the order they took effect, each with the running
    balance it left; and, per payment or reversal, the balance before it and after
    everything it caused (a settlement's write-off, its undoing)."""

    movements: list[tuple[asyncpg.Record, Balance]]
    by_cause: dict[UUID, Balance]


async def _running_of(account_ids: list[UUID]) -> dict[UUID, _Ledger]:
    """The accounts' running balances, computed at read time so that a list's "balance
    after" fits the order it is listed in. Each starts from the balance the account had
    before its first movement was posted, which is the balance placed."""
    ledgers: dict[UUID, list[asyncpg.Record]] = {a: [] for a in account_ids}
    for movement in await repository.account_ledgers(account_ids, get_settings().agency_timezone):
        ledgers[movement["account_id"]].append(movement)
    return {account_id: _ledger(movements) for account_id, movements in ledgers.items()}


def _ledger(movements: list[asyncpg.Record]) -> _Ledger:
    if not movements:
        return _Ledger([], {})
    first = min(movements, key=lambda m: (m["recorded_at"], m["consequence"], m["movement_id"]))
    balances = running_balances(
        int(first["balance_before_cents"]),
        [Step(m["kind"], int(m["amount_cents"])) for m in movements],
    )
    by_cause: dict[UUID, Balance] = {}
    for movement, balance in zip(movements, balances, strict=True):
        cause = movement["cause_id"]
        started = by_cause.get(cause)
        before = balance.before_cents if started is None else started.before_cents
        by_cause[cause] = Balance(before, balance.after_cents)
    return _Ledger(list(zip(movements, balances, strict=True)), by_cause)


async def _running(account_id: UUID) -> _Ledger:
    return (await _running_of([account_id]))[account_id]


async def _payment_reads(account_id: UUID, rows: list[asyncpg.Record]) -> list[PaymentRead]:
    running = await _running(account_id)
    return [_payment_read(row, running.by_cause[row["id"]]) for row in rows]


async def _read_payment(row: asyncpg.Record) -> PaymentRead:
    return (await _payment_reads(row["account_id"], [row]))[0]


def _reversal_read(row: asyncpg.Record, balance: Balance) -> ReversalRead:
    """`balance`: around the reversal and the write-off it undid, as `_payment_read`."""
    return ReversalRead(
        reversal_id=row["id"],
        payment_id=row["payment_id"],
        account_id=row["account_id"],
        client_id=row["client_id"],
        amount_cents=row["amount_cents"],
        reason=row["reason"],
        returned_at=row["returned_at"],
        credit_removed_cents=row["credit_removed_cents"],
        balance_before_cents=balance.before_cents,
        balance_after_cents=balance.after_cents,
        account_status=row["account_status_after"],
        created_at=row["created_at"],
    )


# --- payments -----------------------------------------------------------------------------


async def post_payment(
    actor: Principal, account_id: UUID, idempotency_key: str | None, data: PaymentCreate
) -> IdempotentResult:
    """Record a payment on an account, once per Idempotency-Key.

    The same key and body again return the first answer; the same key with another body
    (or another account) is IdempotencyKeyReused. Only a payment that was recorded is
    remembered: a refused request changed nothing, so trying it again is safe anyway.
    A client (user or token) records only payments made directly to it on its own
    accounts; the agency's people record any.
    """
    refuse_card_numbers(data, idempotency_key)
    # Whose account first: someone else's is 404 whatever else is wrong with the request.
    await accounts.visible_account(actor, account_id)
    if actor.role == Role.CLIENT and data.paid_to != PaidTo.CLIENT:
        raise NotPermitted("a client records only payments made directly to it (paid_to=client)")
    key = _check_key(idempotency_key)
    now = clock.now()
    zone = clock.agency_zone()
    received_on, received_at = _received(data.received_at, now, zone)
    scope = _scope(actor)
    request_hash = _request_hash("payment.create", account_id, data)

    async with db.transaction():
        account = await accounts.lock_account(actor, account_id)
        client_id: UUID = account["client_id"]
        claimed = await repository.claim_idempotency_key(
            scope=scope, key=key, client_id=client_id, operation="payment.create",
            request_hash=request_hash,
        )  # fmt: skip
        if not claimed:
            return await _replay(scope, key, request_hash)

        # Checked after the key is claimed: a replay of a payment that fulfilled its offer
        # returns the first answer rather than "the offer is fulfilled".
        offer = None
        if data.offer_id is not None:
            offer = await _payable_offer(account_id, data.offer_id)
        payment_id = await _record_payment(
            actor, account, data, received_on, received_at or now, offer=offer,
            received_at=received_at, idempotency=(scope, key),
        )  # fmt: skip
        # Read back after everything the payment did (a settlement it paid wrote off the
        # rest and settled the account): the answer is what a GET says right after.
        row = await repository.payment(payment_id)
        assert row is not None
        read = await _read_payment(row)
        await repository.store_idempotent_response(
            scope, key, 201, msgspec.json.encode(read).decode()
        )
    return IdempotentResult(201, read, replayed=False)


async def _record_payment(
    actor: Principal,
    account: asyncpg.Record,
    data: PaymentCreate,
    received_on: date,
    at: datetime,
    *,
    offer: asyncpg.Record | None,
    received_at: datetime | None = None,
    idempotency: tuple[str, str] | None = None,
) -> UUID:
    """A payment on an account locked in the caller's transaction: the balance and status
    it moves, the payment row, its audit line, the offer it pays. Every payment, whether
    from the API or a client's file, is recorded here."""
    client_id: UUID = account["client_id"]
    client = await clients.client_settings(client_id)
    hold = client["clearing_days"].get(data.method, clients.DEFAULT_CLEARING_DAYS[data.method])
    balance_before = int(account["balance_cents"])
    # Money received is never refused: what exceeds the balance is a credit due back.
    applied = min(data.amount_cents, max(balance_before, 0))
    credit = data.amount_cents - applied
    change = await accounts.apply_money_movement(
        actor, account, -applied, action=MoneyAction.PAYMENT,
        reason=f"payment of {dollars(data.amount_cents)} received {received_on}",
        at=at, paid_on=received_on,
    )  # fmt: skip
    values = {
        "client_id": client_id,
        "account_id": account["id"],
        "amount_cents": data.amount_cents,
        "method": str(data.method),
        "paid_to": str(data.paid_to),
        "received_on": received_on,
        "received_at": received_at,
        "cleared_on": cleared_on(received_on, hold),
        "processor_reference": data.processor_reference,
        "notes": data.notes,
        "offer_id": None if offer is None else offer["id"],
        "fee_rate_bps": account["fee_rate_bps"],
        "applied_cents": applied,
        "credit_cents": credit,
        "balance_before_cents": change.balance_before_cents,
        "balance_after_cents": change.balance_after_cents,
        "account_status_after": str(change.status_after),
        "idempotency_scope": None if idempotency is None else idempotency[0],
        "idempotency_key": None if idempotency is None else idempotency[1],
        "created_by": actor.id,
    }
    try:
        # The time is read under the account's lock, so payments received at one moment
        # are in the order they were recorded (the transaction's `now()` is when it began,
        # which may be before another's that got the lock first).
        payment_id = await repository.insert_payment({**values, "recorded_at": clock.now()})
    except asyncpg.UniqueViolationError:
        # Only a key whose idempotency row was purged (older than the retention) can get
        # here: a payment is never recorded twice for one key.
        raise IdempotencyKeyReused("this Idempotency-Key was used for an earlier payment") from None
    await audit.record(
        actor, "payment.create", "payment", payment_id, client_id=client_id,
        after={k: v for k, v in values.items() if k not in ("idempotency_scope", "notes")},
    )  # fmt: skip
    if offer is not None:
        await _apply_to_offer(actor, offer, payment_id, at)
    return payment_id


async def _replay(scope: str, key: str, request_hash: str) -> IdempotentResult:
    stored = await repository.idempotency_key(scope, key)
    # The key's holder committed (we waited for it on the unique index) with its answer.
    assert stored is not None
    assert stored["response_body"] is not None
    if stored["request_hash"] != request_hash:
        raise IdempotencyKeyReused(
            "this Idempotency-Key was used with a different request; use a new key"
        )
    first = msgspec.json.decode(stored["response_body"], type=PaymentRead)
    return IdempotentResult(stored["status_code"], first, replayed=True)


async def purge_idempotency_keys() -> int:
    """Forget keys older than the retention, in batches; returns how many."""
    total = 0
    while True:
        purged = await repository.purge_idempotency_keys(
            clock.now() - IDEMPOTENCY_RETENTION, _PURGE_BATCH
        )
        total += purged
        if purged < _PURGE_BATCH:
            return total


def _theirs(actor: Principal, row: asyncpg.Record | None, what: str) -> asyncpg.Record:
    """The row if the caller may see its client; someone else's is as good as missing."""
    if row is None or not actor.may_see_client(row["client_id"]):
        raise NotFound(f"no such {what}")
    return row


async def _visible_payment(actor: Principal, payment_id: UUID) -> asyncpg.Record:
    return _theirs(actor, await repository.payment(payment_id), "payment")


async def get_payment(actor: Principal, payment_id: UUID) -> PaymentRead:
    return await _read_payment(await _visible_payment(actor, payment_id))


async def list_payments(actor: Principal, account_id: UUID, page: PageRequest) -> Page[PaymentRead]:
    """Newest first by (received, recorded, id), each with the running balance in the
    order received."""
    await accounts.visible_account(actor, account_id)
    rows = await repository.account_payments(
        account_id, get_settings().agency_timezone, page.key(datetime, datetime, UUID),
        page.fetch_limit,
    )  # fmt: skip
    found = make_page(rows, page, key=lambda r: (r["received_sort"], r["created_at"], r["id"]))
    return Page(items=await _payment_reads(account_id, found.items), next_cursor=found.next_cursor)


# The payments CSV: the list's columns, in the list's order, with the list's figures.
PAYMENTS_CSV_HEADER = (
    "payment_id", "received_on", "received_at", "method", "paid_to", "amount_cents",
    "applied_cents", "credit_cents", "balance_before_cents", "balance_after_cents",
    "account_status", "cleared_on", "processor_reference", "offer_id", "reversal_id",
    "reversal_returned_at", "created_at",
)  # fmt: skip
_CSV_BATCH = 500


async def payments_csv(actor: Principal, account_id: UUID) -> AsyncIterator[bytes]:
    """Every payment of the account as CSV, newest first by (received, recorded, id),
    each with the running balance in received order: what the list and the account's
    money section show, a batch at a time."""
    await accounts.visible_account(actor, account_id)
    zone = get_settings().agency_timezone

    async def rows() -> AsyncIterator[list[Any]]:
        running = await _running(account_id)
        after: tuple[Any, ...] | None = None
        while batch := await repository.account_payments(account_id, zone, after, _CSV_BATCH):
            for row in batch:
                # The API's own spelling of every value (times in ISO 8601 with Z).
                listed = msgspec.to_builtins(_payment_read(row, running.by_cause[row["id"]]))
                reversal = listed.pop("reversal") or {}
                listed["reversal_id"] = reversal.get("reversal_id")
                listed["reversal_returned_at"] = reversal.get("returned_at")
                yield [listed[column] for column in PAYMENTS_CSV_HEADER]
            last = batch[-1]
            after = (last["received_sort"], last["created_at"], last["id"])

    return csv_stream(PAYMENTS_CSV_HEADER, rows())


# --- reversals ----------------------------------------------------------------------------


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
    refuse_card_numbers(data)
    payment = await _visible_payment(actor, payment_id)
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
        row = await _record_reversal(actor, payment, account, data.reason, returned_at)
        # Read after everything the reversal did, the settlement it undid included.
        running = await _running(payment["account_id"])
    return _reversal_read(row, running.by_cause[row["id"]])


async def _record_reversal(
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
    credit_removed = min(amount, max((await repository.paid_and_credit(account["id"]))[1], 0))
    change = await accounts.apply_money_movement(
        actor, account, amount - credit_removed, action=MoneyAction.REVERSAL,
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
        # Recorded under the account's lock, as a payment is (see _record_payment).
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


# --- a client's financial files ---------------------------------------------------------


async def _record_adjustment(
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
    change = await accounts.apply_money_movement(
        actor, account, amount_cents, action=MoneyAction.ADJUSTMENT,
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
    adjustment_id = await repository.insert_adjustment(values)
    await audit.record(
        actor, "account.client_adjustment", "balance_adjustment", adjustment_id,
        client_id=account["client_id"], after=values,
    )  # fmt: skip
    return adjustment_id


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
    payment = await repository.payment(original["payment_id"])
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
    reversal = await _record_reversal(SYSTEM, payment, account, reason, returned_at)
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
        if account["status"] == AccountStatus.CLOSED:
            reason = "the account is closed: no money moves on it any more"
            raise _row_refused("client_account_number", "account_closed", reason)
        ledger: dict[str, Any] = {
            "client_id": client_id, "placement_id": placement_id, "line": row.line,
            "transaction_id": row.transaction_id, "kind": row.transaction_type,
            "account_id": account["id"],
        }  # fmt: skip
        if row.transaction_type == "payment":
            offer_id = await repository.accepted_offer_of(account["id"])
            offer = None if offer_id is None else await _payable_offer(account["id"], offer_id)
            payment = PaymentCreate(
                amount_cents=row.amount_cents, method=PaymentMethod(row.payment_method),
                paid_to=PaidTo.CLIENT, received_at=row.transaction_date.isoformat(),
                processor_reference=row.transaction_id, notes=row.reason, offer_id=offer_id,
            )  # fmt: skip
            ledger["payment_id"] = await _record_payment(
                SYSTEM, account, payment, row.transaction_date, now, offer=offer
            )
        elif row.transaction_type == "adjustment":
            ledger["adjustment_id"] = await _record_adjustment(
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
        running = await _running_of(account_ids)
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
    acknowledgement_columns=(
        "line", "client_account_number", "transaction_type", "transaction_id", "account_id",
        "movement_id", "amount_cents", "balance_after_cents",
    ),
    acknowledged=financial_acknowledgement,
)  # fmt: skip


# --- the account detail's `money` section -------------------------------------------------


async def money_section(actor: Principal, account_id: UUID) -> MoneySection:
    """Payments, credit due back and balance history, newest first in the order they
    took effect, with the running balance in that order: the same payments, order and
    figures as the payments list. The account is the caller's (the detail checked it
    before asking its sections)."""
    payments = await repository.account_payments(
        account_id, get_settings().agency_timezone, None, _SECTION_PAYMENTS
    )
    running = await _running(account_id)
    paid, credit = await repository.paid_and_credit(account_id)
    return MoneySection(
        paid_cents=paid,
        credit_cents=credit,
        refund_due=credit > 0,
        payments=[_payment_read(row, running.by_cause[row["id"]]) for row in payments],
        history=[
            Movement(
                kind=m["kind"],
                movement_id=m["movement_id"],
                payment_id=m["payment_id"],
                at=m["at"],
                recorded_at=m["created_at"],
                # Signed as the balance sees it: + came off, - went back on.
                amount_cents=(1 if m["kind"] == "payment" else -1) * int(m["amount_cents"]),
                balance_after_cents=balance.after_cents,
            )
            for m, balance in reversed(running.movements[-_SECTION_HISTORY:])
        ],
    )


# --- offers -------------------------------------------------------------------------------

# An instalment is missed once this many days have passed after its due date unpaid: the
# debtor's bank may take a few business days to move the money. On the sixth day after the
# due date the plan is broken.
GRACE_DAYS = 5
# A lump sum is due within this many days of its acceptance; unpaid by then, it expires.
LUMP_SUM_DAYS = 30

_PENDING = frozenset({OfferStatus.PENDING_SUPERVISOR, OfferStatus.PENDING_CLIENT})
_STATUS_OF_BAND = {
    Band.COLLECTOR: OfferStatus.ACCEPTED,
    Band.SUPERVISOR: OfferStatus.PENDING_SUPERVISOR,
    Band.CLIENT: OfferStatus.PENDING_CLIENT,
}


def _offer_read(row: asyncpg.Record) -> OfferRead:
    return OfferRead(
        offer_id=row["id"],
        account_id=row["account_id"],
        client_id=row["client_id"],
        kind=OfferKind(row["kind"]),
        amount_cents=row["amount_cents"],
        installments=msgspec.json.decode(row["installments"], type=list[InstallmentRead]),
        balance_cents=row["balance_cents"],
        band=row["band"],
        status=OfferStatus(row["status"]),
        offered_on=row["offered_on"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        decided_by=row["decided_by"],
        decided_role=row["decided_role"],
        decided_at=row["decided_at"],
        decision_reason=row["decision_reason"],
        accepted_at=row["accepted_at"],
        due_on=row["due_on"],
        paid_cents=int(row["paid_cents"]),
        closed_at=row["closed_at"],
        closed_reason=row["closed_reason"],
        updated_at=row["updated_at"],
    )


def _terms(data: OfferCreate, offered_on: date) -> LumpSum | Plan:
    if data.kind == OfferKind.LUMP_SUM:
        if data.installments:
            raise InvalidInput.field("installments", "a lump sum has no instalments")
        return LumpSum(data.amount_cents)
    if not data.installments:
        raise InvalidInput.field("installments", "a plan needs its instalments")
    return Plan(
        data.amount_cents,
        offered_on,
        tuple(Installment(i.due_date, i.amount_cents) for i in data.installments),
    )


def _due_on(kind: OfferKind, accepted_on: date, installments: list[InstallmentRead]) -> date:
    if kind == OfferKind.LUMP_SUM:
        return accepted_on + timedelta(days=LUMP_SUM_DAYS)
    return installments[-1].due_date


async def create_offer(
    actor: Principal, account_id: UUID, data: OfferCreate, *, offered_on: date | None = None
) -> OfferRead:
    """Record an arrangement the debtor agreed to. Inside the collector's band (whoever
    records it) it is accepted at once; beyond it, it waits for a supervisor or the
    client. One live offer per account: withdraw a pending one to make another.

    `offered_on` (today by default) records an arrangement made earlier, e.g. history from
    the agency's earlier system: its schedule and a lump sum's due date run from that day,
    so the nightly sweep judges it as it would have been judged all along."""
    await accounts.visible_account(actor, account_id)
    if actor.role == Role.CLIENT:
        raise NotPermitted("offers are made by the agency's collectors and staff")
    now = clock.now()
    today = clock.agency_date(now)
    if offered_on is not None and offered_on > today:
        raise InvalidInput.field("offered_on", "must not be in the future")
    offered = offered_on or today
    terms = _terms(data, offered)
    if isinstance(terms, Plan):
        try:
            validate_plan(terms)
        except OfferInvalid as invalid:
            raise InvalidInput(str(invalid), details=invalid.errors) from None

    async with db.transaction():
        account = await accounts.lock_account(actor, account_id)
        balance = int(account["balance_cents"])
        if account["status"] != AccountStatus.ACTIVE or balance <= 0:
            raise AccountNotSettleable(
                f"an offer needs an active account with a balance (status {account['status']},"
                f" balance {balance} cents)"
            )
        if await repository.live_offer_of(account_id) is not None:
            raise OfferExists("the account already has a pending or accepted offer")
        client_id: UUID = account["client_id"]
        authority = parse_authority((await clients.client_settings(client_id))["authority"])
        band = offer_band(authority, balance, terms)
        status = _STATUS_OF_BAND[band]
        schedule = (
            [(i.due_date, i.amount_cents) for i in terms.installments]
            if isinstance(terms, Plan)
            else []
        )
        due_on = None
        if status == OfferStatus.ACCEPTED:
            due_on = schedule[-1][0] if schedule else offered + timedelta(days=LUMP_SUM_DAYS)
        values = {
            "client_id": client_id, "account_id": account_id, "kind": str(data.kind),
            "amount_cents": data.amount_cents, "balance_cents": balance, "offered_on": offered,
            "band": str(band), "status": str(status), "created_by": actor.id, "due_on": due_on,
        }  # fmt: skip
        try:
            offer_id = await repository.insert_offer(values, schedule)
        except asyncpg.UniqueViolationError:
            raise OfferExists("the account already has a pending or accepted offer") from None
        after = {**values, "installments": [[d, a] for d, a in schedule]}
        await audit.record(
            actor, "offer.create", "offer", offer_id, client_id=client_id, after=after
        )
        row = await repository.offer(offer_id)
        assert row is not None
    return _offer_read(row)


async def _visible_offer(actor: Principal, offer_id: UUID) -> asyncpg.Record:
    return _theirs(actor, await repository.offer(offer_id), "offer")


async def get_offer(actor: Principal, offer_id: UUID) -> OfferRead:
    return _offer_read(await _visible_offer(actor, offer_id))


async def list_offers(
    actor: Principal,
    page: PageRequest,
    *,
    status: OfferStatus | None,
    client_id: UUID | None,
    account_id: UUID | None,
) -> Page[OfferRead]:
    """Offers the caller may see, newest first: a supervisor's approval list is
    `status=pending_supervisor`, a client's `status=pending_client` (its own only)."""
    if client_id is not None:
        await clients.require_client(actor, client_id)
    if account_id is not None:
        await accounts.visible_account(actor, account_id)
    rows = await repository.list_offers(
        visible=actor.visible_clients(), client_id=client_id, account_id=account_id,
        status=None if status is None else str(status), after=page.after,
        limit=page.fetch_limit,
    )  # fmt: skip
    return make_page([_offer_read(r) for r in rows], page, key=lambda o: (o.created_at, o.offer_id))


async def decide_offer(actor: Principal, offer_id: UUID, data: OfferDecision) -> OfferRead:
    """Accept or reject a pending offer: a supervisor or admin those beyond the collector's
    band, the client (user or token) those beyond the supervisor's on its own accounts,
    never the one who made it (authority.refusal_to_decide). The offer row is locked, so of
    two decisions at once exactly one applies and the other finds it decided (409)."""
    found = await _visible_offer(actor, offer_id)
    if actor.role == Role.COLLECTOR:
        reason = (
            "a collector cannot decide its own offer"
            if found["created_by"] == actor.id
            else "collectors do not decide offers"
        )
        raise NotPermitted(reason)
    now = clock.now()
    async with db.transaction():
        row = await repository.offer(offer_id, for_update=True)
        assert row is not None
        status = OfferStatus(row["status"])
        if status not in _PENDING:
            raise OfferNotPending(f"the offer is {status}, not pending a decision")
        refusal = refusal_to_decide(
            str(actor.role), str(status), made_it=row["created_by"] == actor.id
        )
        if refusal is not None:
            raise NotPermitted(refusal)
        accepted = data.decision == Decision.ACCEPT
        target = OfferStatus.ACCEPTED if accepted else OfferStatus.REJECTED
        due_on = None
        if accepted:
            # Disputed, paid or recalled since the offer was made: accepting it now would
            # collect what may not be collected. It can still be rejected.
            account = await accounts.visible_account(actor, row["account_id"])
            if account["status"] != AccountStatus.ACTIVE or int(account["balance_cents"]) <= 0:
                raise AccountNotSettleable(
                    f"the account is {account['status']}; the offer can only be rejected"
                )
            installments = msgspec.json.decode(row["installments"], type=list[InstallmentRead])
            due_on = _due_on(OfferKind(row["kind"]), clock.agency_date(now), installments)
        await repository.decide_offer(
            offer_id, str(target), actor_id=actor.id, role=str(actor.role), reason=data.reason,
            due_on=due_on,
        )  # fmt: skip
        await audit.record(
            actor, f"offer.{data.decision}", "offer", offer_id, client_id=row["client_id"],
            before={"status": status},
            after={"status": target, "reason": data.reason, "due_on": due_on},
        )  # fmt: skip
        decided = await repository.offer(offer_id)
        assert decided is not None
    return _offer_read(decided)


async def withdraw_offer(actor: Principal, offer_id: UUID, data: OfferWithdraw) -> OfferRead:
    """The collector who made a pending offer (or staff) takes it back."""
    found = await _visible_offer(actor, offer_id)
    if not (actor.is_staff or found["created_by"] == actor.id):
        raise NotPermitted("only the collector who made the offer may withdraw it")
    async with db.transaction():
        row = await repository.offer(offer_id, for_update=True)
        assert row is not None
        status = OfferStatus(row["status"])
        if status not in _PENDING:
            raise OfferNotPending(f"the offer is {status}; only a pending offer is withdrawn")
        reason = data.reason or "withdrawn"
        await repository.close_offer(offer_id, str(OfferStatus.WITHDRAWN), reason)
        await audit.record(
            actor, "offer.withdraw", "offer", offer_id, client_id=row["client_id"],
            before={"status": status}, after={"status": OfferStatus.WITHDRAWN, "reason": reason},
        )  # fmt: skip
        withdrawn = await repository.offer(offer_id)
        assert withdrawn is not None
    return _offer_read(withdrawn)


async def _payable_offer(account_id: UUID, offer_id: UUID) -> asyncpg.Record:
    """The accepted offer a payment names, locked (the account is already locked, so the
    order is always account, then offer)."""
    row = await repository.offer(offer_id, for_update=True)
    if row is None or row["account_id"] != account_id:
        raise InvalidInput.field("offer_id", "no such offer on this account")
    if row["status"] != OfferStatus.ACCEPTED:
        raise OfferNotPayable(f"the offer is {row['status']}; payments go to an accepted offer")
    return row


async def _apply_to_offer(
    actor: Principal, offer: asyncpg.Record, payment_id: UUID, at: datetime
) -> None:
    """After a payment against an accepted offer: paid its amount, the offer is fulfilled,
    the account's open promises kept, and whatever the account still owes written off
    (the settlement), leaving it settled_in_full."""
    row = await repository.offer(offer["id"])
    assert row is not None
    if int(row["paid_cents"]) < int(row["amount_cents"]):
        return
    reason = f"paid {row['paid_cents']} of {row['amount_cents']} cents agreed"
    await repository.close_offer(row["id"], str(OfferStatus.FULFILLED), reason)
    await audit.record(
        actor, "offer.fulfil", "offer", row["id"], client_id=row["client_id"],
        before={"status": row["status"]},
        after={"status": OfferStatus.FULFILLED, "payment_id": payment_id},
    )  # fmt: skip
    await queues.close_open_promises(row["account_id"], kept=True)
    account = await accounts.visible_account(actor, row["account_id"])
    remainder = int(account["balance_cents"])
    if remainder <= 0:
        return
    change = await accounts.settle_account(
        actor, row["account_id"], remainder, at=at,
        reason=f"settled by offer {row['id']}: {remainder} cents written off",
    )  # fmt: skip
    values = {
        "client_id": row["client_id"], "account_id": row["account_id"], "offer_id": row["id"],
        "kind": "settlement_write_off", "amount_cents": -remainder, "payment_id": payment_id,
        "balance_before_cents": change.balance_before_cents,
        "balance_after_cents": change.balance_after_cents, "created_by": actor.id,
    }  # fmt: skip
    adjustment_id = await repository.insert_adjustment(values)
    await audit.record(
        actor, "account.write_off", "balance_adjustment", adjustment_id,
        client_id=row["client_id"], after=values,
    )  # fmt: skip


async def _undo_for_reversal(
    actor: Principal, payment: asyncpg.Record, reversal_id: UUID, at: datetime
) -> None:
    """A reversed payment that paid an offer: the write-off it caused goes back on the
    balance (reopening the settled account) and the offer is owed again (accepted)."""
    write_off = await repository.write_off_by(payment["id"])
    if write_off is not None:
        cents = -int(write_off["amount_cents"])
        change = await accounts.reinstate_write_off(
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
        adjustment_id = await repository.insert_adjustment(values)
        await audit.record(
            actor, "account.write_off_undone", "balance_adjustment", adjustment_id,
            client_id=payment["client_id"], after=values,
        )  # fmt: skip
    if payment["offer_id"] is None:
        return
    offer = await repository.offer(payment["offer_id"], for_update=True)
    assert offer is not None
    if offer["status"] == OfferStatus.FULFILLED and int(offer["paid_cents"]) < int(
        offer["amount_cents"]
    ):
        await repository.reopen_offer(offer["id"], f"payment {payment['id']} reversed")
        await audit.record(
            actor, "offer.reopen", "offer", offer["id"], client_id=offer["client_id"],
            before={"status": OfferStatus.FULFILLED},
            after={"status": OfferStatus.ACCEPTED, "reversal_id": reversal_id},
        )  # fmt: skip


async def close_lapsed_offers(today: date | None = None) -> dict[str, int]:
    """The nightly sweep over accepted offers: a plan with an instalment unpaid more than
    GRACE_DAYS after it fell due is broken, a lump sum unpaid by its due date expired; the
    account's open promises are broken either way. Each offer is rechecked under its
    account's lock (a payment may land while the sweep runs); running it twice changes
    nothing the second time."""
    today = today or clock.agency_today()
    counts = {"broken": 0, "expired": 0}
    for candidate in await repository.lapsed_offers(today, GRACE_DAYS):
        async with db.transaction():
            await accounts.lock_account(SYSTEM, candidate["account_id"])
            row = await repository.offer(candidate["id"], for_update=True)
            assert row is not None
            still = await repository.lapsed_offers(today, GRACE_DAYS, only=row["id"])
            if row["status"] != OfferStatus.ACCEPTED or not still:
                continue
            plan = row["kind"] == OfferKind.PLAN
            target = OfferStatus.BROKEN if plan else OfferStatus.EXPIRED
            due = candidate["missed_due_date"]
            reason = (
                f"the instalment due {due} was not paid within {GRACE_DAYS} days"
                if plan
                else f"not paid in full by {due}"
            )
            await repository.close_offer(row["id"], str(target), reason)
            await queues.close_open_promises(row["account_id"], kept=False)
            await audit.record(
                SYSTEM, f"offer.{'break' if plan else 'expire'}", "offer", row["id"],
                client_id=row["client_id"], before={"status": row["status"]},
                after={"status": target, "reason": reason},
            )  # fmt: skip
            counts[str(target)] += 1
    return counts


# --- the client portal's dashboard ----------------------------------------------------------


async def collected(actor: Principal, client_id: UUID) -> int:
    """What the client's accounts have paid, net of reversals."""
    await clients.require_client(actor, client_id)
    return await repository.client_collected(client_id)


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


async def liquidation(actor: Principal, client_id: UUID) -> list[VintageRead]:
    """The client's liquidation curve per vintage, oldest vintage first."""
    await clients.require_client(actor, client_id)
    zone = get_settings().agency_timezone
    this_month = clock.agency_today().replace(day=1)
    vintages: dict[date, VintageRead] = {}
    for row in await repository.liquidation_by_vintage(client_id, zone):
        vintage: date = row["vintage"]
        found = vintages.get(vintage)
        if found is None:
            months = max(_months_between(vintage, this_month), 0) + 1
            found = vintages[vintage] = VintageRead(
                vintage, row["accounts"], int(row["placed_cents"]), [0] * months
            )
        if row["month"] is None:
            continue
        # Money received before the account reached us (history brought with it) counts
        # in the month it was placed.
        since = min(max(_months_between(vintage, row["month"]), 0), len(found.collected_cents) - 1)
        for later in range(since, len(found.collected_cents)):
            found.collected_cents[later] += int(row["collected_cents"])
    return list(vintages.values())
