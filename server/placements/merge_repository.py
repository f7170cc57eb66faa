"""Merging a batch of a placement file into debtors and accounts: the hot path of ingest.

Set-based by design: a batch of rows is COPYed into a temporary staging table and merged
into debtors, the file's client's profiles of them, phones and accounts with a handful of
statements, never a query per row. A file writes only its own client's profiles and
numbers: the person is matched across clients, what each supplied stays its own. The
tables are the accounts domain's; going through its service would mean a call per row,
so the merge stays SQL here, the one writer of those tables outside `server.accounts`.
These take an explicit connection: the loader reads the file on one connection while it
writes the previous batch on another.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg

from server.kit import db, locks

# --- loading a new-business file ----------------------------------------------------------

STAGING_COLUMNS = (
    "line", "client_account_number", "first_name", "last_name", "date_of_birth",
    "ssn_last4", "ssn_hash", "address_line1", "address_line2", "city", "state", "zip5",
    "time_zone", "email", "original_creditor", "principal_cents", "interest_cents",
    "fees_cents", "delinquency_date", "charge_off_date", "last_payment_date",
    "statute_of_limitations_date", "home_e164", "home_zones", "mobile_e164",
    "mobile_zones", "work_e164", "work_zones", "serviced_account_number",
    "itemization_date", "itemization_balance_cents", "interest_since_itemization_cents",
    "fees_since_itemization_cents", "payments_since_itemization_cents",
    "creditor_on_itemization_date", "current_creditor", "identity", "new_debtor_id",
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
    itemization_date date, itemization_balance_cents bigint,
    interest_since_itemization_cents bigint, fees_since_itemization_cents bigint,
    payments_since_itemization_cents bigint, creditor_on_itemization_date text,
    current_creditor text,
    identity text NOT NULL, new_debtor_id uuid NOT NULL,
    debtor_id uuid,
    reject_code text, reject_reason text
) ON COMMIT DELETE ROWS
"""


