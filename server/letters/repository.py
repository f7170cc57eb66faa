"""Every query of letters, their batches, the vendor's reports and bad addresses."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from server.kit import db, locks

_LETTER_COLUMNS = """
    l.id AS letter_id, l.batch_id, l.account_id, l.client_id, l.kind, l.address_text,
    l.page_count, l.planned_mailing_on, l.printed_period_ends_on, l.created_at
"""
_BATCH_COLUMNS = "id AS batch_id, planned_mailing_on, letter_count, page_count, created_at"


async def lock_letters() -> None:
    """Inside the caller's transaction: one batch or return import at a time."""
    await db.execute("SELECT pg_advisory_xact_lock($1)", locks.LETTERS)


async def accounts_with_live_notice(account_ids: Sequence[UUID]) -> set[UUID]:
    """Accounts with a notice batched and not yet reported, or mailed and standing (not
    void, not returned): they need no other."""
    rows = await db.fetch(
        """
        SELECT DISTINCT l.account_id FROM letter l
        WHERE l.account_id = ANY($1::uuid[]) AND l.kind = 'validation_notice'
          AND NOT EXISTS (SELECT 1 FROM letter_event e
                          WHERE e.letter_id = l.id AND e.kind IN ('void', 'returned'))
        """,
        list(account_ids),
    )
    return {row["account_id"] for row in rows}


async def bad_addresses(account_ids: Sequence[UUID]) -> set[tuple[UUID, str]]:
    rows = await db.fetch(
        "SELECT account_id, address_text FROM letter_bad_address"
        " WHERE account_id = ANY($1::uuid[])",
        list(account_ids),
    )
    return {(row["account_id"], row["address_text"]) for row in rows}


async def batch_made_since(since: datetime) -> bool:
    return bool(
        await db.fetchval(
            "SELECT EXISTS (SELECT 1 FROM letter_batch WHERE created_at >= $1)", since
        )
    )


async def insert_batch(
    batch_id: UUID,
    planned: date,
    letters: int,
    pages: int,
    pdf: bytes,
    index_csv: str,
    made_at: datetime,
) -> asyncpg.Record:
    row = await db.fetchrow(
        f"""
        INSERT INTO letter_batch (id, planned_mailing_on, letter_count, page_count, pdf,
            index_csv, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        RETURNING {_BATCH_COLUMNS}
        """,  # noqa: S608
        batch_id, planned, letters, pages, pdf, index_csv, made_at,
    )  # fmt: skip
    assert row is not None
    return row


async def insert_letters(rows: list[tuple[Any, ...]]) -> None:
    """(id, batch_id, account_id, client_id, kind, address_text, data, pdf, page_count,
    planned_mailing_on, printed_period_ends_on, created_at) per letter."""
    async with db.connection() as conn:
        await conn.executemany(
            """
            INSERT INTO letter (id, batch_id, account_id, client_id, kind, address_text, data,
                pdf, page_count, planned_mailing_on, printed_period_ends_on, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12)
            """,
            rows,
        )


async def batch(batch_id: UUID) -> asyncpg.Record | None:
    return await db.fetchrow(
        f"SELECT {_BATCH_COLUMNS}, pdf, index_csv FROM letter_batch WHERE id = $1",  # noqa: S608
        batch_id,
    )


async def letter(letter_id: UUID) -> asyncpg.Record | None:
    return await db.fetchrow(
        f"SELECT {_LETTER_COLUMNS}, l.data, l.pdf FROM letter l WHERE l.id = $1",  # noqa: S608
        letter_id,
    )


async def letters(letter_ids: Sequence[UUID]) -> dict[UUID, asyncpg.Record]:
    rows = await db.fetch(
        f"SELECT {_LETTER_COLUMNS} FROM letter l WHERE l.id = ANY($1::uuid[])",  # noqa: S608
        list(letter_ids),
    )
    return {row["letter_id"]: row for row in rows}


async def events(letter_ids: Sequence[UUID]) -> dict[UUID, dict[str, date]]:
    rows = await db.fetch(
        "SELECT letter_id, kind, occurred_on FROM letter_event WHERE letter_id = ANY($1::uuid[])",
        list(letter_ids),
    )
    found: dict[UUID, dict[str, date]] = {}
    for row in rows:
        found.setdefault(row["letter_id"], {})[row["kind"]] = row["occurred_on"]
    return found


async def latest_notice_id(account_id: UUID) -> UUID | None:
    found: UUID | None = await db.fetchval(
        """
        SELECT id FROM letter WHERE account_id = $1 AND kind = 'validation_notice'
        ORDER BY created_at DESC, id DESC LIMIT 1
        """,
        account_id,
    )
    return found


async def insert_import(
    import_id: UUID, sha256: str, file_name: str | None, actor_id: UUID
) -> None:
    await db.execute(
        """
        INSERT INTO letter_return_import (id, sha256, file_name, imported_by, report, created_at)
        VALUES ($1, $2, $3, $4, '{}'::jsonb, now()) -- clock-ok: write time
        """,
        import_id, sha256, file_name, actor_id,
    )  # fmt: skip


