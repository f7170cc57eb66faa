"""What the judgement of promises to pay reads of payments."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from server.kit import db


async def paid_between(account_id: UUID, first: date, last: date) -> int:
    """Cents received on the account from `first` to `last` (received dates, both
    included), less what the bank took back of those payments."""
    paid = await db.fetchval(
        """
        SELECT COALESCE(sum(p.amount_cents - COALESCE(r.amount_cents, 0)), 0)
        FROM payment p LEFT JOIN payment_reversal r ON r.payment_id = p.id
        WHERE p.account_id = $1 AND p.received_on BETWEEN $2 AND $3
        """,
        account_id,
        first,
        last,
    )
    return int(paid)
