"""Every query of clients, placements, debtors and accounts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from server.kit import db, locks
from server.kit.pagination import created_keyset, cursor_params, visible_param


async def existing_client_ids(client_ids: list[UUID]) -> set[UUID]:
    rows = await db.fetch("SELECT id FROM client WHERE id = ANY($1::uuid[])", client_ids)
    return {row["id"] for row in rows}


_CLIENT_COLUMNS = """
    id, name, status, fee_rates_bps, remittance_cycle, remittance_method, clearing_days,
    authority, column_map, max_plausible_balance_cents, created_at, updated_at
"""
_CLIENT_JSON = ("fee_rates_bps", "clearing_days", "authority", "column_map")


def client_row(record: asyncpg.Record) -> dict[str, Any]:
    row = dict(record)
    for column in _CLIENT_JSON:
        row[column] = json.loads(row[column])
    return row


async def client_name_taken(name: str, other_than: UUID | None = None) -> bool:
    return bool(
        await db.fetchval(
            """
            SELECT EXISTS (SELECT 1 FROM client
                           WHERE lower(name) = lower($1) AND id IS DISTINCT FROM $2)
            """,
            name,
            other_than,
        )
    )


async def client_id_named(name: str) -> UUID | None:
    found = await db.fetchval("SELECT id FROM client WHERE lower(name) = lower($1)", name)
    return None if found is None else UUID(str(found))


async def insert_client(values: dict[str, Any]) -> dict[str, Any]:
    record = await db.fetchrow(
        f"""
        INSERT INTO client (id, name, status, fee_rates_bps, remittance_cycle, remittance_method,
                            clearing_days, authority, column_map, max_plausible_balance_cents,
                            created_at, updated_at)
        VALUES (gen_random_uuid(), $1, 'active', $2::jsonb, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb,
                $8, now(), now()) -- clock-ok: write time
        RETURNING {_CLIENT_COLUMNS}
        """,  # noqa: S608
        values["name"],
        json.dumps(values["fee_rates_bps"]),
        values["remittance_cycle"],
        values["remittance_method"],
        json.dumps(values["clearing_days"]),
        json.dumps(values["authority"]),
        json.dumps(values["column_map"]),
        values["max_plausible_balance_cents"],
    )
    assert record is not None
    return client_row(record)


async def client_by_id(client_id: UUID, *, for_update: bool = False) -> dict[str, Any] | None:
    lock = " FOR UPDATE" if for_update else ""
    record = await db.fetchrow(
        f"SELECT {_CLIENT_COLUMNS} FROM client WHERE id = $1{lock}",  # noqa: S608
        client_id,
    )
    return None if record is None else client_row(record)


async def clients_by_ids(client_ids: Sequence[UUID]) -> list[dict[str, Any]]:
    records = await db.fetch(
        f"SELECT {_CLIENT_COLUMNS} FROM client WHERE id = ANY ($1::uuid[])",  # noqa: S608
        list(client_ids),
    )
    return [client_row(record) for record in records]


async def update_client(client_id: UUID, values: dict[str, Any]) -> dict[str, Any]:
    record = await db.fetchrow(
        f"""
        UPDATE client SET name = $2, status = $3, fee_rates_bps = $4::jsonb,
            remittance_cycle = $5, remittance_method = $6, clearing_days = $7::jsonb,
            authority = $8::jsonb, column_map = $9::jsonb, max_plausible_balance_cents = $10,
            updated_at = now() -- clock-ok: write time
        WHERE id = $1
        RETURNING {_CLIENT_COLUMNS}
        """,  # noqa: S608
        client_id,
        values["name"],
        values["status"],
        json.dumps(values["fee_rates_bps"]),
        values["remittance_cycle"],
        values["remittance_method"],
        json.dumps(values["clearing_days"]),
        json.dumps(values["authority"]),
        json.dumps(values["column_map"]),
        values["max_plausible_balance_cents"],
    )
    assert record is not None
    return client_row(record)


_CLIENT_ORDER = created_keyset()


async def list_clients(
    visible: frozenset[UUID] | None, after: tuple[datetime, UUID] | None, limit: int
) -> list[dict[str, Any]]:
    records = await db.fetch(
        f"""
        SELECT {_CLIENT_COLUMNS} FROM client
        WHERE ($1::uuid[] IS NULL OR id = ANY($1::uuid[]))
          AND {_CLIENT_ORDER.after(2)}
        {_CLIENT_ORDER.order_by}
        LIMIT $4
        """,  # noqa: S608
        visible_param(visible),
        *cursor_params(after),
        limit,
    )
    return [client_row(record) for record in records]


# --- accounts -----------------------------------------------------------------------------

_ACCOUNT_COLUMNS = """
    a.id, a.client_id, a.placement_id, a.debtor_id, a.client_account_number,
    a.original_creditor, a.tier, a.fee_rate_bps, a.principal_cents, a.interest_cents,
    a.fees_cents, a.placed_balance_cents, a.balance_cents, a.delinquency_date,
    a.charge_off_date, a.last_payment_date, a.statute_of_limitations_date, a.status,
    a.status_since, a.validation_notice_sent_on, a.validation_period_ends_on, a.created_at,
    a.serviced_account_number
