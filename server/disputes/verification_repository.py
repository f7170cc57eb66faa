"""Every query of verification requests, their documents, reminders and the letters that
answer disputes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

import asyncpg

from server.kit import db
from server.kit.pagination import Keyset, cursor_params, visible_param

_REQUEST_COLUMNS = """
    r.id AS request_id, r.dispute_id, r.account_id, r.client_id, r.opened_at, r.due_on,
    r.status, r.closed_at, r.closed_by, r.note, r.original_creditor_name,
    r.original_creditor_address, a.client_account_number,
    d.kind, d.channel, d.received_at, d.scope, d.disputed_cents, d.words, d.timeliness,
    d.blocks_collection, d.answered_at
"""
_REQUEST_FROM = """
    verification_request r
    JOIN dispute d ON d.id = r.dispute_id
    JOIN account a ON a.id = r.account_id
"""
_DOCUMENT_COLUMNS = """
    id AS document_id, request_id, client_id, kind, file_name, media_type, byte_size, sha256,
    chunk_count, uploaded_by, created_at
"""


async def insert_request(
    dispute_id: UUID, account_id: UUID, client_id: UUID, opened_at: datetime, due_on: date
) -> UUID:
    found: UUID = await db.fetchval(
        """
        INSERT INTO verification_request (id, dispute_id, account_id, client_id, opened_at,
            due_on, status)
        VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, 'open')
        RETURNING id
        """,
        dispute_id, account_id, client_id, opened_at, due_on,
    )  # fmt: skip
    return found


async def requests_by_id(request_ids: list[UUID]) -> list[asyncpg.Record]:
    """The requests named, for the letter batch (which answers every client's)."""
    return await db.fetch(
        f"SELECT {_REQUEST_COLUMNS} FROM {_REQUEST_FROM} WHERE r.id = ANY($1::uuid[])",  # noqa: S608
        request_ids,
    )


async def request(
    request_id: UUID, visible: frozenset[UUID] | None, *, for_update: bool = False
) -> asyncpg.Record | None:
    # The client filter is inside the query (STYLE 14).
    lock = " FOR UPDATE OF r" if for_update else ""
    return await db.fetchrow(
        f"""
        SELECT {_REQUEST_COLUMNS} FROM {_REQUEST_FROM}
        WHERE r.id = $1 AND ($2::uuid[] IS NULL OR r.client_id = ANY($2::uuid[])){lock}
        """,  # noqa: S608
        request_id,
        visible_param(visible),
    )


# Soonest due first: what must be answered next is at the top.
REQUEST_ORDER = Keyset((("r.due_on", "date"), ("r.id", "uuid")), ascending=True)


async def requests(
    visible: frozenset[UUID] | None,
    statuses: Sequence[str],
    after: tuple[date, UUID] | None,
    limit: int,
) -> list[asyncpg.Record]:
    return await db.fetch(
        f"""
        SELECT {_REQUEST_COLUMNS} FROM {_REQUEST_FROM}
        WHERE ($1::uuid[] IS NULL OR r.client_id = ANY($1::uuid[]))
          AND r.status = ANY($2::text[])
          AND {REQUEST_ORDER.after(3)}
        {REQUEST_ORDER.order_by}
        LIMIT $5
        """,  # noqa: S608
        visible_param(visible),
        list(statuses),
        *cursor_params(after),
        limit,
    )


REQUESTS_OF_ACCOUNT_SQL = f"""
    SELECT {_REQUEST_COLUMNS} FROM {_REQUEST_FROM}
    WHERE r.account_id = $1 ORDER BY r.opened_at DESC, r.id DESC LIMIT 50
"""  # noqa: S608


async def requests_of_account(account_id: UUID) -> list[asyncpg.Record]:
    return await db.fetch(REQUESTS_OF_ACCOUNT_SQL, account_id)


async def request_of_dispute(
    dispute_id: UUID, *, for_update: bool = False
) -> asyncpg.Record | None:
    lock = " FOR UPDATE" if for_update else ""
    return await db.fetchrow(
        f"SELECT id AS request_id, status FROM verification_request WHERE dispute_id = $1{lock}",  # noqa: S608
        dispute_id,
    )


async def close_request(
    request_id: UUID,
    status: str,
    at: datetime,
    by: UUID,
    *,
    note: str | None = None,
    creditor: tuple[str | None, str | None] = (None, None),
) -> None:
    await db.execute(
        """
        UPDATE verification_request SET status = $2, closed_at = $3, closed_by = $4, note = $5,
            original_creditor_name = $6, original_creditor_address = $7
        WHERE id = $1 AND status = 'open'
        """,
        request_id, status, at, by, note, *creditor,
    )  # fmt: skip


async def close_open_requests_of(
    conn: db.Connection | None, account_ids: Sequence[UUID], at: datetime, by: UUID
) -> None:
    """On `conn` (the transaction that moved the accounts) or the current transaction."""
    sql = """
        UPDATE verification_request SET status = 'recalled', closed_at = $2, closed_by = $3
        WHERE account_id = ANY($1::uuid[]) AND status = 'open'
    """
    if conn is None:
        await db.execute(sql, list(account_ids), at, by)
    else:
        await conn.execute(sql, list(account_ids), at, by)


# --- documents ----------------------------------------------------------------------------


async def insert_document(
    *,
    document_id: UUID,
    request_id: UUID,
    client_id: UUID,
    kind: str,
    file_name: str,
    media_type: str,
    byte_size: int,
    sha256: str,
    chunk_count: int,
    uploaded_by: UUID,
) -> asyncpg.Record:
    row = await db.fetchrow(
        f"""
        INSERT INTO verification_document (id, request_id, client_id, kind, file_name,
            media_type, byte_size, sha256, chunk_count, uploaded_by, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now()) -- clock-ok: write time
        RETURNING {_DOCUMENT_COLUMNS}
        """,  # noqa: S608
        document_id, request_id, client_id, kind, file_name, media_type, byte_size, sha256,
        chunk_count, uploaded_by,
    )  # fmt: skip
    assert row is not None
    return row


async def insert_chunk(document_id: UUID, client_id: UUID, seq: int, data: bytes) -> None:
    await db.execute(
        """
        INSERT INTO verification_document_chunk (id, document_id, client_id, seq, data)
        VALUES (gen_random_uuid(), $1, $2, $3, $4)
        """,
        document_id, client_id, seq, data,
    )  # fmt: skip


DOCUMENTS_SQL = f"""
    SELECT {_DOCUMENT_COLUMNS} FROM verification_document
    WHERE request_id = ANY($1::uuid[]) ORDER BY created_at, id
"""  # noqa: S608
# The documents of an account's requests ($1), as DOCUMENTS_SQL reads them.
ACCOUNT_DOCUMENTS_SQL = db.bind(
    DOCUMENTS_SQL,
    "ARRAY(SELECT v.id FROM verification_request v WHERE v.account_id = $1)",
)


async def documents(request_ids: Sequence[UUID]) -> list[asyncpg.Record]:
    return await db.fetch(DOCUMENTS_SQL, list(request_ids))


async def document(document_id: UUID) -> asyncpg.Record | None:
    return await db.fetchrow(
        f"""
        SELECT {_DOCUMENT_COLUMNS}, (SELECT account_id FROM verification_request r
                                     WHERE r.id = request_id) AS account_id
        FROM verification_document WHERE id = $1
        """,  # noqa: S608
        document_id,
    )


async def chunk(document_id: UUID, seq: int) -> bytes:
    data: bytes = await db.fetchval(
        "SELECT data FROM verification_document_chunk WHERE document_id = $1 AND seq = $2",
        document_id,
        seq,
    )
    return data


# --- reminders ----------------------------------------------------------------------------


async def insert_reminders(
    rows: Sequence[tuple[UUID, UUID, str]], on_date: date, notified: bool
) -> list[asyncpg.Record]:
    """(request_id, client_id, kind) each; those a reminder already went for that day are
    left out: once a day per request, however often the job runs."""
    if not rows:
        return []
    return await db.fetch(
        """
        INSERT INTO verification_reminder (id, request_id, client_id, kind, on_date, notified,
            created_at)
        SELECT gen_random_uuid(), r, c, k, $4, $5, now() -- clock-ok: write time
        FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS t (r, c, k)
        ON CONFLICT (request_id, on_date) DO NOTHING
        RETURNING request_id, client_id, kind
        """,
        [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], on_date, notified,
    )  # fmt: skip


async def open_requests_with_due_soon() -> list[asyncpg.Record]:
    """Every open request, its due date, and whether its due-soon reminder went."""
    return await db.fetch(
        """
        SELECT r.id AS request_id, r.client_id, r.due_on,
            EXISTS (SELECT 1 FROM verification_reminder m WHERE m.request_id = r.id
                    AND m.kind = 'verification_due_soon') AS due_soon_sent
        FROM verification_request r WHERE r.status = 'open'
        ORDER BY r.due_on, r.id
        """
    )


async def reminders(request_id: UUID) -> list[asyncpg.Record]:
    return await db.fetch(
        """
        SELECT kind, on_date, notified, created_at FROM verification_reminder
        WHERE request_id = $1 ORDER BY on_date DESC, created_at DESC
        """,
        request_id,
    )


# --- the letters that answer disputes -----------------------------------------------------


async def insert_answer(
    dispute_id: UUID, account_id: UUID, client_id: UUID, kind: str, request_id: UUID | None
) -> None:
    await db.execute(
        """
        INSERT INTO dispute_answer (id, dispute_id, account_id, client_id, kind, request_id,
            created_at)
        VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, now()) -- clock-ok: write time
        """,
        dispute_id, account_id, client_id, kind, request_id,
    )  # fmt: skip


async def unmade_answers() -> list[asyncpg.Record]:
    return await db.fetch(
        """
        SELECT n.id AS answer_id, n.dispute_id, n.account_id, n.client_id, n.kind, n.request_id,
            r.note, d.received_at, d.words, d.duplicate_of, d.duplicate_reason,
            e.received_at AS earlier_received_at, e.answered_at AS earlier_answered_at
        FROM dispute_answer n
        JOIN dispute d ON d.id = n.dispute_id
        LEFT JOIN verification_request r ON r.id = n.request_id
        LEFT JOIN dispute e ON e.id = d.duplicate_of
        WHERE n.letter_id IS NULL
        ORDER BY n.created_at, n.id
        """
    )


async def set_answer_letters(rows: Sequence[tuple[UUID, UUID]]) -> None:
    """(answer_id, letter_id) per answer the batch made."""
    async with db.connection() as conn:
        await conn.executemany(
            "UPDATE dispute_answer SET letter_id = $2 WHERE id = $1 AND letter_id IS NULL", rows
        )


async def answer_of_letter(letter_id: UUID) -> asyncpg.Record | None:
    return await db.fetchrow(
        """
        SELECT n.id AS answer_id, n.dispute_id, n.account_id, n.mailed_at, d.blocks_collection
        FROM dispute_answer n JOIN dispute d ON d.id = n.dispute_id
        WHERE n.letter_id = $1
        """,
        letter_id,
    )


async def answer_mailed(answer_id: UUID, dispute_id: UUID, letter_id: UUID, at: datetime) -> None:
    await db.execute("UPDATE dispute_answer SET mailed_at = $2 WHERE id = $1", answer_id, at)
    await db.execute(
        """
        UPDATE dispute SET answered_at = $2, answered_by_letter_id = $3
        WHERE id = $1 AND answered_at IS NULL
        """,
        dispute_id, at, letter_id,
    )  # fmt: skip


async def open_blocking_disputes(account_id: UUID, *, awaiting_letter: bool) -> int:
    """The account's blocking disputes not yet answered; `awaiting_letter`: only those a
    letter will answer (a verification request was opened for them)."""
    found: int = await db.fetchval(
        """
        SELECT count(*) FROM dispute d
        WHERE d.account_id = $1 AND d.blocks_collection AND d.answered_at IS NULL
          AND (NOT $2 OR EXISTS (SELECT 1 FROM verification_request r
                                 WHERE r.dispute_id = d.id))
        """,
        account_id,
        awaiting_letter,
    )
    return found


async def answer_unlettered_disputes(account_id: UUID, at: datetime) -> None:
    """The account's open disputes received by `at` that no letter will answer (no
    verification request), answered at `at` by a supervisor's verification."""
    await db.execute(
        """
        UPDATE dispute d SET answered_at = $2
        WHERE d.account_id = $1 AND d.answered_at IS NULL AND d.received_at <= $2
          AND NOT EXISTS (SELECT 1 FROM verification_request r WHERE r.dispute_id = d.id)
        """,
        account_id,
        at,
    )
