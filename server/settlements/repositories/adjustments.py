"""Balance adjustments: a settlement's write-off, its undoing, a client's own change of a
balance."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from server.kit import db


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