"""


async def account(account_id: UUID, *, for_update: bool = False) -> asyncpg.Record | None:
    lock = " FOR UPDATE" if for_update else ""
    return await db.fetchrow(
        f"SELECT {_ACCOUNT_COLUMNS} FROM account a WHERE a.id = $1{lock}",  # noqa: S608
        account_id,
    )


async def placed_account_by_number(client_id: UUID, number: str) -> asyncpg.Record | None:
    """Locked FOR UPDATE; on account_number_open, the index of accounts not recalled."""
    return await db.fetchrow(
        f"""
        SELECT {_ACCOUNT_COLUMNS} FROM account a
        WHERE a.client_id = $1 AND lower(a.client_account_number) = lower($2)
          AND a.status <> 'recalled'
        FOR UPDATE
        """,  # noqa: S608
        client_id,
        number,
    )


async def debtor(debtor_id: UUID, *, for_update: bool = False) -> asyncpg.Record | None:
    lock = " FOR UPDATE" if for_update else ""
    return await db.fetchrow(
        f"""
        SELECT id, first_name, last_name, date_of_birth, ssn_last4, address_line1,
               address_line2, city, state, zip5, time_zone, emails, no_telephone,
               no_telephone_since, inconvenient_times
        FROM debtor WHERE id = $1{lock}
        """,  # noqa: S608
        debtor_id,
    )


async def debtor_phones(debtor_id: UUID) -> list[asyncpg.Record]:
    return await db.fetch(
        """
        SELECT e164, kind, status, status_since, employer_forbids_calls, time_zones
        FROM debtor_phone WHERE debtor_id = $1 ORDER BY created_at, e164
        """,
        debtor_id,
    )


async def status_history(account_id: UUID) -> list[asyncpg.Record]:
    return await db.fetch(
        """
        SELECT action, from_status, to_status, reason, channel, received_at, created_at
        FROM account_status_change WHERE account_id = $1 ORDER BY created_at, id
        """,
        account_id,
    )


# Everything the contact rules need about some accounts and their people, in one round
# trip: the next-account claim judges several candidates per request.
_CONTACT_ROWS = """
    SELECT a.id, a.client_id, a.status, a.status_since, a.debtor_id, a.balance_cents,
           d.time_zone, d.state, d.no_telephone, d.no_telephone_since, d.inconvenient_times,
           (SELECT array_agg(ROW(p.e164, p.kind, p.status, p.status_since,
                                 p.employer_forbids_calls, p.time_zones::text[])
                             ORDER BY p.created_at, p.e164)
            FROM debtor_phone p WHERE p.debtor_id = a.debtor_id) AS phones,
           (SELECT array_agg(s.id ORDER BY s.created_at, s.id)
            FROM account s WHERE s.debtor_id = a.debtor_id) AS debtor_account_ids,
           -- Serviced together under one account number (12 CFR 1006.14(b)(4)): the
           -- person's other accounts of the same client with the same serviced number.
           (SELECT array_agg(g.id ORDER BY g.id)
            FROM account g WHERE g.debtor_id = a.debtor_id AND g.client_id = a.client_id
              AND g.serviced_account_number = a.serviced_account_number
              AND g.id <> a.id) AS serviced_with,
           (SELECT array_agg(ROW(h.from_status, h.to_status, h.received_at, h.created_at)
                             ORDER BY h.created_at, h.id)
            FROM account_status_change h WHERE h.account_id = a.id) AS status_changes
    FROM account a JOIN debtor d ON d.id = a.debtor_id
    WHERE a.id = ANY ($1::uuid[])
