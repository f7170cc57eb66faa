"""The `client_transaction` ledger: each applied row of a client's financial file."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from server.kit import db

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
