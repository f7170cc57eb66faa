"""Payment reversals: the bank taking a payment back."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from server.kit import db

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