"""
PHONE_FIELDS = ("e164", "kind", "status", "status_since", "employer_forbids_calls", "time_zones")
STATUS_CHANGE_FIELDS = ("from_status", "to_status", "received_at", "created_at")


async def contact_rows(account_ids: Sequence[UUID]) -> list[asyncpg.Record]:
    return await db.fetch(_CONTACT_ROWS, list(account_ids))


async def list_accounts(
    *,
    visible: frozenset[UUID] | None,
    client_id: UUID | None,
    status: str | None,
    query: str | None,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[asyncpg.Record]:
    # The search is a prefix match on the account number or the debtor's last name (both
    # indexed); LIKE metacharacters in the query are escaped so they match themselves.
    pattern = None
    if query:
        escaped = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = escaped + "%"
    return await db.fetch(
        """
        SELECT a.id, a.client_id, a.placement_id, a.client_account_number, a.status,
               a.placed_balance_cents, a.balance_cents, a.delinquency_date, a.created_at,
               concat_ws(' ', d.first_name, d.last_name) AS debtor_name
        FROM account a JOIN debtor d ON d.id = a.debtor_id
        WHERE ($1::uuid[] IS NULL OR a.client_id = ANY($1::uuid[]))
          AND ($2::uuid IS NULL OR a.client_id = $2)
          AND ($3::text IS NULL OR a.status = $3)
          AND ($4::text IS NULL OR lower(a.client_account_number) LIKE $4
               OR lower(d.last_name) LIKE $4
               OR lower(concat_ws(' ', d.first_name, d.last_name)) LIKE $4)
          AND ($5::timestamptz IS NULL OR (a.created_at, a.id) < ($5, $6))
        ORDER BY a.created_at DESC, a.id DESC
        LIMIT $7
        """,
        visible_param(visible),
        client_id,
        status,
        pattern,
        *cursor_params(after),
        limit,
    )


async def set_account_status(account_id: UUID, status: str) -> None:
    await db.execute(
        """
        UPDATE account SET status = $2,
            status_since = now(), updated_at = now() -- clock-ok: write time
        WHERE id = $1
        """,
        account_id,
        status,
    )


async def insert_status_change(
    *,
    account_id: UUID,
    client_id: UUID,
    from_status: str,
    to_status: str,
    action: str,
    reason: str,
    channel: str | None,
    received_at: datetime,
    actor_id: UUID | None,
) -> None:
    await db.execute(
        """
        INSERT INTO account_status_change (id, account_id, client_id, from_status, to_status,
            action, reason, channel, received_at, actor_id, created_at)
        VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9,
            now()) -- clock-ok: write time
        """,
        account_id,
        client_id,
        from_status,
        to_status,
        action,
        reason,
        channel,
        received_at,
        actor_id,
    )


async def set_no_telephone(debtor_id: UUID, since: datetime) -> None:
    await db.execute(
        """
        UPDATE debtor SET no_telephone = true,
            no_telephone_since = LEAST(COALESCE(no_telephone_since, $2), $2),
                updated_at = now() -- clock-ok: write time
        WHERE id = $1
        """,
        debtor_id,
        since,
    )


async def set_phone_status(debtor_id: UUID, e164: str, status: str, since: datetime) -> bool:
    result = await db.execute(
        """
        UPDATE debtor_phone SET status = $3, status_since = $4
        WHERE debtor_id = $1 AND e164 = $2 AND status IS DISTINCT FROM $3
        """,
        debtor_id,
        e164,
        status,
        since,
    )
    return result != "UPDATE 0"


async def change_balance(account_id: UUID, delta_cents: int) -> asyncpg.Record:
    record = await db.fetchrow(
        """
        UPDATE account SET balance_cents = balance_cents + $2,
            updated_at = now() -- clock-ok: write time
        WHERE id = $1 RETURNING balance_cents, status
        """,
        account_id,
        delta_cents,
    )
    assert record is not None
    return record


# --- placements ---------------------------------------------------------------------------

_PLACEMENT_COLUMNS = """
    id, client_id, kind, tier, file_name, sha256, byte_size, chunk_count, status,
    fee_rate_bps, rows_read, rows_accepted, rows_rejected, rows_warned, last_line_done,
    bytes_done, attempts, rejected_reason, created_at, started_at, finished_at,
    balance_placed_cents, held_reason
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
    """The placement of these bytes: the one not rejected if there is one (a cancelled
    placement stays, rejected, beside the one its bytes made when sent again)."""
    return await db.fetchrow(
        f"SELECT {_PLACEMENT_COLUMNS} FROM placement"  # noqa: S608
        " WHERE client_id = $1 AND kind = $2 AND sha256 = $3"
        " ORDER BY status = 'rejected', created_at DESC LIMIT 1",
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


async def cancel_placement(
    placement_id: UUID, reason: str, actor_id: UUID | None, at: datetime
) -> tuple[asyncpg.Record, int]:
    """The placement rejected and every account it loaded recalled, each with its status
    change, in one statement each: nothing of it stays workable. Returns the placement
    and how many accounts were recalled."""
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
            RETURNING 1
        )
        SELECT count(*) FROM changes
        """,
        placement_id, reason, at, actor_id,
    )  # fmt: skip
    record = await db.fetchrow(
        f"""
        UPDATE placement SET status = 'rejected', rejected_reason = $2 WHERE id = $1
        RETURNING {_PLACEMENT_COLUMNS}
        """,  # noqa: S608
        placement_id, reason,
    )  # fmt: skip
    assert record is not None
    return record, int(recalled)


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
          AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4))
        ORDER BY created_at DESC, id DESC LIMIT $5
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


# --- loading a new-business file ----------------------------------------------------------
# Set-based by design: a batch of rows is COPYed into a temporary staging table and merged
# into debtors and accounts with a handful of statements, never a query per row. These take
# an explicit connection: the loader reads the file on one connection while it writes the
# previous batch on another.

STAGING_COLUMNS = (
    "line", "client_account_number", "first_name", "last_name", "date_of_birth",
    "ssn_last4", "ssn_hash", "address_line1", "address_line2", "city", "state", "zip5",
    "time_zone", "email", "original_creditor", "principal_cents", "interest_cents",
    "fees_cents", "delinquency_date", "charge_off_date", "last_payment_date",
    "statute_of_limitations_date", "home_e164", "home_zones", "mobile_e164",
    "mobile_zones", "work_e164", "work_zones", "serviced_account_number", "identity",
    "new_debtor_id",
)  # fmt: skip

ERROR_COLUMNS = (
    "id", "placement_id", "client_id", "line", "column_name", "field", "code", "reason",
    "severity",
)  # fmt: skip

_CREATE_STAGING = """
CREATE TEMP TABLE IF NOT EXISTS staging_account (
    line integer NOT NULL,
    client_account_number text NOT NULL,
    first_name text, last_name text NOT NULL, date_of_birth date,
    ssn_last4 text, ssn_hash text,
    address_line1 text, address_line2 text, city text, state text, zip5 text, time_zone text,
    email text, original_creditor text,
    principal_cents bigint NOT NULL, interest_cents bigint NOT NULL, fees_cents bigint NOT NULL,
    delinquency_date date NOT NULL, charge_off_date date, last_payment_date date,
    statute_of_limitations_date date,
    home_e164 text, home_zones text[], mobile_e164 text, mobile_zones text[],
    work_e164 text, work_zones text[],
    serviced_account_number text,
    identity text NOT NULL, new_debtor_id uuid NOT NULL,
    debtor_id uuid,
    reject_code text, reject_reason text
) ON COMMIT DELETE ROWS
"""


# Each statement with the names of its parameters, in order.
_MERGE: list[tuple[str, tuple[str, ...]]] = [
    # Temporary tables get no statistics from autovacuum; without them the planner picks
    # nested loops over the batch and a merge of 25,000 rows takes minutes, not seconds.
    # Only the columns the merge joins and groups on: analyzing all of them costs more.
    ("ANALYZE staging_account (client_account_number, ssn_hash, identity, last_name)", ()),
    # Against accounts already open for the client: from an earlier batch of this same
    # file (a duplicate within the file) or from another placement.
    (
        """
        UPDATE staging_account s SET
            reject_code = CASE WHEN a.placement_id = $2
                THEN 'duplicate_in_file' ELSE 'already_open' END,
            reject_reason = CASE WHEN a.placement_id = $2
                THEN 'account number already on line ' || a.placement_line
                ELSE 'account number already open for this client' END
        FROM account a
        WHERE s.reject_code IS NULL AND a.client_id = $1
          AND lower(a.client_account_number) = lower(s.client_account_number)
          AND a.status <> 'recalled'
        """,
        ("client_id", "placement_id"),
    ),
    ("SELECT pg_advisory_xact_lock($1)", ("debtor_merge_lock",)),
    # The same person by SSN (its keyed hash) ...
    (
        """
        UPDATE staging_account s SET debtor_id = d.id FROM debtor d
        WHERE s.reject_code IS NULL AND s.ssn_hash IS NOT NULL AND d.ssn_hash = s.ssn_hash
        """,
        (),
    ),
    # ... or, without an SSN, by name and date of birth AND the same address or phone:
    # never by name and birth date alone, which would merge strangers and disclose a debt
    # to the wrong person.
    (
        """
        UPDATE staging_account s SET debtor_id = (
            SELECT d.id FROM debtor d
            WHERE lower(d.last_name) = lower(s.last_name)
              AND lower(coalesce(d.first_name, '')) = lower(coalesce(s.first_name, ''))
              AND d.date_of_birth = s.date_of_birth
              AND ((d.zip5 = s.zip5 AND lower(d.address_line1) = lower(s.address_line1))
                   OR EXISTS (SELECT 1 FROM debtor_phone p WHERE p.debtor_id = d.id
                              AND p.e164 IN (s.home_e164, s.mobile_e164, s.work_e164)))
            ORDER BY d.created_at, d.id LIMIT 1)
        WHERE s.reject_code IS NULL AND s.debtor_id IS NULL AND s.ssn_hash IS NULL
          AND s.date_of_birth IS NOT NULL
        """,
        (),
    ),
    # New people: one debtor per person of the batch (the first line's details), its id
    # assigned while parsing.
    (
        """
        INSERT INTO debtor (id, first_name, last_name, date_of_birth, ssn_last4, ssn_hash,
            address_line1, address_line2, city, state, zip5, time_zone, emails, no_telephone,
            inconvenient_times, created_at, updated_at)
        SELECT DISTINCT ON (new_debtor_id) new_debtor_id, first_name, last_name,
            date_of_birth, ssn_last4, ssn_hash, address_line1, address_line2, city, state,
            zip5, time_zone, '{}'::varchar[], false, '[]', now(), now() -- clock-ok: write time
        FROM staging_account WHERE reject_code IS NULL AND debtor_id IS NULL
        ORDER BY new_debtor_id, line
        """,
        (),
    ),
    (
        """
        UPDATE staging_account SET debtor_id = new_debtor_id
        WHERE reject_code IS NULL AND debtor_id IS NULL
        """,
        (),
    ),
    (
        """
        UPDATE debtor d SET emails = d.emails || s.emails,
            updated_at = now() -- clock-ok: write time
        FROM (SELECT debtor_id, array_agg(DISTINCT email)::varchar[] AS emails
              FROM staging_account WHERE reject_code IS NULL AND email IS NOT NULL
              GROUP BY debtor_id) s
        WHERE d.id = s.debtor_id AND NOT (s.emails <@ d.emails)
        """,
        (),
    ),
    (
        """
        INSERT INTO debtor_phone (id, debtor_id, e164, kind, status, employer_forbids_calls,
            time_zones, created_at)
        SELECT gen_random_uuid(), s.debtor_id, p.e164,
            p.kind, 'valid', false, coalesce(p.zones, '{}'), now() -- clock-ok: write time
        FROM staging_account s
        CROSS JOIN LATERAL (VALUES ('home', s.home_e164, s.home_zones),
                                   ('mobile', s.mobile_e164, s.mobile_zones),
                                   ('work', s.work_e164, s.work_zones)) AS p(kind, e164, zones)
        WHERE s.reject_code IS NULL AND p.e164 IS NOT NULL
        -- A number given twice for one person (two of their accounts) is kept once: the
        -- later rows of the same statement conflict with the first and are skipped.
        ON CONFLICT (debtor_id, e164) DO NOTHING
        """,
        (),
    ),
    (
        """
        INSERT INTO account (id, client_id, placement_id, placement_line, debtor_id,
            client_account_number, original_creditor, tier, fee_rate_bps, principal_cents,
            interest_cents, fees_cents, placed_balance_cents, balance_cents, delinquency_date,
            charge_off_date, last_payment_date, statute_of_limitations_date, status,
            status_since, validation_notice_sent_on, validation_period_ends_on,
            serviced_account_number, created_at, updated_at)
        SELECT gen_random_uuid(), $1, $2, line, debtor_id, client_account_number,
            original_creditor, $3, $4, principal_cents, interest_cents, fees_cents,
            principal_cents + interest_cents + fees_cents,
            principal_cents + interest_cents + fees_cents, delinquency_date, charge_off_date,
            last_payment_date, statute_of_limitations_date, 'active',
                now(), $5, $6, -- clock-ok: write time
            serviced_account_number, now(), now() -- clock-ok: write time
        FROM staging_account WHERE reject_code IS NULL
        """,
        ("client_id", "placement_id", "tier", "fee_rate_bps", "notice_sent_on",
         "validation_ends_on"),
    ),
]  # fmt: skip


async def refresh_statistics(conn: db.Connection) -> None:
    """After a committed batch: re-analyze the tables the loader grows if they changed by a
    tenth since last analyzed, so the next batch is planned for their real size."""
    await conn.execute("SELECT refresh_ingest_statistics()")


async def prepare_staging(conn: db.Connection) -> None:
    await conn.execute(_CREATE_STAGING)


async def merge_batch(
    conn: db.Connection,
    *,
    client_id: UUID,
    placement_id: UUID,
    tier: str,
    fee_rate_bps: int,
    notice_sent_on: date,
    validation_ends_on: date,
) -> list[asyncpg.Record]:
    """Merge what is staged into debtors and accounts; return the rows refused here
    (duplicates), as (line, code, reason). Runs inside the caller's transaction."""
    parameters: dict[str, object] = {
        "client_id": client_id,
        "placement_id": placement_id,
        "tier": tier,
        "fee_rate_bps": fee_rate_bps,
        "notice_sent_on": notice_sent_on,
        "validation_ends_on": validation_ends_on,
        "debtor_merge_lock": locks.DEBTOR_MERGE,
    }
    for statement, names in _MERGE:
        await conn.execute(statement, *(parameters[name] for name in names))
    return await conn.fetch(
        "SELECT line, reject_code, reject_reason FROM staging_account"
        " WHERE reject_code IS NOT NULL ORDER BY line"
    )


