"""Every query of disputes."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import asyncpg

from server.kit import db
from server.kit.pagination import Keyset, created_keyset, cursor_params, visible_param

_COLUMNS = """
    d.id AS dispute_id, d.account_id, d.client_id, d.kind, d.channel, d.received_at,
    d.received_on, d.scope, d.disputed_cents, d.words, d.timeliness, d.blocks_collection,
    d.source, d.recorded_by, d.created_at, d.answered_at, d.duplicate_of, d.duplicate_reason,
    d.duplicate_marked_by, d.duplicate_marked_at, d.answered_by_letter_id
"""


async def insert_dispute(
    *,
    account_id: UUID,
    client_id: UUID,
    kind: str,
    channel: str,
    received_at: datetime,
    received_on: date,
    scope: str,
    disputed_cents: int | None,
    words: str,
    timeliness: str,
    blocks_collection: bool,
    source: str,
    recorded_by: UUID,
) -> asyncpg.Record:
    row = await db.fetchrow(
        f"""
        WITH d AS (
            INSERT INTO dispute (id, account_id, client_id, kind, channel, received_at,
                received_on, scope, disputed_cents, words, timeliness, blocks_collection,
                source, recorded_by, created_at)
            VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
                now()) -- clock-ok: write time
            RETURNING *
        )
        SELECT {_COLUMNS} FROM d
        """,  # noqa: S608
        account_id, client_id, kind, channel, received_at, received_on, scope, disputed_cents,
        words, timeliness, blocks_collection, source, recorded_by,
    )  # fmt: skip
    assert row is not None
    return row


_ACCOUNT_ORDER = created_keyset("d")


# $1 the account, $2-$3 the cursor, $4 the limit.
DISPUTES_OF_ACCOUNT_SQL = f"""
    SELECT {_COLUMNS} FROM dispute d
    WHERE d.account_id = $1 AND {_ACCOUNT_ORDER.after(2)}
    {_ACCOUNT_ORDER.order_by}
    LIMIT $4
"""  # noqa: S608


async def disputes_of_account(
    account_id: UUID, after: tuple[datetime, UUID] | None, limit: int
) -> list[asyncpg.Record]:
    return await db.fetch(
        DISPUTES_OF_ACCOUNT_SQL,
        account_id,
        *cursor_params(after),
        limit,
    )


# Oldest first: the aging report puts what has waited longest at the top.
OPEN_ORDER = Keyset((("d.received_at", "timestamptz"), ("d.id", "uuid")), ascending=True)


async def open_disputes(
    visible: frozenset[UUID] | None, after: tuple[datetime, UUID] | None, limit: int
) -> list[asyncpg.Record]:
    # The client filter is inside the query (STYLE 14): a client reads only its own.
    return await db.fetch(
        f"""
        SELECT {_COLUMNS}, a.client_account_number, r.id AS verification_request_id,
            r.status AS verification_status, r.due_on AS verification_due_on
        FROM dispute d
        JOIN account a ON a.id = d.account_id
        LEFT JOIN verification_request r ON r.dispute_id = d.id
        WHERE d.answered_at IS NULL
          AND ($1::uuid[] IS NULL OR d.client_id = ANY($1::uuid[]))
          AND {OPEN_ORDER.after(2)}
        {OPEN_ORDER.order_by}
        LIMIT $4
        """,  # noqa: S608
        visible_param(visible),
        *cursor_params(after),
        limit,
    )


async def dispute(dispute_id: UUID, *, for_update: bool = False) -> asyncpg.Record | None:
    lock = " FOR UPDATE" if for_update else ""
    return await db.fetchrow(
        f"SELECT {_COLUMNS} FROM dispute d WHERE d.id = $1{lock}",  # noqa: S608
        dispute_id,
    )


async def mark_duplicate(
    dispute_id: UUID, duplicate_of: UUID, reason: str, marked_by: UUID, at: datetime
) -> asyncpg.Record:
    row = await db.fetchrow(
        f"""
        WITH d AS (
            UPDATE dispute SET duplicate_of = $2, duplicate_reason = $3,
                duplicate_marked_by = $4, duplicate_marked_at = $5
            WHERE id = $1 RETURNING *
        )
        SELECT {_COLUMNS} FROM d
        """,  # noqa: S608
        dispute_id, duplicate_of, reason, marked_by, at,
    )  # fmt: skip
    assert row is not None
    return row
