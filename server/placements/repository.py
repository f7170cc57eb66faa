"""Every query of placements, their stored bytes and their row errors.

A few statements here read or write the accounts domain's tables: a placement's accounts
taken as one set (its balance facts, its acknowledgement, recalling them when the client
cancels, dating them when they were placed elsewhere first), one statement each rather
than a call per account. The merge of a file's rows is in `merge_repository`.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from server.kit import db, locks
from server.kit.pagination import created_keyset, cursor_params, visible_param

_PLACEMENT_COLUMNS = """
    id, client_id, kind, tier, file_name, sha256, byte_size, chunk_count, status,
    fee_rate_bps, rows_read, rows_accepted, rows_rejected, rows_warned, last_line_done,
    bytes_done, attempts, rejected_reason, created_at, started_at, finished_at,
    balance_placed_cents, held_reason, failure_reason
"""


async def insert_placement(
    *,
    client_id: UUID,
    kind: str,
    tier: str,
    fee_rate_bps: int,
    created_by: UUID,
) -> UUID:
    """A placement being received: its hash is unknown until the last byte, so it holds a
    placeholder that cannot collide with a real SHA-256 until `finish_receiving`."""
    placement_id: UUID = await db.fetchval(
        """
        INSERT INTO placement (id, client_id, kind, tier, file_name, sha256, byte_size,
            chunk_count, status, fee_rate_bps, created_by, created_at)
        VALUES (gen_random_uuid(), $1, $2, $3, NULL, 'receiving:' || gen_random_uuid(), 0, 0,
            'received', $4, $5, now()) -- clock-ok: write time
        RETURNING id
        """,
        client_id, kind, tier, fee_rate_bps, created_by,
    )  # fmt: skip
    return placement_id


async def insert_chunk(placement_id: UUID, client_id: UUID, seq: int, data: bytes) -> None:
    await db.execute(
        """
        INSERT INTO placement_chunk (id, placement_id, client_id, seq, data)
        VALUES (gen_random_uuid(), $1, $2, $3, $4)
        """,
        placement_id, client_id, seq, data,
    )  # fmt: skip


async def placement_by_hash(client_id: UUID, kind: str, sha256: str) -> asyncpg.Record | None:
    """The placement of these bytes: the one neither rejected nor failed if there is one
    (a cancelled or failed placement stays beside the one its bytes made when sent
    again)."""
    return await db.fetchrow(
        f"SELECT {_PLACEMENT_COLUMNS} FROM placement"  # noqa: S608
        " WHERE client_id = $1 AND kind = $2 AND sha256 = $3"
        " ORDER BY status IN ('rejected', 'failed'), created_at DESC LIMIT 1",
        client_id, kind, sha256,
    )  # fmt: skip


async def finish_receiving(
    placement_id: UUID, sha256: str, byte_size: int, chunk_count: int, file_name: str | None
) -> asyncpg.Record:
    record = await db.fetchrow(
        f"""
        UPDATE placement SET sha256 = $2, byte_size = $3, chunk_count = $4, file_name = $5
        WHERE id = $1 RETURNING {_PLACEMENT_COLUMNS}
        """,  # noqa: S608
        placement_id, sha256, byte_size, chunk_count, file_name,
    )  # fmt: skip
    assert record is not None
    return record


async def placement(placement_id: UUID, *, for_update: bool = False) -> asyncpg.Record | None:
    lock = " FOR UPDATE" if for_update else ""
    return await db.fetchrow(
        f"SELECT {_PLACEMENT_COLUMNS} FROM placement WHERE id = $1{lock}",  # noqa: S608
        placement_id,
    )


async def balance_facts(client_id: UUID, placement_id: UUID) -> asyncpg.Record:
    """The median and largest placed balance of a placement's accounts, and the median of
    the client's accounts of loaded placements (every other: held, cancelled or still
    loading ones are no history)."""
    record = await db.fetchrow(
        """
        SELECT
            (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY placed_balance_cents)::numeric
             FROM account WHERE placement_id = $2) AS median_cents,
            (SELECT max(placed_balance_cents) FROM account WHERE placement_id = $2)
                AS largest_cents,
            (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY a.placed_balance_cents)::numeric
             FROM account a JOIN placement p ON p.id = a.placement_id
             WHERE a.client_id = $1 AND p.status = 'loaded' AND p.id <> $2)
                AS history_median_cents
        """,
        client_id, placement_id,
    )  # fmt: skip
    assert record is not None
    return record


async def finish_loading(
    placement_id: UUID, status: str, held_reason: str | None
) -> asyncpg.Record:
    record = await db.fetchrow(
        """
        UPDATE placement SET status = $2, held_reason = $3,
            finished_at = now(), -- clock-ok: write time
            heartbeat_at = now(), bytes_done = byte_size -- clock-ok: write time
        WHERE id = $1 RETURNING rows_read, rows_accepted, rows_rejected, rows_warned,
            balance_placed_cents
        """,
        placement_id, status, held_reason,
    )  # fmt: skip
    assert record is not None
    return record


async def release_placement(placement_id: UUID) -> asyncpg.Record:
    record = await db.fetchrow(
        f"""
        UPDATE placement SET status = 'loaded' WHERE id = $1
        RETURNING {_PLACEMENT_COLUMNS}
        """,  # noqa: S608
        placement_id,
    )
    assert record is not None
    return record


async def recall_placement_accounts(
    placement_id: UUID, reason: str, actor_id: UUID | None, at: datetime
) -> list[UUID]:
    """Every account the placement loaded recalled, each with its status change, in one
    statement: nothing of it stays workable. Returns the accounts recalled."""
    recalled = await db.fetchval(
        """
        WITH old AS (
            SELECT id, client_id, status FROM account
            WHERE placement_id = $1 AND status <> 'recalled' FOR UPDATE
        ), moved AS (
            UPDATE account a SET status = 'recalled', status_since = $3,
                updated_at = now() -- clock-ok: write time
            FROM old WHERE a.id = old.id RETURNING a.id
        ), changes AS (
            INSERT INTO account_status_change (id, account_id, client_id, from_status,
                to_status, action, reason, channel, received_at, actor_id, created_at)
            SELECT gen_random_uuid(), old.id, old.client_id, old.status, 'recalled', 'recall',
                $2, NULL, $3, $4, now() -- clock-ok: write time
            FROM old JOIN moved ON moved.id = old.id
            RETURNING account_id
        )
        SELECT coalesce(array_agg(account_id), '{}') FROM changes
        """,
        placement_id, reason, at, actor_id,
    )  # fmt: skip
    return list(recalled)


async def cancel_placement(
    placement_id: UUID, reason: str, actor_id: UUID | None, at: datetime
) -> tuple[asyncpg.Record, list[UUID]]:
    """The placement rejected and every account it loaded recalled. Returns the placement
    and the accounts recalled."""
    recalled = await recall_placement_accounts(placement_id, reason, actor_id, at)
    record = await db.fetchrow(
        f"""
        UPDATE placement SET status = 'rejected', rejected_reason = $2 WHERE id = $1
        RETURNING {_PLACEMENT_COLUMNS}
        """,  # noqa: S608
        placement_id, reason,
    )  # fmt: skip
    assert record is not None
    return record, recalled


_PLACEMENT_ORDER = created_keyset()


async def list_placements(
    visible: frozenset[UUID] | None,
    client_id: UUID | None,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[asyncpg.Record]:
    return await db.fetch(
        f"""
        SELECT {_PLACEMENT_COLUMNS} FROM placement
        WHERE ($1::uuid[] IS NULL OR client_id = ANY($1::uuid[]))
          AND ($2::uuid IS NULL OR client_id = $2)
          AND {_PLACEMENT_ORDER.after(3)}
        {_PLACEMENT_ORDER.order_by} LIMIT $5
        """,  # noqa: S608
        visible_param(visible),
        client_id,
        *cursor_params(after),
        limit,
    )


async def placement_errors_after(
    placement_id: UUID, after: tuple[int, UUID], limit: int
) -> list[asyncpg.Record]:
    return await db.fetch(
        """
        SELECT id, line, column_name, field, code, reason, severity FROM placement_error
        WHERE placement_id = $1 AND (line, id) > ($2, $3) ORDER BY line, id LIMIT $4
        """,
        placement_id, after[0], after[1], limit,
    )  # fmt: skip


async def delete_placement(placement_id: UUID) -> None:
    """Only for a placement rejected whole (nothing of it was loaded), so the same bytes
    may be sent again."""
    await db.execute(
        "DELETE FROM placement WHERE id = $1 AND status = 'rejected'"
        " AND NOT EXISTS (SELECT FROM account WHERE placement_id = $1)",
        placement_id,
    )


async def accepted_accounts(
    placement_id: UUID, after_line: int, limit: int
) -> list[asyncpg.Record]:
    return await db.fetch(
        """
        SELECT id, client_account_number, placement_line, placed_balance_cents, fee_rate_bps
        FROM account WHERE placement_id = $1 AND placement_line > $2
        ORDER BY placement_line LIMIT $3
        """,
        placement_id, after_line, limit,
    )  # fmt: skip


async def pending_placements() -> list[UUID]:
    """Placements still to load that no loader holds: never started, or left by a worker
    that died (its lock went with its connection). Asking PostgreSQL who holds the lock,
    not how long ago a batch beat, lets a restarted worker resume at once."""
    rows = await db.fetch(
        """
        SELECT p.id FROM placement p
        WHERE p.status IN ('received', 'validating')
          AND NOT EXISTS (
              SELECT FROM pg_locks l
              WHERE l.locktype = 'advisory' AND l.objsubid = 2
                AND l.database = (SELECT oid FROM pg_database
                                  WHERE datname = current_database())
                AND l.classid = $1::bigint::oid
                AND l.objid = (hashtext(p.id::text)::bigint & 4294967295)::oid)
        ORDER BY p.created_at, p.id
        """,
        locks.PLACEMENT,
    )
    return [row["id"] for row in rows]


async def set_placed_at(placement_id: UUID, placed_at: datetime) -> None:
    await db.execute(
        """
        UPDATE placement SET created_at = $2, started_at = $2, finished_at = $2 WHERE id = $1
        """,
        placement_id,
        placed_at,
    )
    await db.execute(
        "UPDATE account SET created_at = $2, status_since = $2 WHERE placement_id = $1",
        placement_id,
        placed_at,
    )


# --- loading --------------------------------------------------------------------------------
# The loader's own statements, on the connection it passes: it reads the file on one
# connection while it writes the previous batch on another.

ERROR_COLUMNS = (
    "id", "placement_id", "client_id", "line", "column_name", "field", "code", "reason",
    "severity",
)  # fmt: skip


async def try_lock_loading(conn: db.Connection, placement_id: UUID) -> bool:
    """The session lock a placement's one loader holds; PostgreSQL frees it if the loader
    dies with its connection."""
    locked = await conn.fetchval(
        "SELECT pg_try_advisory_lock($1, hashtext($2::text))", locks.PLACEMENT, str(placement_id)
    )
    return bool(locked)


async def unlock_loading(conn: db.Connection, placement_id: UUID) -> None:
    await conn.execute(
        "SELECT pg_advisory_unlock($1, hashtext($2::text))", locks.PLACEMENT, str(placement_id)
    )


async def start_loading(conn: db.Connection, placement_id: UUID) -> asyncpg.Record | None:
    """The placement marked as being loaded (one more attempt), or None if it is not to be
    loaded (already loaded, rejected, or missing)."""
    return await conn.fetchrow(
        """
        UPDATE placement SET status = 'validating', attempts = attempts + 1,
            started_at = coalesce(started_at, now()), heartbeat_at = now() -- clock-ok: write time
        WHERE id = $1 AND status IN ('received', 'validating')
        RETURNING id, client_id, kind, tier, fee_rate_bps, chunk_count, last_line_done,
            bytes_done, created_by
        """,
        placement_id,
    )


async def placement_status(conn: db.Connection, placement_id: UUID) -> str | None:
    found = await conn.fetchval("SELECT status FROM placement WHERE id = $1", placement_id)
    return None if found is None else str(found)


async def chunk(conn: db.Connection, placement_id: UUID, seq: int) -> bytes:
    data: bytes = await conn.fetchval(
        "SELECT data FROM placement_chunk WHERE placement_id = $1 AND seq = $2",
        placement_id, seq,
    )  # fmt: skip
    return data


async def insert_errors(conn: db.Connection, errors: list[tuple[object, ...]]) -> None:
    await conn.copy_records_to_table("placement_error", records=errors, columns=ERROR_COLUMNS)


async def count_batch(
    conn: db.Connection,
    placement_id: UUID,
    *,
    read: int,
    accepted: int,
    rejected: int,
    warned: int,
    last_line: int,
    bytes_done: int,
    balance_placed_cents: int,
) -> None:
    """A committed batch's counts and the line it ends on: the restart point."""
    await conn.execute(
        """
        UPDATE placement SET rows_read = rows_read + $2,
            rows_accepted = rows_accepted + $3, rows_rejected = rows_rejected + $4,
            rows_warned = rows_warned + $5, last_line_done = GREATEST(last_line_done, $6),
            bytes_done = $7, balance_placed_cents = balance_placed_cents + $8,
            heartbeat_at = now() -- clock-ok: write time
        WHERE id = $1
        """,
        placement_id, read, accepted, rejected, warned, last_line, bytes_done,
        balance_placed_cents,
    )  # fmt: skip