# --- for settlements ---


async def record_payment_date(account_id: UUID, paid_on: date) -> None:
    """The last payment date only moves forward: a back-dated payment leaves a later one."""
    await db.execute(
        """
        UPDATE account SET last_payment_date = GREATEST(last_payment_date, $2),
            updated_at = now() -- clock-ok: write time
        WHERE id = $1
        """,
        account_id,
        paid_on,
    )


# --- loading recall and maintenance files -------------------------------------------------

RECALL_COLUMNS = ("line", "client_account_number", "reason")
MAINTENANCE_COLUMNS = (
    "line", "client_account_number", "address_line1", "address_line2", "city", "state",
    "zip5", "time_zone", "email", "home_e164", "home_zones", "mobile_e164", "mobile_zones",
    "work_e164", "work_zones", "target_status", "status_reason",
)  # fmt: skip

_CREATE_CHANGE_STAGING = """
CREATE TEMP TABLE IF NOT EXISTS staging_recall (
    line integer NOT NULL, client_account_number text NOT NULL, reason text,
    account_id uuid, from_status text, reject_code text, reject_reason text
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS staging_maintenance (
    line integer NOT NULL, client_account_number text NOT NULL,
    address_line1 text, address_line2 text, city text, state text, zip5 text, time_zone text,
    email text, home_e164 text, home_zones text[], mobile_e164 text, mobile_zones text[],
    work_e164 text, work_zones text[], target_status text, status_reason text,
    account_id uuid, debtor_id uuid, from_status text, reject_code text, reject_reason text
) ON COMMIT DELETE ROWS;
"""

