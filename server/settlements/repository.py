"""Every query of payments, reversals and idempotency keys."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from server.kit import db
from server.kit.pagination import cursor_params, visible_param

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
        VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, now()) -- clock-ok: the key's write time
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


async def purge_idempotency_keys(before: datetime, batch: int) -> int:
    """Delete up to `batch` keys made before `before`; batched so that a backlog never
    holds many row locks or one long transaction."""
    result = await db.execute(
        """
        DELETE FROM idempotency_key WHERE id IN (
            SELECT id FROM idempotency_key WHERE created_at < $1
            ORDER BY created_at LIMIT $2)
        """,
        before,
        batch,
    )
    return int(result.split()[-1])


# --- payments -----------------------------------------------------------------------------

_PAYMENT_COLUMNS = """
    p.id, p.client_id, p.account_id, p.amount_cents, p.method, p.paid_to, p.received_on,
    p.received_at, p.cleared_on, p.processor_reference, p.notes, p.offer_id, p.fee_rate_bps,
    p.applied_cents, p.credit_cents, p.balance_before_cents, p.balance_after_cents,
    COALESCE(settled.to_status, p.account_status_after) AS account_status_after, p.created_at,
    r.id AS reversal_id, r.reason AS reversal_reason, r.returned_at AS reversal_returned_at
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
            created_by, created_at)
        VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
            $15, $16, $17, $18, $19, $20, $21)
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
    )
    return payment_id


async def payment(payment_id: UUID) -> asyncpg.Record | None:
    return await db.fetchrow(
        f"SELECT {_PAYMENT_COLUMNS} FROM {_PAYMENT_FROM} WHERE p.id = $1",  # noqa: S608
        payment_id,
    )


async def account_payments(
    account_id: UUID, agency_tz: str, after: Sequence[Any] | None, limit: int
) -> list[asyncpg.Record]:
    """Newest first by (received, recorded, id): a payment received earlier but recorded
    later (a back-dated one) takes its place by when it was received; `received_sort` is
    the first part of the key (see _RECEIVED)."""
    received = _RECEIVED.format(tz="$2")
    return await db.fetch(
        f"""
        SELECT {_PAYMENT_COLUMNS}, {received} AS received_sort FROM {_PAYMENT_FROM}
        WHERE p.account_id = $1
          AND ($3::timestamptz IS NULL OR ({received}, p.created_at, p.id) < ($3, $4, $5))
        ORDER BY {received} DESC, p.created_at DESC, p.id DESC
        LIMIT $6
        """,  # noqa: S608
        account_id,
        agency_tz,
        *cursor_params(after, 3),
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
        VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
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
        values["recorded_at"],
    )
    assert record is not None
    return record


async def account_ledgers(account_ids: list[UUID], agency_tz: str) -> list[asyncpg.Record]:
    """Every movement of the accounts' balances, account by account, in the order they
    took effect: payments by when they were received, reversals by when the bank returned
    the money, a client's adjustment by the day it dated it; a settlement's write-off
    straight after the payment that paid it, and its undoing straight after the reversal
    that undid it. Ties go to the one recorded first, then the id, so the order is total.

    `amount_cents` as stored (a payment's and a reversal's positive, an adjustment's
    signed); `balance_before_cents` as it was when the movement was posted."""
    received = _RECEIVED.format(tz="$2")
    return await db.fetch(
        f"""
        SELECT * FROM (
            SELECT p.account_id, 'payment' AS kind, p.id AS movement_id, p.id AS payment_id,
                   {received} AS at, p.created_at AS recorded_at, p.id AS cause_id,
                   0 AS consequence, p.amount_cents, p.balance_before_cents, p.created_at
            FROM payment p WHERE p.account_id = ANY($1::uuid[])
            UNION ALL
            SELECT r.account_id, 'reversal', r.id, r.payment_id, r.returned_at, r.created_at,
                   r.id, 0, r.amount_cents, r.balance_before_cents, r.created_at
            FROM payment_reversal r WHERE r.account_id = ANY($1::uuid[])
            UNION ALL
            SELECT b.account_id, b.kind, b.id, b.payment_id,
                   CASE b.kind
                       WHEN 'settlement_write_off' THEN {received}
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
        """,  # noqa: S608
        account_ids,
        agency_tz,
    )


# --- offers -------------------------------------------------------------------------------

LIVE_OFFER_STATUSES = ("pending_supervisor", "pending_client", "accepted")

