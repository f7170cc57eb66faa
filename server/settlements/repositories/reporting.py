"""Money figures for the client portal's dashboard."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import asyncpg

from server.kit import db


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


async def debtor_names_of_accounts(client_id: UUID, account_ids: list[UUID]) -> dict[UUID, str]:
    """The debtor's name on each of the client's accounts, for a statement line or an
    export row: first and last name only (never the date of birth or anything else of the
    person). The one place documents read a debtor's name, inside the client's accounts."""
    rows = await db.fetch(
        """
        SELECT a.id, concat_ws(' ', d.first_name, d.last_name) AS debtor_name
        FROM account a
        -- The name the client itself gave: its documents never show another's.
        LEFT JOIN debtor_profile d ON d.debtor_id = a.debtor_id AND d.client_id = a.client_id
        WHERE a.client_id = $1 AND a.id = ANY($2::uuid[])
        """,
        client_id,
        account_ids,
    )
    return {row["id"]: row["debtor_name"] for row in rows}


async def money_in_flight(client_id: UUID, today: date) -> asyncpg.Record:
    """What the agency holds for the client and has not put on a statement: payments to
    the agency, not reversed, cleared by `today` (waiting for their period to end) or not
    yet cleared; and, beside them, what went straight to the client."""
    row = await db.fetchrow(
        """
        SELECT
            COALESCE(sum(p.amount_cents) FILTER (WHERE p.paid_to = 'agency'
                AND p.cleared_on <= $2 AND NOT on_statement), 0)::bigint AS cleared_cents,
            COALESCE(sum(p.amount_cents) FILTER (WHERE p.paid_to = 'agency'
                AND p.cleared_on > $2 AND NOT on_statement), 0)::bigint AS clearing_cents,
            COALESCE(sum(p.amount_cents) FILTER (WHERE p.paid_to = 'client'), 0)::bigint
                AS direct_cents
        FROM payment p
        CROSS JOIN LATERAL (SELECT EXISTS (SELECT FROM statement_line l
            WHERE l.movement_kind = 'payment' AND l.movement_id = p.id) AS on_statement) s
        WHERE p.client_id = $1
          AND NOT EXISTS (SELECT FROM payment_reversal r WHERE r.payment_id = p.id)
        """,
        client_id,
        today,
    )
    assert row is not None
    return row


async def recovery_since(client_id: UUID, placed_before: datetime) -> asyncpg.Record:
    """Balance placed and money collected (payments less reversals) on the client's
    accounts placed before `placed_before`, and the count and balance of the others."""
    row = await db.fetchrow(
        """
        WITH a AS (
            SELECT a.id, a.placed_balance_cents, a.created_at < $2 AS old FROM account a
            WHERE a.client_id = $1
        ), money AS (
            SELECT p.account_id, p.amount_cents AS cents FROM payment p WHERE p.client_id = $1
            UNION ALL
            SELECT r.account_id, -r.amount_cents FROM payment_reversal r WHERE r.client_id = $1
        )
        SELECT
            COALESCE((SELECT sum(placed_balance_cents) FROM a WHERE old), 0)::bigint
                AS old_placed_cents,
            COALESCE((SELECT sum(m.cents) FROM money m JOIN a ON a.id = m.account_id
                      WHERE a.old), 0)::bigint AS old_collected_cents,
            (SELECT count(*) FROM a WHERE NOT old) AS young_accounts,
            COALESCE((SELECT sum(placed_balance_cents) FROM a WHERE NOT old), 0)::bigint
                AS young_placed_cents
        """,
        client_id,
        placed_before,
    )
    assert row is not None
    return row


async def accounts_export(client_id: UUID, after: UUID | None, limit: int) -> list[asyncpg.Record]:
    """A batch of the client's accounts in id order after `after`, with their payments'
    count, what they collected (less reversals) and the last date one was received."""
    return await db.fetch(
        """
        SELECT a.id, a.client_account_number, a.status, a.created_at, a.placed_balance_cents,
               a.balance_cents, COALESCE(p.n, 0) AS payments,
               (COALESCE(p.cents, 0) - COALESCE(r.cents, 0))::bigint AS collected_cents,
               p.last_on AS last_payment_on, a.disputed_since
        FROM account a
        LEFT JOIN LATERAL (SELECT count(*) AS n, sum(amount_cents) AS cents,
                                  max(received_on) AS last_on
                           FROM payment WHERE account_id = a.id) p ON true
        LEFT JOIN LATERAL (SELECT sum(amount_cents) AS cents FROM payment_reversal
                           WHERE account_id = a.id) r ON true
        WHERE a.client_id = $1 AND ($2::uuid IS NULL OR a.id > $2)
        ORDER BY a.id
        LIMIT $3
        """,
        client_id,
        after,
        limit,
    )
