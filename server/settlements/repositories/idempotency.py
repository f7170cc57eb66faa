"""Idempotency keys: claimed with a request, the first answer stored, old ones purged."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from server.kit import db


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
