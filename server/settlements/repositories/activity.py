"""What the supervisors' figures read of payments and offers."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import asyncpg

from server.kit import db

# What the figures are grouped by: whitelisted column names, never a caller's text.
PAYMENT_GROUPS = {"collector": "p.created_by", "client": "p.client_id"}


async def payments_received(
    group: str, first: date, last: date, visible: list[UUID] | None
) -> list[asyncpg.Record]:
    """Per collector (who recorded it) or client: payments received from `first` to
    `last` (received dates, both included), and their cents less what was reversed."""
    key = PAYMENT_GROUPS[group]
    return await db.fetch(
        f"""
        SELECT {key} AS key, count(*) AS payments,
               sum(p.amount_cents - COALESCE(r.amount_cents, 0)) AS cents
        FROM payment p LEFT JOIN payment_reversal r ON r.payment_id = p.id
        WHERE p.received_on BETWEEN $1 AND $2
          AND ($3::uuid[] IS NULL OR p.client_id = ANY($3::uuid[]))
        GROUP BY 1
        """,  # noqa: S608
        first,
        last,
        visible,
    )


async def offers_awaiting(status: str, visible: list[UUID] | None) -> list[asyncpg.Record]:
    """Every offer waiting for a decision of this kind, oldest first."""
    return await db.fetch(
        """
        SELECT o.id, o.account_id, o.client_id, o.kind, o.amount_cents, o.balance_cents,
               o.created_by, o.created_at
        FROM offer o
        WHERE o.status = $1 AND ($2::uuid[] IS NULL OR o.client_id = ANY($2::uuid[]))
        ORDER BY o.created_at, o.id
        """,
        status,
        visible,
    )
