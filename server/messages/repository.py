"""Every query of messages. A thread is one account's or one placement's messages; every
read names the client inside the SQL (STYLE 14), so a thread id of another client's
finds nothing even where one person has accounts at both."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from server.kit import db
from server.kit.pagination import Keyset, created_keyset, cursor_params, visible_param

_COLUMNS = """
    m.id AS message_id, m.client_id, m.account_id, m.placement_id, m.side, m.author_id,
    m.author_name, m.body, m.created_at
"""
# Read for the reader: written by the reader's own side, or marked.
_READ = """
    (m.side = $2 OR EXISTS (SELECT 1 FROM message_read_mark r
                            WHERE r.message_id = m.id AND r.reader_id = $3)) AS read
"""
# The thread: $4 an account or $5 a placement (the other NULL), of client $1.
_THREAD = """
    m.client_id = $1 AND m.account_id IS NOT DISTINCT FROM $4::uuid
    AND m.placement_id IS NOT DISTINCT FROM $5::uuid
"""


async def insert_message(
    *,
    client_id: UUID,
    account_id: UUID | None,
    placement_id: UUID | None,
    side: str,
    author_id: UUID,
    author_name: str,
    body: str,
    at: datetime,
) -> asyncpg.Record:
    row = await db.fetchrow(
        f"""
        WITH m AS (
            INSERT INTO message (id, client_id, account_id, placement_id, side, author_id,
                author_name, body, created_at)
            VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8)
            RETURNING *
        )
        SELECT {_COLUMNS}, true AS read FROM m
        """,  # noqa: S608
        client_id, account_id, placement_id, side, author_id, author_name, body, at,
    )  # fmt: skip
    assert row is not None
    return row


_ORDER = created_keyset("m")


async def thread(
    client_id: UUID,
    account_id: UUID | None,
    placement_id: UUID | None,
    side: str,
    reader_id: UUID,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[asyncpg.Record]:
    """The thread's messages, newest first, each read or not for the reader."""
    return await db.fetch(
        f"""
        SELECT {_COLUMNS}, {_READ} FROM message m
        WHERE {_THREAD} AND {_ORDER.after(6)}
        {_ORDER.order_by}
        LIMIT $8
        """,  # noqa: S608
        client_id, side, reader_id, account_id, placement_id, *cursor_params(after), limit,
    )  # fmt: skip


async def mark_thread_read(
    client_id: UUID,
    account_id: UUID | None,
    placement_id: UUID | None,
    side: str,
    reader_id: UUID,
    at: datetime,
) -> int:
    """Marks for every message of the thread the other side wrote and the reader had not
    read, in one statement; how many."""
    result = await db.execute(
        f"""
        INSERT INTO message_read_mark (id, message_id, reader_id, client_id, read_at)
        SELECT gen_random_uuid(), m.id, $3, m.client_id, $6 FROM message m
        WHERE {_THREAD} AND m.side <> $2
        ON CONFLICT (message_id, reader_id) DO NOTHING
        """,  # noqa: S608
        client_id, side, reader_id, account_id, placement_id, at,
    )  # fmt: skip
    return int(result.rsplit(" ", 1)[-1])


async def unread_count(visible: frozenset[UUID] | None, side: str, reader_id: UUID) -> int:
    return int(
        await db.fetchval(
            """
            SELECT count(*) FROM message m
            WHERE ($1::uuid[] IS NULL OR m.client_id = ANY($1::uuid[])) AND m.side <> $2
              AND NOT EXISTS (SELECT 1 FROM message_read_mark r
                              WHERE r.message_id = m.id AND r.reader_id = $3)
            """,
            visible_param(visible),
            side,
            reader_id,
        )
    )


# Most recent first; the thread's key breaks ties.
INBOX_ORDER = Keyset((("t.last_at", "timestamptz"), ("t.thread_id", "uuid")))


async def threads(
    visible: frozenset[UUID] | None,
    side: str,
    reader_id: UUID,
    unread_only: bool,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[asyncpg.Record]:
    """The threads the reader may see, with their counts and last message."""
    return await db.fetch(
        f"""
        SELECT t.*, coalesce(a.client_account_number, p.file_name) AS label,
               last.side AS last_side, last.body AS last_body
        FROM (
            SELECT m.client_id, m.account_id, m.placement_id,
                   coalesce(m.account_id, m.placement_id) AS thread_id,
                   count(*) AS messages, max(m.created_at) AS last_at,
                   count(*) FILTER (WHERE m.side <> $2 AND NOT EXISTS (
                       SELECT 1 FROM message_read_mark r
                       WHERE r.message_id = m.id AND r.reader_id = $3)) AS unread
            FROM message m
            WHERE ($1::uuid[] IS NULL OR m.client_id = ANY($1::uuid[]))
            GROUP BY m.client_id, m.account_id, m.placement_id
        ) t
        LEFT JOIN account a ON a.id = t.account_id AND a.client_id = t.client_id
        LEFT JOIN placement p ON p.id = t.placement_id AND p.client_id = t.client_id
        CROSS JOIN LATERAL (
            SELECT m.side, m.body FROM message m
            WHERE m.client_id = t.client_id
              AND m.account_id IS NOT DISTINCT FROM t.account_id
              AND m.placement_id IS NOT DISTINCT FROM t.placement_id
            ORDER BY m.created_at DESC, m.id DESC LIMIT 1
        ) last
        WHERE (NOT $4 OR t.unread > 0) AND {INBOX_ORDER.after(5)}
        {INBOX_ORDER.order_by}
        LIMIT $7
        """,  # noqa: S608
        visible_param(visible), side, reader_id, unread_only, *cursor_params(after), limit,
    )  # fmt: skip
