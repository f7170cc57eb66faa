"""Payments: recorded once per Idempotency-Key, listed, read back, exported as CSV; and
the running balances every read of an account's money shows.

A payment, whether from the API or a client's file, is recorded by `record_payment`
under its account's lock (see services/__init__.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

from server.accounts import money as account_money
from server.accounts import movements
from server.accounts import service as accounts
from server.accounts.statuses import LEFT_COLLECTION, AccountStatus
from server.audit import service as audit
from server.auth.principal import Principal, Role
from server.clients import service as clients
from server.kit import clock, db
from server.kit.csv_export import csv_stream
from server.kit.dollars import dollars
from server.kit.errors import InvalidInput, NotPermitted
from server.kit.mapping import read_as
from server.kit.pagination import Page, PageRequest, make_page
from server.kit.settings import get_settings
from server.settlements.errors import IdempotencyKeyReused, OfferNotPayable
from server.settlements.events import SettlementEvent, SettlementEventKind, notify
from server.settlements.money import Balance, Step, cleared_on, running_balances
from server.settlements.repositories import idempotency as idempotency_keys
from server.settlements.repositories import payments as repository
from server.settlements.schemas import PaidTo, PaymentCreate, PaymentRead, ReversalSummary
from server.settlements.services import idempotency, offers, promises
from server.settlements.services.visible import visible_row

# Older than any debt the agency could hold; keeps the business-day calendar sane.
_EARLIEST_RECEIVED = date(1970, 1, 1)


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


def payment_read(row: Row, balance: Balance) -> PaymentRead:
    """`balance` is the running balance around the payment and what it caused, in the
    order payments were received (see `ledger_of`), not the figures stored at posting."""
    reversal = None
    if row["reversal_id"] is not None:
        reversal = ReversalSummary(
            reversal_id=row["reversal_id"],
            reason=row["reversal_reason"],
            returned_at=row["reversal_returned_at"],
        )
    return read_as(
        PaymentRead,
        row,
        payment_id=row["id"],
        refund_due=row["credit_cents"] > 0,
        balance_before_cents=balance.before_cents,
        balance_after_cents=balance.after_cents,
        account_status=row["account_status_after"],
        reversal=reversal,
    )


# A row as a query returns it, or as the account detail's one statement does.
Row = Mapping[str, Any] | asyncpg.Record


@dataclass(frozen=True, slots=True)
class Ledger:
    """An account's movements in the order they took effect, each with the running
    balance it left; and, per payment or reversal, the balance before it and after
    everything it caused (a settlement's write-off, its undoing)."""

    movements: list[tuple[Row, Balance]]
    by_cause: dict[UUID, Balance]


async def ledgers_of(account_ids: list[UUID]) -> dict[UUID, Ledger]:
    """The accounts' running balances, computed at read time so that a list's "balance
    after" fits the order it is listed in. Each starts from the balance the account had
    before its first movement was posted, which is the balance placed."""
    ledgers: dict[UUID, list[asyncpg.Record]] = {a: [] for a in account_ids}
    for movement in await repository.account_ledgers(account_ids, get_settings().agency_timezone):
        ledgers[movement["account_id"]].append(movement)
    return {account_id: _ledger(movements) for account_id, movements in ledgers.items()}


def ledger_from(movements: Sequence[Row]) -> Ledger:
    """The ledger of one account's movements, as `account_ledgers` reads them."""
    return _ledger(movements)


def _ledger(movements: Sequence[Row]) -> Ledger:
    if not movements:
        return Ledger([], {})
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
    return Ledger(list(zip(movements, balances, strict=True)), by_cause)


async def ledger_of(account_id: UUID) -> Ledger:
    return (await ledgers_of([account_id]))[account_id]


async def _payment_reads(account_id: UUID, rows: list[asyncpg.Record]) -> list[PaymentRead]:
    running = await ledger_of(account_id)
    return [payment_read(row, running.by_cause[row["id"]]) for row in rows]


async def _read_payment(row: asyncpg.Record) -> PaymentRead:
    return (await _payment_reads(row["account_id"], [row]))[0]


async def post_payment(
    actor: Principal, account_id: UUID, idempotency_key: str | None, data: PaymentCreate
) -> idempotency.IdempotentResult:
    """Record a payment on an account, once per Idempotency-Key.

    The same key and body again return the first answer; the same key with another body
    (or another account) is IdempotencyKeyReused. Only a payment that was recorded is
    remembered: a refused request changed nothing, so trying it again is safe anyway.
    A client (user or token) records only payments made directly to it on its own
    accounts; the agency's people record any.
    """
    idempotency.refuse_card_numbers(data, idempotency_key)
    # Whose account first: someone else's is 404 whatever else is wrong with the request.
    await accounts.visible_account(actor, account_id)
    if actor.role == Role.CLIENT and data.paid_to != PaidTo.CLIENT:
        raise NotPermitted("a client records only payments made directly to it (paid_to=client)")
    key = idempotency.check_key(idempotency_key)
    now = clock.now()
    zone = clock.agency_zone()
    received_on, received_at = _received(data.received_at, now, zone)
    scope = idempotency.scope_of(actor)
    request_hash = idempotency.request_hash("payment.create", account_id, data)

    async with db.transaction():
        account = await accounts.lock_account(actor, account_id)
        client_id: UUID = account["client_id"]
        claimed = await idempotency_keys.claim_idempotency_key(
            scope=scope, key=key, client_id=client_id, operation="payment.create",
            request_hash=request_hash,
        )  # fmt: skip
        if not claimed:
            return await idempotency.replay(scope, key, request_hash)

        # Checked after the key is claimed: a replay of a payment that fulfilled its offer
        # returns the first answer rather than "the offer is fulfilled".
        offer = None
        if data.offer_id is not None:
            offer = await offers.payable_offer(account_id, data.offer_id)
        payment_id = await record_payment(
            actor, account, data, received_on, received_at or now, offer=offer,
            received_at=received_at, idempotency=(scope, key),
        )  # fmt: skip
        # Read back after everything the payment did (a settlement it paid wrote off the
        # rest and settled the account): the answer is what a GET says right after.
        row = await repository.payment(payment_id)
        assert row is not None
        read = await _read_payment(row)
        await idempotency_keys.store_idempotent_response(
            scope, key, 201, msgspec.json.encode(read).decode()
        )
    return idempotency.IdempotentResult(201, read, replayed=False)


async def record_payment(
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
    left = account["status"] if account["status"] in LEFT_COLLECTION else None
    if left is not None and offer is not None:
        raise OfferNotPayable(f"the account is {left}: its offers ended with it")
    balance_before = int(account["balance_cents"])
    # Money received is never refused: what exceeds the balance is a credit due back.
    applied = min(data.amount_cents, max(balance_before, 0))
    credit = data.amount_cents - applied
    change = await account_money.apply_money_movement(
        actor, account, -applied, action=movements.MoneyAction.PAYMENT,
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
        "left_collection": left,
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
    await promises.keep_paid_promises(actor, account["id"])
    settled = None if offer is None else await offers.apply_to_offer(actor, offer, payment_id, at)
    done = settled.status_after if settled is not None else change.status_after
    if done != change.status_before and done in _DONE:
        await notify(
            SettlementEvent(
                _DONE[done], account["id"], client_id, received_on,
                offer_id=None if offer is None else offer["id"], payment_id=payment_id,
            )
        )  # fmt: skip
    return payment_id


# A payment that finishes the account: a paid-in-full or settled-in-full letter is due.
_DONE = {
    AccountStatus.PAID_IN_FULL: SettlementEventKind.PAID_IN_FULL,
    AccountStatus.SETTLED_IN_FULL: SettlementEventKind.SETTLED_IN_FULL,
}


async def visible_payment(actor: Principal, payment_id: UUID) -> asyncpg.Record:
    return visible_row(actor, await repository.payment(payment_id), "payment")


async def get_payment(actor: Principal, payment_id: UUID) -> PaymentRead:
    return await _read_payment(await visible_payment(actor, payment_id))


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
        running = await ledger_of(account_id)
        after: tuple[Any, ...] | None = None
        while batch := await repository.account_payments(account_id, zone, after, _CSV_BATCH):
            for row in batch:
                # The API's own spelling of every value (times in ISO 8601 with Z).
                listed = msgspec.to_builtins(payment_read(row, running.by_cause[row["id"]]))
                reversal = listed.pop("reversal") or {}
                listed["reversal_id"] = reversal.get("reversal_id")
                listed["reversal_returned_at"] = reversal.get("returned_at")
                yield [listed[column] for column in PAYMENTS_CSV_HEADER]
            last = batch[-1]
            after = (last["received_sort"], last["created_at"], last["id"])

    return csv_stream(PAYMENTS_CSV_HEADER, rows())