# The numbers a client's rows give, as that client's: once per person, number and
# supplier. A number the person already has from another supplier keeps its status (a
# wrong number, an employer's ban is the number's, for every account of the person).
_PHONES = """
INSERT INTO debtor_phone (id, debtor_id, client_id, supplied_by_placement_id, e164, kind,
    status, status_since, employer_forbids_calls, time_zones, created_at)
SELECT gen_random_uuid(), s.debtor_id, $1, $2, p.e164, p.kind, coalesce(k.status, 'valid'),
    k.status_since, coalesce(k.employer_forbids_calls, false), coalesce(p.zones, '{{}}'),
    now() -- clock-ok: write time
FROM {table} s
CROSS JOIN LATERAL (VALUES ('home', s.home_e164, s.home_zones),
                           ('mobile', s.mobile_e164, s.mobile_zones),
                           ('work', s.work_e164, s.work_zones)) AS p(kind, e164, zones)
LEFT JOIN LATERAL (SELECT q.status, q.status_since, q.employer_forbids_calls
                   FROM debtor_phone q WHERE q.debtor_id = s.debtor_id AND q.e164 = p.e164
                   ORDER BY q.status_since DESC NULLS LAST, q.id LIMIT 1) k ON true
WHERE s.reject_code IS NULL AND p.e164 IS NOT NULL
-- A number given twice for one person (two of their accounts) is kept once: the later
-- rows of the same statement conflict with the first and are skipped.
ON CONFLICT ON CONSTRAINT debtor_phone_once DO NOTHING
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
    # ... or, without an SSN, by name and date of birth AND the same address or phone, in
    # what any client supplied: never by name and birth date alone, which would merge
    # strangers and disclose a debt to the wrong person. A match makes the accounts one
    # person's for the agency (the contact rules, the consumer's requests); it shows the
    # client nothing of what others supplied.
    (
        """
        UPDATE staging_account s SET debtor_id = (
            SELECT f.debtor_id FROM debtor_profile f
            WHERE lower(f.last_name) = lower(s.last_name)
              AND lower(coalesce(f.first_name, '')) = lower(coalesce(s.first_name, ''))
              AND f.date_of_birth = s.date_of_birth
              AND ((f.zip5 = s.zip5 AND lower(f.address_line1) = lower(s.address_line1))
                   OR EXISTS (SELECT 1 FROM debtor_phone p WHERE p.debtor_id = f.debtor_id
                              AND p.e164 IN (s.home_e164, s.mobile_e164, s.work_e164)))
            ORDER BY f.created_at, f.debtor_id LIMIT 1)
        WHERE s.reject_code IS NULL AND s.debtor_id IS NULL AND s.ssn_hash IS NULL
          AND s.date_of_birth IS NOT NULL
        """,
        (),
    ),
    # New people: one debtor per person of the batch, its id assigned while parsing.
    (
        """
        INSERT INTO debtor (id, ssn_hash, no_telephone, inconvenient_times, created_at,
            updated_at)
        SELECT DISTINCT ON (new_debtor_id) new_debtor_id, ssn_hash, false, '[]',
            now(), now() -- clock-ok: write time
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
    # What this client says of the person goes in this client's profile of them (the
    # person's first line of the batch); one it already has keeps what it holds and
    # gains only what it lacked.
    (
        """
        INSERT INTO debtor_profile AS f (id, debtor_id, client_id, first_name, last_name,
            date_of_birth, ssn_last4, address_line1, address_line2, city, state, zip5,
            time_zone, emails, supplied_by_placement_id, updated_by_placement_id,
            created_at, updated_at)
        SELECT DISTINCT ON (debtor_id) gen_random_uuid(), debtor_id, $1, first_name,
            last_name, date_of_birth, ssn_last4, address_line1, address_line2, city, state,
            zip5, time_zone, '{}'::varchar[], $2, $2, now(), now() -- clock-ok: write time
        FROM staging_account WHERE reject_code IS NULL
        ORDER BY debtor_id, line
        ON CONFLICT ON CONSTRAINT debtor_profile_once DO UPDATE SET
            first_name = coalesce(f.first_name, excluded.first_name),
            last_name = coalesce(f.last_name, excluded.last_name),
            date_of_birth = coalesce(f.date_of_birth, excluded.date_of_birth),
            ssn_last4 = coalesce(f.ssn_last4, excluded.ssn_last4),
            address_line1 = CASE WHEN f.zip5 IS NULL THEN excluded.address_line1
                                 ELSE f.address_line1 END,
            address_line2 = CASE WHEN f.zip5 IS NULL THEN excluded.address_line2
                                 ELSE f.address_line2 END,
            city = CASE WHEN f.zip5 IS NULL THEN excluded.city ELSE f.city END,
            state = CASE WHEN f.zip5 IS NULL THEN excluded.state ELSE f.state END,
            time_zone = CASE WHEN f.zip5 IS NULL THEN excluded.time_zone ELSE f.time_zone END,
            zip5 = coalesce(f.zip5, excluded.zip5),
            updated_by_placement_id = excluded.updated_by_placement_id,
            updated_at = excluded.updated_at
        """,
        ("client_id", "placement_id"),
    ),
    (
        """
        UPDATE debtor_profile f SET emails = f.emails || s.emails,
            updated_at = now() -- clock-ok: write time
        FROM (SELECT debtor_id, array_agg(DISTINCT email)::varchar[] AS emails
              FROM staging_account WHERE reject_code IS NULL AND email IS NOT NULL
              GROUP BY debtor_id) s
        WHERE f.debtor_id = s.debtor_id AND f.client_id = $1 AND NOT (s.emails <@ f.emails)
        """,
        ("client_id",),
    ),
    (_PHONES.format(table="staging_account"), ("client_id", "placement_id")),
    (
        """
        INSERT INTO account (id, client_id, placement_id, placement_line, debtor_id,
            client_account_number, original_creditor, tier, fee_rate_bps, principal_cents,
            interest_cents, fees_cents, placed_balance_cents, balance_cents, delinquency_date,
            charge_off_date, last_payment_date, statute_of_limitations_date, status,
            status_since, serviced_account_number, itemization_date,
            itemization_balance_cents, interest_since_itemization_cents,
            fees_since_itemization_cents, payments_since_itemization_cents,
            creditor_on_itemization_date, current_creditor, created_at, updated_at)
        SELECT gen_random_uuid(), $1, $2, line, debtor_id, client_account_number,
            original_creditor, $3, $4, principal_cents, interest_cents, fees_cents,
            principal_cents + interest_cents + fees_cents,
            principal_cents + interest_cents + fees_cents, delinquency_date, charge_off_date,
            last_payment_date, statute_of_limitations_date, 'active',
                now(), -- clock-ok: write time
            serviced_account_number, itemization_date, itemization_balance_cents,
            interest_since_itemization_cents, fees_since_itemization_cents,
            payments_since_itemization_cents, creditor_on_itemization_date, current_creditor,
            now(), now() -- clock-ok: write time
        FROM staging_account WHERE reject_code IS NULL
        """,
        ("client_id", "placement_id", "tier", "fee_rate_bps"),
    ),
]  # fmt: skip


