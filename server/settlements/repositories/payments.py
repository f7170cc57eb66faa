"""Payments, and the ledger of every movement of an account's balance."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg

from server.kit import db
from server.kit.pagination import Keyset, cursor_params

_PAYMENT_COLUMNS = """
    p.id, p.client_id, p.account_id, p.amount_cents, p.method, p.paid_to, p.received_on,
    p.received_at, p.cleared_on, p.processor_reference, p.notes, p.offer_id, p.fee_rate_bps,
    p.applied_cents, p.credit_cents, p.balance_before_cents, p.balance_after_cents,
    COALESCE(settled.to_status, p.account_status_after) AS account_status_after, p.created_at,
    p.left_collection, r.id AS reversal_id, r.reason AS reversal_reason,
    r.returned_at AS reversal_returned_at
"""
# The status a payment left is the one after everything it did: a payment that paid a
# settlement wrote off the rest in the same transaction, and that write-off's status
# change (same transaction, same `now()`) is the account's status once the payment landed.
_PAYMENT_FROM = """
    payment p LEFT JOIN payment_reversal r ON r.payment_id = p.id
    LEFT JOIN LATERAL (
        SELECT h.to_status FROM balance_adjustment w
        JOIN account_status_change h ON h.account_id = w.account_id
             AND h.action = 'settlement' AND h.created_at = w.created_at
        -- By the account first: its index finds the few adjustments it has.
        WHERE w.account_id = p.account_id AND w.payment_id = p.id
          AND w.kind = 'settlement_write_off'
        ORDER BY w.created_at, h.id LIMIT 1) settled ON true
"""
# When a payment was received, to order payments by: the moment given, else the start of
# the agency-local day given ($tz names the agency's zone).
_RECEIVED = "COALESCE(p.received_at, p.received_on::timestamp AT TIME ZONE {tz})"


async def insert_payment(values: dict[str, Any]) -> UUID:
    payment_id: UUID = await db.fetchval(
        """
        INSERT INTO payment (id, client_id, account_id, amount_cents, method, paid_to,
            received_on, received_at, cleared_on, processor_reference, notes, offer_id,
            fee_rate_bps, applied_cents, credit_cents, balance_before_cents,
            balance_after_cents, account_status_after, idempotency_scope, idempotency_key,
            created_by, created_at, left_collection)
        VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
            $15, $16, $17, $18, $19, $20, $21, $22)
        RETURNING id
        """,
        values["client_id"],
        values["account_id"],
        values["amount_cents"],
        values["method"],
        values["paid_to"],
        values["received_on"],
        values["received_at"],
        values["cleared_on"],
        values["processor_reference"],
        values["notes"],
        values["offer_id"],
        values["fee_rate_bps"],
        values["applied_cents"],
        values["credit_cents"],
        values["balance_before_cents"],
        values["balance_after_cents"],
        values["account_status_after"],
        values["idempotency_scope"],
        values["idempotency_key"],
        values["created_by"],
        values["recorded_at"],
        values["left_collection"],
    )
    return payment_id


async def payment(payment_id: UUID) -> asyncpg.Record | None:
    return await db.fetchrow(
        f"SELECT {_PAYMENT_COLUMNS} FROM {_PAYMENT_FROM} WHERE p.id = $1",  # noqa: S608
        payment_id,
    )


_RECEIVED_IN = _RECEIVED.format(tz="$2")
_ACCOUNT_PAYMENTS_ORDER = Keyset(
    ((_RECEIVED_IN, "timestamptz"), ("p.created_at", "timestamptz"), ("p.id", "uuid"))
)
# $1 the account, $2 the agency's time zone, $3-$5 the cursor, $6 the limit.
ACCOUNT_PAYMENTS_SQL = f"""
    SELECT {_PAYMENT_COLUMNS}, {_RECEIVED_IN} AS received_sort FROM {_PAYMENT_FROM}
    WHERE p.account_id = $1 AND {_ACCOUNT_PAYMENTS_ORDER.after(3)}
    {_ACCOUNT_PAYMENTS_ORDER.order_by}
    LIMIT $6