_CHANGE_TARGETS = """
UPDATE {table} s SET account_id = a.id, from_status = a.status{debtor}
FROM account a
WHERE s.reject_code IS NULL AND a.client_id = $1 AND a.status <> 'recalled'
  AND lower(a.client_account_number) = lower(s.client_account_number)
"""
_CHANGE_NOT_FOUND = """
UPDATE {table} SET reject_code = 'not_found',
    reject_reason = 'no open account with this number for this client'
WHERE reject_code IS NULL AND account_id IS NULL
"""
_STATUS_CHANGE = """
INSERT INTO account_status_change (id, account_id, client_id, from_status, to_status, action,
    reason, channel, received_at, actor_id, created_at)
SELECT gen_random_uuid(), account_id, $1, from_status, {to_status}, '{action}',
    coalesce({reason}, 'from the client''s {kind} file'), 'electronic',
        now(), $2, now() -- clock-ok: write time
FROM {table} WHERE reject_code IS NULL AND {changes}
"""
_SET_STATUS = """
UPDATE account a SET status = {to_status},
    status_since = now(), updated_at = now() -- clock-ok: write time
FROM {table} s WHERE s.reject_code IS NULL AND a.id = s.account_id AND {changes}
"""


def _change_rejects(table: str) -> str:
    return (
        f"SELECT line, reject_code, reject_reason FROM {table}"  # noqa: S608
        " WHERE reject_code IS NOT NULL ORDER BY line"
    )