async def prepare_staging(conn: db.Connection) -> None:
    await conn.execute(_CREATE_STAGING)
    await conn.execute(_CREATE_CHANGE_STAGING)


async def stage(
    conn: db.Connection, table: str, rows: list[tuple[object, ...]], columns: tuple[str, ...]
) -> None:
    """COPY a batch's rows into one of the staging tables made by `prepare_staging`."""
    await conn.copy_records_to_table(table, records=rows, columns=columns)


async def merge_batch(
    conn: db.Connection,
    *,
    client_id: UUID,
    placement_id: UUID,
    tier: str,
    fee_rate_bps: int,
) -> list[asyncpg.Record]:
    """Merge what is staged into debtors and accounts; return the rows refused here
    (duplicates), as (line, code, reason). Runs inside the caller's transaction."""
    parameters: dict[str, object] = {
        "client_id": client_id,
        "placement_id": placement_id,
        "tier": tier,
        "fee_rate_bps": fee_rate_bps,
        "debtor_merge_lock": locks.DEBTOR_MERGE,
    }
    for statement, names in _MERGE:
        await conn.execute(statement, *(parameters[name] for name in names))
    return await conn.fetch(
        "SELECT line, reject_code, reject_reason FROM staging_account"
        " WHERE reject_code IS NOT NULL ORDER BY line"
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
    account_id uuid, debtor_id uuid, from_status text, reject_code text, reject_reason text,
    block_added boolean NOT NULL DEFAULT false
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


async def merge_recall(
    conn: db.Connection, *, client_id: UUID, actor_id: UUID | None
) -> tuple[list[asyncpg.Record], list[UUID]]:
    """Recall what is staged; return the rows refused and the accounts recalled."""
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
    recalled = await conn.fetch(
        "SELECT DISTINCT account_id FROM staging_recall"
        " WHERE reject_code IS NULL AND account_id IS NOT NULL"
    )
    return await conn.fetch(_change_rejects(table)), [r["account_id"] for r in recalled]


async def merge_maintenance(
    conn: db.Connection,
    *,
    client_id: UUID,
    placement_id: UUID,
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
    # The person moved, as this client's file says: this client's profile of them has
    # the new address (every account of this client); another client's never changes.
    # The contact rules still read every profile's address (the person may be at any).
    await conn.execute(
        """
        INSERT INTO debtor_profile (id, debtor_id, client_id, emails, created_at, updated_at)
        SELECT DISTINCT ON (debtor_id) gen_random_uuid(), debtor_id, $1, '{}',
            now(), now() -- clock-ok: write time
        FROM staging_maintenance WHERE reject_code IS NULL
        ON CONFLICT ON CONSTRAINT debtor_profile_once DO NOTHING
        """,
        client_id,
    )
    await conn.execute(
        """
        UPDATE debtor_profile f SET address_line1 = coalesce(s.address_line1, f.address_line1),
            address_line2 = CASE WHEN s.address_line1 IS NOT NULL THEN s.address_line2
                                 ELSE f.address_line2 END,
            city = coalesce(s.city, f.city), state = s.state, zip5 = s.zip5,
            time_zone = s.time_zone, updated_by_placement_id = $2,
            updated_at = now() -- clock-ok: write time
        FROM staging_maintenance s
        WHERE s.reject_code IS NULL AND f.debtor_id = s.debtor_id AND f.client_id = $1
          AND s.zip5 IS NOT NULL
        """,
        client_id, placement_id,
    )  # fmt: skip
    await conn.execute(
        """
        UPDATE debtor_profile f SET emails = array_append(f.emails, s.email::varchar),
            updated_by_placement_id = $2, updated_at = now() -- clock-ok: write time
        FROM staging_maintenance s
        WHERE s.reject_code IS NULL AND f.debtor_id = s.debtor_id AND f.client_id = $1
          AND s.email IS NOT NULL AND NOT (s.email = ANY(f.emails))
        """,
        client_id, placement_id,
    )  # fmt: skip
    await conn.execute(_PHONES.format(table="staging_maintenance"), client_id, placement_id)
    for statement in _MAINTENANCE_BLOCKS:
        await conn.execute(statement, client_id, actor_id)
    await conn.execute(_MAINTENANCE_DISPUTED, client_id)
    return await conn.fetch(_change_rejects(table))


# A status a client's maintenance file reports is a block added to the account, as the
# status actions add them (statuses.decide): blocks stack, one of a kind in force (the
# partial unique index leaves one already in force as it is), and the account shows the
# most severe in force (account_open_status, held to statuses.open_status by a test). The
# file carries no evidence: unknown is null.
_MAINTENANCE_BLOCKS = (
    """
    WITH added AS (
        INSERT INTO account_block (id, account_id, client_id, kind, reason, channel,
            received_at, evidence, source, added_by, added_at)
        SELECT gen_random_uuid(), s.account_id, $1, s.target_status,
            coalesce(s.status_reason, 'from the client''s maintenance file'), 'electronic',
            now(), NULL, 'maintenance_file', $2, now() -- clock-ok: write time
        FROM staging_maintenance s
        WHERE s.reject_code IS NULL AND s.target_status IS NOT NULL
          AND s.target_status IS DISTINCT FROM s.from_status
        ON CONFLICT (account_id, kind) WHERE lifted_at IS NULL DO NOTHING
        RETURNING account_id
    )
    UPDATE staging_maintenance s SET block_added = true
    FROM added WHERE s.account_id = added.account_id
    """,
    """
    WITH moved AS (
        SELECT a.id, a.status AS from_status,
               account_open_status(ARRAY(SELECT b.kind::text FROM account_block b
                   WHERE b.account_id = a.id AND b.lifted_at IS NULL)) AS to_status,
               min(s.status_reason) AS reason
        FROM account a JOIN staging_maintenance s ON s.account_id = a.id AND s.block_added
        GROUP BY a.id, a.status
    ),
    logged AS (
        INSERT INTO account_status_change (id, account_id, client_id, from_status, to_status,
            action, reason, channel, received_at, actor_id, created_at)
        SELECT gen_random_uuid(), id, $1, from_status, to_status, 'status',
            coalesce(reason, 'from the client''s maintenance file'), 'electronic',
            now(), $2, now() -- clock-ok: write time
        FROM moved
    )
    UPDATE account a SET status = m.to_status,
        status_since = now(), updated_at = now() -- clock-ok: write time
    FROM moved m WHERE a.id = m.id AND m.to_status <> m.from_status
    """,
)
# A dispute the client reports marks the debt disputed too (account.disputed_since), from
# when the file is applied: the file says nothing of when the consumer wrote.
_MAINTENANCE_DISPUTED = """
    UPDATE account a SET disputed_since = now() -- clock-ok: the file's write time
    FROM staging_maintenance s
    WHERE s.reject_code IS NULL AND s.target_status = 'disputed' AND s.account_id = a.id
      AND a.client_id = $1 AND a.disputed_since IS NULL
"""