_OFFER_COLUMNS = """
    o.id, o.client_id, o.account_id, o.kind, o.amount_cents, o.balance_cents, o.offered_on,
    o.band, o.status, o.created_by, o.created_at, o.decided_by, o.decided_role,
    o.decided_at, o.decision_reason, o.accepted_at, o.due_on, o.closed_at, o.closed_reason,
    o.updated_at,
    COALESCE((SELECT json_agg(json_build_object('seq', i.seq, 'due_date', i.due_date,
                                                'amount_cents', i.amount_cents)
                              ORDER BY i.seq)::text
              FROM offer_installment i WHERE i.offer_id = o.id), '[]') AS installments,
    (SELECT COALESCE(sum(p.amount_cents), 0) - COALESCE(sum(r.amount_cents), 0)
     FROM payment p LEFT JOIN payment_reversal r ON r.payment_id = p.id
     WHERE p.offer_id = o.id) AS paid_cents
"""


async def insert_offer(values: dict[str, Any], installments: list[tuple[Any, int]]) -> UUID:
    offer_id: UUID = await db.fetchval(
        """
        INSERT INTO offer (id, client_id, account_id, kind, amount_cents, balance_cents,
            offered_on, band, status, created_by, created_at, accepted_at, due_on, updated_at)
        VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8::text, $9,
            now(), -- clock-ok: when the offer was made
            CASE WHEN $8::text = 'accepted' THEN now() END, -- clock-ok: when accepted
            $10, now()) -- clock-ok: the row's write time
        RETURNING id
        """,
        values["client_id"], values["account_id"], values["kind"], values["amount_cents"],
        values["balance_cents"], values["offered_on"], values["band"], values["status"],
        values["created_by"], values["due_on"],
    )  # fmt: skip
    if installments:
        # One statement for the whole schedule, however long.
        await db.execute(
            """
            INSERT INTO offer_installment (id, client_id, offer_id, seq, due_date, amount_cents)
            SELECT gen_random_uuid(), $1, $2, s.seq, s.due_date, s.amount_cents
            FROM unnest($3::date[], $4::bigint[]) WITH ORDINALITY
                AS s(due_date, amount_cents, seq)
            """,
            values["client_id"], offer_id, [d for d, _ in installments],
            [a for _, a in installments],
        )  # fmt: skip
    return offer_id


async def offer(offer_id: UUID, *, for_update: bool = False) -> asyncpg.Record | None:
    if for_update:
        # Lock the row first: the columns computed from other tables are read after it.
        await db.execute("SELECT 1 FROM offer WHERE id = $1 FOR UPDATE", offer_id)
    return await db.fetchrow(
        f"SELECT {_OFFER_COLUMNS} FROM offer o WHERE o.id = $1",  # noqa: S608
        offer_id,
    )


async def accepted_offer_of(account_id: UUID) -> UUID | None:
    value: UUID | None = await db.fetchval(
        "SELECT id FROM offer WHERE account_id = $1 AND status = 'accepted'", account_id
    )
    return value


async def live_offer_of(account_id: UUID) -> UUID | None:
    value: UUID | None = await db.fetchval(
        "SELECT id FROM offer WHERE account_id = $1 AND status = ANY($2::text[])",
        account_id,
        list(LIVE_OFFER_STATUSES),
    )
    return value