async def set_import_report(import_id: UUID, report: dict[str, Any]) -> None:
    await db.execute(
        "UPDATE letter_return_import SET report = $2::jsonb WHERE id = $1",
        import_id,
        json.dumps(report),
    )


async def insert_event(
    letter_id: UUID, kind: str, occurred_on: date, reason: str | None, import_id: UUID
) -> None:
    await db.execute(
        """
        INSERT INTO letter_event (id, letter_id, kind, occurred_on, reason, import_id,
            created_at)
        VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, now()) -- clock-ok: write time
        ON CONFLICT (letter_id, kind) DO NOTHING
        """,
        letter_id, kind, occurred_on, reason, import_id,
    )  # fmt: skip


async def mark_address_bad(
    account_id: UUID, address_text: str, letter_id: UUID, returned_on: date
) -> None:
    await db.execute(
        """
        INSERT INTO letter_bad_address (id, account_id, address_text, letter_id, returned_on,
            created_at)
        VALUES (gen_random_uuid(), $1, $2, $3, $4, now()) -- clock-ok: write time
        ON CONFLICT (account_id, address_text) DO NOTHING
        """,
        account_id, address_text, letter_id, returned_on,
    )  # fmt: skip


# --- letters other domains make due --------------------------------------------------------

_DUE_COLUMNS = "id AS due_id, account_id, client_id, kind, offer_id, payment_id, occurred_on"


async def insert_due(
    account_id: UUID,
    client_id: UUID,
    kind: str,
    offer_id: UUID | None,
    payment_id: UUID | None,
    occurred_on: date,
) -> None:
    await db.execute(
        """
        INSERT INTO letter_due (id, account_id, client_id, kind, offer_id, payment_id,
            occurred_on, created_at)
        VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, now()) -- clock-ok: write time
        ON CONFLICT DO NOTHING
        """,
        account_id, client_id, kind, offer_id, payment_id, occurred_on,
    )  # fmt: skip


async def open_dues() -> list[asyncpg.Record]:
    """Every letter due and not yet settled, oldest first (the batch's lock held)."""
    return await db.fetch(
        f"SELECT {_DUE_COLUMNS} FROM letter_due WHERE settled_at IS NULL"  # noqa: S608
        " ORDER BY created_at, id"
    )


async def settle_dues(rows: list[tuple[UUID, UUID | None, str | None]], at: datetime) -> None:
    """(due_id, letter_id, dropped_reason) per due settled: made, or no longer due."""
    async with db.connection() as conn:
        await conn.executemany(
            "UPDATE letter_due SET letter_id = $2, dropped_reason = $3, settled_at = $4"
            " WHERE id = $1 AND settled_at IS NULL",
            [(*row, at) for row in rows],
        )


async def notice_mailings(
    account_ids: Sequence[UUID], visible: frozenset[UUID] | None
) -> list[asyncpg.Record]:
    """Each account's last notice mailed and not void (of the clients `visible`, None for
    all, filtered here): when, the end printed on it, and when it came back if it did."""
    return await db.fetch(
        """
        SELECT DISTINCT ON (l.account_id) l.account_id, m.occurred_on AS mailed_on,
            l.printed_period_ends_on, r.occurred_on AS returned_on
        FROM letter l
        JOIN letter_event m ON m.letter_id = l.id AND m.kind = 'mailed'
        LEFT JOIN letter_event r ON r.letter_id = l.id AND r.kind = 'returned'
        WHERE l.account_id = ANY($1::uuid[]) AND l.kind = 'validation_notice'
          AND ($2::uuid[] IS NULL OR l.client_id = ANY($2::uuid[]))
          AND NOT EXISTS (SELECT 1 FROM letter_event v
                          WHERE v.letter_id = l.id AND v.kind = 'void')
        ORDER BY l.account_id, m.occurred_on DESC, l.created_at DESC, l.id DESC
        """,
        list(account_ids),
        None if visible is None else list(visible),
    )


async def first_letters_mailed_before(before: date) -> dict[UUID, date]:
    """Per account, the first day a letter other than the notice was mailed, where that
    day is before `before`: a communication with the consumer (1006.34(a)(1)(i))."""
    rows = await db.fetch(
        """
        SELECT l.account_id, min(e.occurred_on) AS mailed_on
        FROM letter l JOIN letter_event e ON e.letter_id = l.id AND e.kind = 'mailed'
        WHERE l.kind <> 'validation_notice' AND e.occurred_on < $1
        GROUP BY l.account_id
        """,
        before,
    )
    return {row["account_id"]: row["mailed_on"] for row in rows}


async def letters_of_batch(batch_id: UUID) -> list[asyncpg.Record]:
    """The batch's verification letters (the ones that enclose documents), in its order."""
    return await db.fetch(
        "SELECT id AS letter_id, data::text AS data FROM letter"
        " WHERE batch_id = $1 AND kind = 'verification' ORDER BY created_at, id",
        batch_id,
    )


async def letters_of_account(account_id: UUID) -> list[asyncpg.Record]:
    """Every letter made for the account, newest first."""
    return await db.fetch(
        f"SELECT {_LETTER_COLUMNS} FROM letter l WHERE l.account_id = $1"  # noqa: S608
        " ORDER BY l.created_at DESC, l.id DESC",
        account_id,
    )
