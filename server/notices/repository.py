"""Every query of notices."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from server.kit import db
from server.kit.pagination import created_keyset, cursor_params


async def preference(user_id: UUID) -> asyncpg.Record | None:
    return await db.fetchrow(
        "SELECT email, switched_off FROM notice_preference WHERE user_id = $1", user_id
    )


async def save_preference(
    user_id: UUID, client_id: UUID, email: str | None, switched_off: list[str], at: datetime
) -> None:
    await db.execute(
        """
        INSERT INTO notice_preference (id, user_id, client_id, email, switched_off, updated_at)
        VALUES (gen_random_uuid(), $1, $2, $3, $4::varchar[], $5)
        ON CONFLICT (user_id) DO UPDATE
            SET email = EXCLUDED.email, switched_off = EXCLUDED.switched_off,
                updated_at = EXCLUDED.updated_at
        """,
        user_id, client_id, email, switched_off, at,
    )  # fmt: skip


async def enqueue_for_client(
    client_id: UUID, kind: str, subject: str, body: str, domain: str, at: datetime
) -> int:
    """One notice per active user of the client with an address who has not switched the
    kind off, in one statement; how many."""
    result = await db.execute(
        """
        WITH recipient AS (
            SELECT gen_random_uuid() AS id, p.user_id, p.email
            FROM notice_preference p JOIN app_user u ON u.id = p.user_id
            WHERE p.client_id = $1 AND u.client_id = $1 AND u.active
              AND p.email IS NOT NULL AND NOT ($2::text = ANY(p.switched_off))
        )
        INSERT INTO notice_outbox (id, client_id, user_id, kind, recipient, subject, body,
            message_id, status, attempts, next_attempt_at, created_at)
        SELECT r.id, $1, r.user_id, $2, r.email, $3, $4,
            '<notice.' || r.id || '@' || $5 || '>', 'queued', 0, $6, $6
        FROM recipient r
        """,
        client_id, kind, subject, body, domain, at,
    )  # fmt: skip
    return int(result.rsplit(" ", 1)[-1])


async def claim_due(now: datetime) -> asyncpg.Record | None:
    """The oldest queued notice due now, locked for the caller's transaction; one another
    sender holds is passed over (its sender is sending it)."""
    return await db.fetchrow(
        """
        SELECT id, recipient, subject, body, message_id, attempts, created_at
        FROM notice_outbox
        WHERE status = 'queued' AND next_attempt_at <= $1
        ORDER BY next_attempt_at, id
        LIMIT 1
        FOR UPDATE SKIP LOCKED
        """,
        now,
    )


async def count_due(now: datetime) -> int:
    return int(
        await db.fetchval(
            "SELECT count(*) FROM notice_outbox WHERE status = 'queued' AND next_attempt_at <= $1",
            now,
        )
    )


async def mark_sent(notice_id: UUID, at: datetime) -> None:
    await db.execute(
        "UPDATE notice_outbox SET status = 'sent', attempts = attempts + 1, sent_at = $2,"
        " last_error = NULL WHERE id = $1",
        notice_id,
        at,
    )


async def record_failure(notice_id: UUID, error: str, retry_at: datetime | None) -> None:
    """A failed attempt: tried again at `retry_at`, or failed for good when None."""
    await db.execute(
        """
        UPDATE notice_outbox SET attempts = attempts + 1, last_error = $2,
            status = CASE WHEN $3::timestamptz IS NULL THEN 'failed' ELSE 'queued' END,
            next_attempt_at = coalesce($3::timestamptz, next_attempt_at)
        WHERE id = $1
        """,
        notice_id,
        error,
        retry_at,
    )


_COLUMNS = """
    id AS notice_id, client_id, user_id, kind, recipient, subject, body, message_id, status,
    attempts, next_attempt_at, last_error, created_at, sent_at
"""
_ORDER = created_keyset("notice_outbox")


async def outbox(
    status: str | None, after: tuple[datetime, UUID] | None, limit: int
) -> list[asyncpg.Record]:
    return await db.fetch(
        f"""
        SELECT {_COLUMNS} FROM notice_outbox
        WHERE ($1::text IS NULL OR status = $1) AND {_ORDER.after(2)}
        {_ORDER.order_by}
        LIMIT $4
        """,  # noqa: S608
        status,
        *cursor_params(after),
        limit,
    )


async def outbox_counts() -> dict[str, int]:
    rows = await db.fetch("SELECT status, count(*) AS n FROM notice_outbox GROUP BY status")
    return {r["status"]: int(r["n"]) for r in rows}