async def prepare_change_staging(conn: db.Connection) -> None:
    await conn.execute(_CREATE_CHANGE_STAGING)


async def merge_recall(
    conn: db.Connection, *, client_id: UUID, actor_id: UUID | None
) -> list[asyncpg.Record]:
    table = "staging_recall"
    await conn.execute(_CHANGE_TARGETS.format(table=table, debtor=""), client_id)
    await conn.execute(_CHANGE_NOT_FOUND.format(table=table))
    await conn.execute(
        _STATUS_CHANGE.format(
            table=table, to_status="'recalled'", action="recall", reason="reason", kind="recall",
            changes="true",
        ),
        client_id, actor_id,
    )  # fmt: skip
    await conn.execute(_SET_STATUS.format(table=table, to_status="'recalled'", changes="true"))
    return await conn.fetch(_change_rejects(table))


async def merge_maintenance(
    conn: db.Connection,
    *,
    client_id: UUID,
    actor_id: UUID | None,
    transitions: list[tuple[str, str]],
) -> list[asyncpg.Record]:
    table = "staging_maintenance"
    await conn.execute(
        _CHANGE_TARGETS.format(table=table, debtor=", debtor_id = a.debtor_id"), client_id
    )
    await conn.execute(_CHANGE_NOT_FOUND.format(table=table))
    await conn.execute(
        """
        UPDATE staging_maintenance s SET reject_code = 'status_transition_refused',
            reject_reason = 'an account that is ' || s.from_status || ' cannot become '
                || s.target_status
        WHERE s.reject_code IS NULL AND s.target_status IS NOT NULL
          AND s.target_status IS DISTINCT FROM s.from_status
          AND (s.from_status, s.target_status) NOT IN (
              SELECT * FROM unnest($1::text[], $2::text[]))
        """,
        [pair[0] for pair in transitions], [pair[1] for pair in transitions],
    )  # fmt: skip
    # The person moved: every account of theirs has the new address.
    await conn.execute(
        """
        UPDATE debtor d SET address_line1 = coalesce(s.address_line1, d.address_line1),
            address_line2 = CASE WHEN s.address_line1 IS NOT NULL THEN s.address_line2
                                 ELSE d.address_line2 END,
            city = coalesce(s.city, d.city), state = s.state, zip5 = s.zip5,
            time_zone = s.time_zone, updated_at = now() -- clock-ok: write time
        FROM staging_maintenance s
        WHERE s.reject_code IS NULL AND d.id = s.debtor_id AND s.zip5 IS NOT NULL
        """
    )
    await conn.execute(
        """
        UPDATE debtor d SET emails = array_append(d.emails, s.email::varchar),
            updated_at = now() -- clock-ok: write time
        FROM staging_maintenance s
        WHERE s.reject_code IS NULL AND d.id = s.debtor_id AND s.email IS NOT NULL
          AND NOT (s.email = ANY(d.emails))
        """
    )
    await conn.execute(
        """
        INSERT INTO debtor_phone (id, debtor_id, e164, kind, status, employer_forbids_calls,
            time_zones, created_at)
        SELECT gen_random_uuid(), s.debtor_id, p.e164, p.kind, 'valid', false,
            coalesce(p.zones, '{}'), now() -- clock-ok: write time
        FROM staging_maintenance s
        CROSS JOIN LATERAL (VALUES ('home', s.home_e164, s.home_zones),
                                   ('mobile', s.mobile_e164, s.mobile_zones),
                                   ('work', s.work_e164, s.work_zones)) AS p(kind, e164, zones)
        WHERE s.reject_code IS NULL AND p.e164 IS NOT NULL
        ON CONFLICT (debtor_id, e164) DO NOTHING
        """
    )
    changes = "target_status IS NOT NULL AND target_status IS DISTINCT FROM from_status"
    await conn.execute(
        _STATUS_CHANGE.format(
            table=table, to_status="target_status", action="status", reason="status_reason",
            kind="maintenance", changes=changes,
        ),
        client_id, actor_id,
    )  # fmt: skip
    await conn.execute(
        _SET_STATUS.format(table=table, to_status="s.target_status", changes=changes)
    )
    return await conn.fetch(_change_rejects(table))


# --- for the client portal's dashboard ------------------------------------------------------


async def client_accounts_by_status(client_id: UUID) -> list[asyncpg.Record]:
    return await db.fetch(
        """
        SELECT status, count(*) AS accounts, sum(placed_balance_cents) AS placed_cents,
               sum(balance_cents) AS balance_cents
        FROM account WHERE client_id = $1 GROUP BY status ORDER BY count(*) DESC, status
        """,
        client_id,
    )


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


async def account_numbers(
    account_ids: list[UUID], visible: frozenset[UUID] | None
) -> list[asyncpg.Record]:
    return await db.fetch(
        """
        SELECT id, client_account_number FROM account
        WHERE id = ANY($1::uuid[]) AND ($2::uuid[] IS NULL OR client_id = ANY($2::uuid[]))
        """,
        account_ids,
        visible_param(visible),
    )