"""  # noqa: S608


async def account_payments(
    account_id: UUID, agency_tz: str, after: Sequence[Any] | None, limit: int
) -> list[asyncpg.Record]:
    """Newest first by (received, recorded, id): a payment received earlier but recorded
    later (a back-dated one) takes its place by when it was received; `received_sort` is
    the first part of the key (see _RECEIVED)."""
    return await db.fetch(
        ACCOUNT_PAYMENTS_SQL,
        account_id,
        agency_tz,
        *cursor_params(after, _ACCOUNT_PAYMENTS_ORDER.width),
        limit,
    )


PAID_AND_CREDIT_SQL = """
    SELECT COALESCE(p.amount, 0) - COALESCE(r.amount, 0) AS paid,
           COALESCE(p.credit, 0) - COALESCE(r.credit, 0) AS credit
    FROM (SELECT sum(amount_cents) AS amount, sum(credit_cents) AS credit
          FROM payment WHERE account_id = $1) p,
         (SELECT sum(amount_cents) AS amount, sum(credit_removed_cents) AS credit
          FROM payment_reversal WHERE account_id = $1) r
"""


async def paid_and_credit(account_id: UUID) -> tuple[int, int]:
    """What was paid on the account and not taken back, and the credit it holds for the
    debtor: every payment's excess over the balance, less what reversals took back."""
    row = await db.fetchrow(PAID_AND_CREDIT_SQL, account_id)
    assert row is not None
    return int(row["paid"]), int(row["credit"])


async def account_ledgers(account_ids: list[UUID], agency_tz: str) -> list[asyncpg.Record]:
    """Every movement of the accounts' balances, account by account, in the order they
    took effect: payments by when they were received, reversals by when the bank returned
    the money, a client's adjustment by the day it dated it; a settlement's write-off
    straight after the payment that paid it, and its undoing straight after the reversal
    that undid it. Ties go to the one recorded first, then the id, so the order is total.

    `amount_cents` as stored (a payment's and a reversal's positive, an adjustment's
    signed); `balance_before_cents` as it was when the movement was posted."""
    return await db.fetch(ACCOUNT_LEDGERS_SQL, account_ids, agency_tz)


# $1 the accounts, $2 the agency's time zone (see account_ledgers).
ACCOUNT_LEDGERS_SQL = f"""
        SELECT * FROM (
            SELECT p.account_id, 'payment' AS kind, p.id AS movement_id, p.id AS payment_id,
                   {_RECEIVED_IN} AS at, p.created_at AS recorded_at, p.id AS cause_id,
                   0 AS consequence, p.amount_cents, p.balance_before_cents, p.created_at
            FROM payment p WHERE p.account_id = ANY($1::uuid[])
            UNION ALL
            SELECT r.account_id, 'reversal', r.id, r.payment_id, r.returned_at, r.created_at,
                   r.id, 0, r.amount_cents, r.balance_before_cents, r.created_at
            FROM payment_reversal r WHERE r.account_id = ANY($1::uuid[])
            UNION ALL
            SELECT b.account_id, b.kind, b.id, b.payment_id,
                   CASE b.kind
                       WHEN 'settlement_write_off' THEN {_RECEIVED_IN}
                       WHEN 'write_off_undone' THEN r.returned_at
                       ELSE COALESCE(b.effective_on::timestamp AT TIME ZONE $2, b.created_at)
                   END,
                   CASE b.kind
                       WHEN 'settlement_write_off' THEN p.created_at
                       WHEN 'write_off_undone' THEN r.created_at
                       ELSE b.created_at
                   END,
                   CASE b.kind
                       WHEN 'settlement_write_off' THEN p.id
                       WHEN 'write_off_undone' THEN r.id
                       ELSE b.id
                   END,
                   CASE WHEN b.kind = 'client_adjustment' THEN 0 ELSE 1 END,
                   b.amount_cents, b.balance_before_cents, b.created_at
            FROM balance_adjustment b
            LEFT JOIN payment p ON p.id = b.payment_id
            LEFT JOIN payment_reversal r ON r.id = b.reversal_id
            WHERE b.account_id = ANY($1::uuid[])
        ) m
        ORDER BY account_id, at, recorded_at, cause_id, consequence, movement_id
"""  # noqa: S608