async def list_offers(
    *,
    visible: frozenset[UUID] | None,
    client_id: UUID | None,
    account_id: UUID | None,
    status: str | None,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[asyncpg.Record]:
    return await db.fetch(
        f"""
        SELECT {_OFFER_COLUMNS} FROM offer o
        WHERE ($1::uuid[] IS NULL OR o.client_id = ANY($1::uuid[]))
          AND ($2::uuid IS NULL OR o.client_id = $2)
          AND ($3::uuid IS NULL OR o.account_id = $3)
          AND ($4::text IS NULL OR o.status = $4)
          AND ($5::timestamptz IS NULL OR (o.created_at, o.id) < ($5, $6))
        ORDER BY o.created_at DESC, o.id DESC
        LIMIT $7
        """,  # noqa: S608
        visible_param(visible),
        client_id,
        account_id,
        status,
        *cursor_params(after),
        limit,
    )


async def decide_offer(
    offer_id: UUID,
    status: str,
    *,
    actor_id: UUID,
    role: str,
    reason: str | None,
    due_on: date | None,
) -> None:
    await db.execute(
        """
        UPDATE offer SET status = $2::text, decided_by = $3, decided_role = $4,
            decided_at = now(), decision_reason = $5, -- clock-ok: when the offer was decided
            accepted_at = CASE WHEN $2::text = 'accepted' THEN now() END, -- clock-ok: accepted
            due_on = $6, updated_at = now() -- clock-ok: the row's write time
        WHERE id = $1
        """,
        offer_id, status, actor_id, role, reason, due_on,
    )  # fmt: skip


async def close_offer(offer_id: UUID, status: str, reason: str) -> None:
    await db.execute(
        """
        UPDATE offer SET status = $2,
            closed_at = now(), -- clock-ok: when the offer was closed
            closed_reason = $3, updated_at = now() -- clock-ok: the row's write time
        WHERE id = $1
        """,
        offer_id,
        status,
        reason,
    )


async def reopen_offer(offer_id: UUID, reason: str) -> None:
    """A fulfilled offer whose money was reversed is owed again."""
    await db.execute(
        """
        UPDATE offer SET status = 'accepted', closed_at = NULL, closed_reason = $2,
            updated_at = now() -- clock-ok: the row's write time
        WHERE id = $1
        """,
        offer_id,
        reason,
    )


async def lapsed_offers(
    today: date, grace_days: int, only: UUID | None = None
) -> list[asyncpg.Record]:
    """Accepted offers past their time, as (id, account_id, kind, why): a plan with an
    instalment unpaid more than `grace_days` after its due date (counting what was paid
    against the offer toward the instalments in order), a lump sum not paid in full by its
    due date. Set-based: the nightly sweep reads every accepted offer at once."""
    return await db.fetch(
        """
        WITH paid AS (
            SELECT p.offer_id, sum(p.amount_cents) - COALESCE(sum(r.amount_cents), 0) AS cents
            FROM payment p LEFT JOIN payment_reversal r ON r.payment_id = p.id
            WHERE p.offer_id IS NOT NULL
            GROUP BY p.offer_id
        ),
        owed AS (
            SELECT i.offer_id, i.due_date,
                   sum(i.amount_cents) OVER (PARTITION BY i.offer_id ORDER BY i.seq) AS cumulative
            FROM offer_installment i JOIN offer o ON o.id = i.offer_id
            WHERE o.status = 'accepted' AND o.kind = 'plan'
        )
        SELECT o.id, o.account_id, o.kind, min(w.due_date) AS missed_due_date
        FROM offer o
        JOIN owed w ON w.offer_id = o.id
        LEFT JOIN paid ON paid.offer_id = o.id
        WHERE w.due_date + $2::int < $1::date AND w.cumulative > COALESCE(paid.cents, 0)
          AND ($3::uuid IS NULL OR o.id = $3)
        GROUP BY o.id, o.account_id, o.kind
        UNION ALL
        SELECT o.id, o.account_id, o.kind, o.due_on
        FROM offer o LEFT JOIN paid ON paid.offer_id = o.id
        WHERE o.status = 'accepted' AND o.kind = 'lump_sum' AND o.due_on < $1::date
          AND COALESCE(paid.cents, 0) < o.amount_cents AND ($3::uuid IS NULL OR o.id = $3)
        """,
        today,
        grace_days,
        only,
    )


async def insert_adjustment(values: dict[str, Any]) -> UUID:
    adjustment_id: UUID = await db.fetchval(
        """
        INSERT INTO balance_adjustment (id, client_id, account_id, offer_id, kind,
            amount_cents, payment_id, reversal_id, undoes_id, balance_before_cents,
            balance_after_cents, reason, effective_on, created_by, created_at)
        VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
            now()) -- clock-ok: the row's write time
        RETURNING id
        """,
        values["client_id"], values["account_id"], values.get("offer_id"), values["kind"],
        values["amount_cents"], values.get("payment_id"), values.get("reversal_id"),
        values.get("undoes_id"), values["balance_before_cents"], values["balance_after_cents"],
        values.get("reason"), values.get("effective_on"), values["created_by"],
    )  # fmt: skip
    return adjustment_id


async def write_off_by(payment_id: UUID) -> asyncpg.Record | None:
    """The settlement write-off the payment caused, if it is not undone yet."""
    return await db.fetchrow(
        """
        SELECT w.id, w.offer_id, w.amount_cents FROM balance_adjustment w
        WHERE w.payment_id = $1 AND w.kind = 'settlement_write_off'
          AND NOT EXISTS (SELECT 1 FROM balance_adjustment u WHERE u.undoes_id = w.id)
        """,
        payment_id,
    )


# --- client transactions (financial files) ------------------------------------------------

_CLIENT_TRANSACTION_COLUMNS = """
    id, client_id, placement_id, line, transaction_id, kind, account_id, payment_id,
    reversal_id, adjustment_id, created_at
"""


async def client_transaction_at(placement_id: UUID, line: int) -> asyncpg.Record | None:
    return await db.fetchrow(
        f"SELECT {_CLIENT_TRANSACTION_COLUMNS} FROM client_transaction"  # noqa: S608
        " WHERE placement_id = $1 AND line = $2",
        placement_id,
        line,
    )


async def client_transaction_by_id(client_id: UUID, transaction_id: str) -> asyncpg.Record | None:
    return await db.fetchrow(
        f"SELECT {_CLIENT_TRANSACTION_COLUMNS} FROM client_transaction"  # noqa: S608
        " WHERE client_id = $1 AND transaction_id = $2",
        client_id,
        transaction_id,
    )


async def insert_client_transaction(values: dict[str, Any]) -> UUID:
    transaction_id: UUID = await db.fetchval(
        """
        INSERT INTO client_transaction (id, client_id, placement_id, line, transaction_id,
            kind, account_id, payment_id, reversal_id, adjustment_id, created_at)
        VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9,
            now()) -- clock-ok: the row's write time
        RETURNING id
        """,
        values["client_id"], values["placement_id"], values["line"], values["transaction_id"],
        values["kind"], values["account_id"], values.get("payment_id"),
        values.get("reversal_id"), values.get("adjustment_id"),
    )  # fmt: skip
    return transaction_id


async def client_transactions_after(
    placement_id: UUID, after_line: int, limit: int
) -> list[asyncpg.Record]:
    """A financial placement's applied rows in line order, each with its movement and the
    amount as the file gave it (an adjustment signed)."""
    return await db.fetch(
        """
        SELECT t.line, t.kind, t.transaction_id, t.account_id,
               coalesce(t.reversal_id, t.adjustment_id, t.payment_id) AS movement_id,
               coalesce(r.amount_cents, b.amount_cents, p.amount_cents) AS amount_cents
        FROM client_transaction t
        LEFT JOIN payment p ON p.id = t.payment_id
        LEFT JOIN payment_reversal r ON r.id = t.reversal_id
        LEFT JOIN balance_adjustment b ON b.id = t.adjustment_id
        WHERE t.placement_id = $1 AND t.line > $2
        ORDER BY t.line LIMIT $3
        """,
        placement_id,
        after_line,
        limit,
    )


# --- for the client portal's dashboard ------------------------------------------------------


async def client_collected(client_id: UUID) -> int:
    """Everything received on the client's accounts, less what the bank took back."""
    value = await db.fetchval(
        """
        SELECT COALESCE((SELECT sum(amount_cents) FROM payment WHERE client_id = $1), 0)
             - COALESCE((SELECT sum(amount_cents) FROM payment_reversal WHERE client_id = $1), 0)
        """,
        client_id,
    )
    return int(value)


async def liquidation_by_vintage(client_id: UUID, agency_tz: str) -> list[asyncpg.Record]:
    """Per vintage (the month, in the agency's zone, its accounts were placed): accounts,
    balance placed, and the money collected in each calendar month (payments by the month
    received, reversals by the month returned, negative), one row per month with money.

    Joins the accounts, whose placement month is the vintage, in SQL: grouping every
    payment of a client by it is one pass here and a row per payment through Python
    otherwise."""
    return await db.fetch(
        """
        WITH placed AS (
            SELECT date_trunc('month', a.created_at AT TIME ZONE $2)::date AS vintage,
                   count(*) AS accounts, sum(a.placed_balance_cents) AS placed_cents
            FROM account a WHERE a.client_id = $1 GROUP BY 1
        ), moved AS (
            SELECT date_trunc('month', a.created_at AT TIME ZONE $2)::date AS vintage,
                   date_trunc('month', p.received_on)::date AS month, p.amount_cents AS cents
            FROM payment p JOIN account a ON a.id = p.account_id
            WHERE p.client_id = $1
            UNION ALL
            SELECT date_trunc('month', a.created_at AT TIME ZONE $2)::date,
                   date_trunc('month', r.returned_at AT TIME ZONE $2)::date, -r.amount_cents
            FROM payment_reversal r JOIN account a ON a.id = r.account_id
            WHERE r.client_id = $1
        )
        SELECT pl.vintage, pl.accounts, pl.placed_cents, m.month,
               COALESCE(sum(m.cents), 0) AS collected_cents
        FROM placed pl LEFT JOIN moved m ON m.vintage = pl.vintage
        GROUP BY pl.vintage, pl.accounts, pl.placed_cents, m.month
        ORDER BY pl.vintage, m.month
        """,
        client_id,
        agency_tz,
    )
