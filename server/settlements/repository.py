"""Every query of payments, reversals and idempotency keys."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from server import db

# --- idempotency keys ---------------------------------------------------------------------


async def claim_idempotency_key(
    *, scope: str, key: str, client_id: UUID, operation: str, request_hash: str
) -> bool:
    """True if this transaction now holds the key. Another transaction holding it
    uncommitted makes this wait for its outcome (the unique index), so two requests with
    one key never both proceed: the second finds the first's answer or, if the first
    rolled back, takes the key itself."""
    claimed = await db.fetchval(
        """
        INSERT INTO idempotency_key (id, scope, key, client_id, operation, request_hash,
            created_at)
        VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, now())
        ON CONFLICT (scope, key) DO NOTHING
        RETURNING true
        """,
        scope,
        key,
        client_id,
        operation,
        request_hash,
    )
    return bool(claimed)


async def idempotency_key(scope: str, key: str) -> asyncpg.Record | None:
    return await db.fetchrow(
        """
        SELECT client_id, operation, request_hash, status_code, response_body
        FROM idempotency_key WHERE scope = $1 AND key = $2
        """,
        scope,
        key,
    )


async def store_idempotent_response(scope: str, key: str, status_code: int, body: str) -> None:
    await db.execute(
        "UPDATE idempotency_key SET status_code = $3, response_body = $4"
        " WHERE scope = $1 AND key = $2",
        scope,
        key,
        status_code,
        body,
    )


async def purge_idempotency_keys(older_than: timedelta, batch: int) -> int:
    """Delete up to `batch` keys older than `older_than`; batched so that a backlog never
    holds many row locks or one long transaction."""
    result = await db.execute(
        """
        DELETE FROM idempotency_key WHERE id IN (
            SELECT id FROM idempotency_key WHERE created_at < now() - $1::interval
            ORDER BY created_at LIMIT $2)
        """,
        older_than,
        batch,
    )
    return int(result.split()[-1])


# --- payments -----------------------------------------------------------------------------

_PAYMENT_COLUMNS = """
    p.id, p.client_id, p.account_id, p.amount_cents, p.method, p.paid_to, p.received_on,
    p.received_at, p.cleared_on, p.processor_reference, p.notes, p.offer_id, p.fee_rate_bps,
    p.applied_cents, p.credit_cents, p.balance_before_cents, p.balance_after_cents,
    p.account_status_after, p.created_at,
    r.id AS reversal_id, r.reason AS reversal_reason, r.returned_at AS reversal_returned_at
"""
_PAYMENT_FROM = "payment p LEFT JOIN payment_reversal r ON r.payment_id = p.id"


async def insert_payment(values: dict[str, Any]) -> UUID:
    payment_id: UUID = await db.fetchval(
        """
        INSERT INTO payment (id, client_id, account_id, amount_cents, method, paid_to,
            received_on, received_at, cleared_on, processor_reference, notes, offer_id,
            fee_rate_bps, applied_cents, credit_cents, balance_before_cents,
            balance_after_cents, account_status_after, idempotency_scope, idempotency_key,
            created_by, created_at)
        VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
            $15, $16, $17, $18, $19, $20, now())
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
    )
    return payment_id


async def payment(payment_id: UUID) -> asyncpg.Record | None:
    return await db.fetchrow(
        f"SELECT {_PAYMENT_COLUMNS} FROM {_PAYMENT_FROM} WHERE p.id = $1",  # noqa: S608
        payment_id,
    )


async def account_payments(
    account_id: UUID, after: tuple[datetime, UUID] | None, limit: int
) -> list[asyncpg.Record]:
    return await db.fetch(
        f"""
        SELECT {_PAYMENT_COLUMNS} FROM {_PAYMENT_FROM}
        WHERE p.account_id = $1
          AND ($2::timestamptz IS NULL OR (p.created_at, p.id) < ($2, $3))
        ORDER BY p.created_at DESC, p.id DESC
        LIMIT $4
        """,  # noqa: S608
        account_id,
        after[0] if after else None,
        after[1] if after else None,
        limit,
    )


async def paid_and_credit(account_id: UUID) -> tuple[int, int]:
    """What was paid on the account and not taken back, and the credit it holds for the
    debtor: every payment's excess over the balance, less what reversals took back."""
    row = await db.fetchrow(
        """
        SELECT COALESCE(p.amount, 0) - COALESCE(r.amount, 0) AS paid,
               COALESCE(p.credit, 0) - COALESCE(r.credit, 0) AS credit
        FROM (SELECT sum(amount_cents) AS amount, sum(credit_cents) AS credit
              FROM payment WHERE account_id = $1) p,
             (SELECT sum(amount_cents) AS amount, sum(credit_removed_cents) AS credit
              FROM payment_reversal WHERE account_id = $1) r
        """,
        account_id,
    )
    assert row is not None
    return int(row["paid"]), int(row["credit"])


# --- reversals ----------------------------------------------------------------------------

_REVERSAL_COLUMNS = """
    id, client_id, account_id, payment_id, amount_cents, reason, returned_at,
    credit_removed_cents, balance_before_cents, balance_after_cents, account_status_after,
    created_at
"""


async def reversal_of(payment_id: UUID) -> asyncpg.Record | None:
    return await db.fetchrow(
        f"SELECT {_REVERSAL_COLUMNS} FROM payment_reversal WHERE payment_id = $1",  # noqa: S608
        payment_id,
    )


async def insert_reversal(values: dict[str, Any]) -> asyncpg.Record:
    record = await db.fetchrow(
        f"""
        INSERT INTO payment_reversal (id, client_id, account_id, payment_id, amount_cents,
            reason, returned_at, credit_removed_cents, balance_before_cents,
            balance_after_cents, account_status_after, created_by, created_at)
        VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now())
        RETURNING {_REVERSAL_COLUMNS}
        """,  # noqa: S608
        values["client_id"],
        values["account_id"],
        values["payment_id"],
        values["amount_cents"],
        values["reason"],
        values["returned_at"],
        values["credit_removed_cents"],
        values["balance_before_cents"],
        values["balance_after_cents"],
        values["account_status_after"],
        values["created_by"],
    )
    assert record is not None
    return record


async def balance_history(account_id: UUID, limit: int) -> list[asyncpg.Record]:
    """Payments and reversals of the account, newest first, each with the balance it left."""
    return await db.fetch(
        """
        (SELECT 'payment' AS kind, id AS movement_id, id AS payment_id, created_at AS at,
                amount_cents, balance_after_cents
         FROM payment WHERE account_id = $1)
        UNION ALL
        (SELECT 'reversal', id, payment_id, created_at, -amount_cents, balance_after_cents
         FROM payment_reversal WHERE account_id = $1)
        ORDER BY at DESC, movement_id DESC
        LIMIT $2
        """,
        account_id,
        limit,
    )
