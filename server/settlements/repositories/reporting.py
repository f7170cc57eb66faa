"""Money figures for the client portal's dashboard."""

from __future__ import annotations

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
        FROM account a JOIN debtor d ON d.id = a.debtor_id
        WHERE a.client_id = $1 AND a.id = ANY($2::uuid[])
        """,
        client_id,
        account_ids,
    )
    return {row["id"]: row["debtor_name"] for row in rows}
