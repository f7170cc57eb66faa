"""Payments and reversals: the use cases.

Every money movement on an account runs in one transaction that first locks the account
row (placements' `lock_account`), so concurrent payments apply one after another and the
balance is exact; the movement, the balance, any status it causes and the audit lines
commit together or not at all.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

from server import db
from server.audit import service as audit
from server.auth.principal import Principal, Role
from server.errors import FieldError, InvalidInput, NotFound, NotPermitted
from server.pagination import Page, PageRequest, make_page
from server.placements import service as placements
from server.placements.schemas import PaymentMethod
from server.settings import get_settings
from server.settlements import cards, repository
from server.settlements.errors import IdempotencyKeyReused, PaymentAlreadyReversed
from server.settlements.money import cleared_on
from server.settlements.schemas import (
    MoneySection,
    Movement,
    PaidTo,
    PaymentCreate,
    PaymentRead,
    ReversalCreate,
    ReversalRead,
    ReversalSummary,
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


def _agency_zone() -> ZoneInfo:
    return ZoneInfo(get_settings().agency_timezone)


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


def _payment_read(row: asyncpg.Record) -> PaymentRead:
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
        balance_before_cents=row["balance_before_cents"],
        balance_after_cents=row["balance_after_cents"],
        account_status=row["account_status_after"],
        created_at=row["created_at"],
        reversal=reversal,
    )


def _reversal_read(row: asyncpg.Record) -> ReversalRead:
    return ReversalRead(
        reversal_id=row["id"],
        payment_id=row["payment_id"],
        account_id=row["account_id"],
        client_id=row["client_id"],
        amount_cents=row["amount_cents"],
        reason=row["reason"],
        returned_at=row["returned_at"],
        credit_removed_cents=row["credit_removed_cents"],
        balance_before_cents=row["balance_before_cents"],
        balance_after_cents=row["balance_after_cents"],
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
    await placements.visible_account(actor, account_id)
    if actor.role == Role.CLIENT and data.paid_to != PaidTo.CLIENT:
        raise NotPermitted("a client records only payments made directly to it (paid_to=client)")
    key = _check_key(idempotency_key)
    now = datetime.now(UTC)
    zone = _agency_zone()
    received_on, received_at = _received(data.received_at, now, zone)
    if data.offer_id is not None:
        # Offers are not recorded yet: no id can name one. The offers work links a payment
        # to its offer (and fulfils it) here.
        raise InvalidInput.field("offer_id", "no such offer")
    scope = _scope(actor)
    request_hash = _request_hash("payment.create", account_id, data)

    async with db.transaction():
        account = await placements.lock_account(actor, account_id)
        client_id: UUID = account["client_id"]
        claimed = await repository.claim_idempotency_key(
            scope=scope, key=key, client_id=client_id, operation="payment.create",
            request_hash=request_hash,
        )  # fmt: skip
        if not claimed:
            return await _replay(scope, key, request_hash)

        client = await placements.client_settings(client_id)
        hold = client["clearing_days"].get(
            data.method, placements.DEFAULT_CLEARING_DAYS[data.method]
        )
        balance_before = int(account["balance_cents"])
        # Money received is never refused: what exceeds the balance is a credit due back.
        applied = min(data.amount_cents, max(balance_before, 0))
        credit = data.amount_cents - applied
        change = await placements.apply_money_movement(
            actor, account, -applied, action="payment",
            reason=f"payment of {data.amount_cents} cents received {received_on}",
            at=received_at or now, paid_on=received_on,
        )  # fmt: skip
        values = {
            "client_id": client_id,
            "account_id": account_id,
            "amount_cents": data.amount_cents,
            "method": str(data.method),
            "paid_to": str(data.paid_to),
            "received_on": received_on,
            "received_at": received_at,
            "cleared_on": cleared_on(received_on, hold),
            "processor_reference": data.processor_reference,
            "notes": data.notes,
            "offer_id": None,
            "fee_rate_bps": account["fee_rate_bps"],
            "applied_cents": applied,
            "credit_cents": credit,
            "balance_before_cents": change.balance_before_cents,
            "balance_after_cents": change.balance_after_cents,
            "account_status_after": str(change.status_after),
            "idempotency_scope": scope,
            "idempotency_key": key,
            "created_by": actor.id,
        }
        try:
            payment_id = await repository.insert_payment(values)
        except asyncpg.UniqueViolationError:
            # Only a key whose idempotency row was purged (older than the retention) can
            # get here: a payment is never recorded twice for one key.
            raise IdempotencyKeyReused(
                "this Idempotency-Key was used for an earlier payment"
            ) from None
        await audit.record(
            actor, "payment.create", "payment", payment_id, client_id=client_id,
            after={k: v for k, v in values.items() if k not in ("idempotency_scope", "notes")},
        )  # fmt: skip
        row = await repository.payment(payment_id)
        assert row is not None
        read = _payment_read(row)
        await repository.store_idempotent_response(
            scope, key, 201, msgspec.json.encode(read).decode()
        )
    return IdempotentResult(201, read, replayed=False)


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
        purged = await repository.purge_idempotency_keys(IDEMPOTENCY_RETENTION, _PURGE_BATCH)
        total += purged
        if purged < _PURGE_BATCH:
            return total


async def _visible_payment(actor: Principal, payment_id: UUID) -> asyncpg.Record:
    row = await repository.payment(payment_id)
    if row is None or not actor.may_see_client(row["client_id"]):
        raise NotFound("no such payment")
    return row


async def get_payment(actor: Principal, payment_id: UUID) -> PaymentRead:
    return _payment_read(await _visible_payment(actor, payment_id))


async def list_payments(actor: Principal, account_id: UUID, page: PageRequest) -> Page[PaymentRead]:
    await placements.visible_account(actor, account_id)
    rows = await repository.account_payments(account_id, page.after, page.fetch_limit)
    reads = [_payment_read(row) for row in rows]
    return make_page(reads, page, key=lambda p: (p.created_at, p.payment_id))


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
    now = datetime.now(UTC)
    returned_at = data.returned_at or now
    if returned_at > now:
        raise InvalidInput.field("returned_at", "must not be in the future")
    if returned_at.astimezone(_agency_zone()).date() < payment["received_on"]:
        raise InvalidInput.field("returned_at", "must not be before the payment was received")

    async with db.transaction():
        account = await placements.lock_account(actor, payment["account_id"])
        if await repository.reversal_of(payment_id) is not None:
            raise PaymentAlreadyReversed("the payment is already reversed")
        amount = int(payment["amount_cents"])
        credit_removed = min(amount, max((await repository.paid_and_credit(account["id"]))[1], 0))
        change = await placements.apply_money_movement(
            actor, account, amount - credit_removed, action="reversal",
            reason=f"payment {payment_id} reversed: {data.reason}", at=returned_at,
        )  # fmt: skip
        # A settled_in_full account reopened here also needs its settlement's write-off
        # undone: the offers work records write-offs and reverses them at this point.
        values = {
            "client_id": payment["client_id"],
            "account_id": payment["account_id"],
            "payment_id": payment_id,
            "amount_cents": amount,
            "reason": data.reason,
            "returned_at": returned_at,
            "credit_removed_cents": credit_removed,
            "balance_before_cents": change.balance_before_cents,
            "balance_after_cents": change.balance_after_cents,
            "account_status_after": str(change.status_after),
            "created_by": actor.id,
        }
        try:
            row = await repository.insert_reversal(values)
        except asyncpg.UniqueViolationError:
            raise PaymentAlreadyReversed("the payment is already reversed") from None
        await audit.record(
            actor, "payment.reverse", "payment_reversal", row["id"],
            client_id=payment["client_id"], after=values,
        )  # fmt: skip
    return _reversal_read(row)


# --- the account detail's `money` section -------------------------------------------------


async def money_section(actor: Principal, account_id: UUID) -> MoneySection:
    """Payments, credit due back and balance history; the account is the caller's (the
    detail checked it before asking its sections)."""
    payments = await repository.account_payments(account_id, None, _SECTION_PAYMENTS)
    history = await repository.balance_history(account_id, _SECTION_HISTORY)
    paid, credit = await repository.paid_and_credit(account_id)
    return MoneySection(
        paid_cents=paid,
        credit_cents=credit,
        refund_due=credit > 0,
        payments=[_payment_read(row) for row in payments],
        history=[
            Movement(
                kind=h["kind"],
                movement_id=h["movement_id"],
                payment_id=h["payment_id"],
                at=h["at"],
                amount_cents=h["amount_cents"],
                balance_after_cents=h["balance_after_cents"],
            )
            for h in history
        ],
    )


placements.account_sections["money"] = money_section