async def refresh_statistics(conn: db.Connection) -> None:
    """After a committed batch: re-analyze the tables the loader grows if they changed by a
    tenth since last analyzed, so the next batch is planned for their real size."""
    await conn.execute("SELECT refresh_ingest_statistics()")


# A placement that stops without loading: its status and the column of its reason.
_STOP = """
UPDATE placement SET status = '{status}', {reason} = $2,
    finished_at = now() -- clock-ok: write time
WHERE id = $1
"""


async def reject_file(conn: db.Connection, placement_id: UUID, reason: str) -> None:
    await conn.execute(
        _STOP.format(status="rejected", reason="rejected_reason"), placement_id, reason
    )


# --- a loader that fails ------------------------------------------------------------------


async def loading_failure(placement_id: UUID) -> asyncpg.Record | None:
    """What a failed load is judged by, locked: the status, the restart point and the
    failure the previous attempt left."""
    return await db.fetchrow(
        "SELECT kind, client_id, status, last_line_done, last_failure FROM placement"
        " WHERE id = $1 FOR UPDATE",
        placement_id,
    )


async def note_failure(placement_id: UUID, failure: str) -> None:
    await db.execute("UPDATE placement SET last_failure = $2 WHERE id = $1", placement_id, failure)


async def fail_placement(placement_id: UUID, reason: str) -> None:
    """No more attempts: the placement is `failed` with its reason, which the sweep
    never picks up."""
    await db.execute(_STOP.format(status="failed", reason="failure_reason"), placement_id, reason)
