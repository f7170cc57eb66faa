"""Every query of debtors, their profiles and phones, accounts and their status changes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

import asyncpg

from server.kit import db
from server.kit.pagination import created_keyset, cursor_params, visible_param

ACCOUNT_COLUMNS = """
    a.id, a.client_id, a.placement_id, a.debtor_id, a.client_account_number,
    a.original_creditor, a.tier, a.fee_rate_bps, a.principal_cents, a.interest_cents,
    a.fees_cents, a.placed_balance_cents, a.balance_cents, a.delinquency_date,
    a.charge_off_date, a.last_payment_date, a.statute_of_limitations_date, a.status,
    a.status_since, a.validation_notice_sent_on, a.validation_period_ends_on, a.created_at,
    a.serviced_account_number, a.validation_notice_returned_on, a.disputed_since
"""


async def account(account_id: UUID, *, for_update: bool = False) -> asyncpg.Record | None:
    lock = " FOR UPDATE" if for_update else ""
    return await db.fetchrow(
        f"SELECT {ACCOUNT_COLUMNS} FROM account a WHERE a.id = $1{lock}",  # noqa: S608
        account_id,
    )


async def placed_account_by_number(client_id: UUID, number: str) -> asyncpg.Record | None:
    """Locked FOR UPDATE; on account_number_open, the index of accounts not recalled."""
    return await db.fetchrow(
        f"""
        SELECT {ACCOUNT_COLUMNS} FROM account a
        WHERE a.client_id = $1 AND lower(a.client_account_number) = lower($2)
          AND a.status <> 'recalled'
        FOR UPDATE
        """,  # noqa: S608
        client_id,
        number,
    )


async def last_recalled_account_by_number(client_id: UUID, number: str) -> asyncpg.Record | None:
    """The client's account with this number recalled last, locked FOR UPDATE."""
    return await db.fetchrow(
        f"""
        SELECT {ACCOUNT_COLUMNS} FROM account a
        WHERE a.client_id = $1 AND lower(a.client_account_number) = lower($2)
          AND a.status = 'recalled'
        ORDER BY a.status_since DESC, a.id DESC LIMIT 1
        FOR UPDATE
        """,  # noqa: S608
        client_id,
        number,
    )


DEBTOR_SQL = """
    SELECT id, no_telephone, no_telephone_since, inconvenient_times,
           refused_media::text AS refused_media
    FROM debtor WHERE id = $1
"""


async def debtor(debtor_id: UUID, *, for_update: bool = False) -> asyncpg.Record | None:
    lock = " FOR UPDATE" if for_update else ""
    return await db.fetchrow(DEBTOR_SQL + lock, debtor_id)


_PROFILE_COLUMNS = """
    client_id, first_name, last_name, date_of_birth, ssn_last4, address_line1,
    address_line2, city, state, zip5, time_zone, emails, supplied_by_placement_id,
    updated_by_placement_id, created_at, updated_at
"""


PROFILES_SQL = f"""
    SELECT {_PROFILE_COLUMNS} FROM debtor_profile
    WHERE debtor_id = $1 AND ($2::uuid IS NULL OR client_id = $2::uuid)
    ORDER BY client_id IS NULL, created_at, client_id
"""  # noqa: S608


async def profiles(debtor_id: UUID, client_id: UUID | None) -> list[asyncpg.Record]:
    """The person's profiles: only `client_id`'s when given, else every one (the agency's
    own, client_id null, last)."""
    return await db.fetch(PROFILES_SQL, debtor_id, client_id)


DEBTOR_PHONES_SQL = """
    SELECT id AS phone_id, e164, kind, status, status_since, employer_forbids_calls,
           time_zones, client_id, learned_on_account_id
    FROM debtor_phone WHERE debtor_id = $1 AND ($2::uuid IS NULL OR client_id = $2::uuid)
    ORDER BY created_at, e164, client_id
"""


async def debtor_phones(debtor_id: UUID, client_id: UUID | None) -> list[asyncpg.Record]:
    """The person's numbers: only those `client_id` supplied (or the agency learned on its
    accounts) when given, else every one, each with its supplier."""
    return await db.fetch(DEBTOR_PHONES_SQL, debtor_id, client_id)


STATUS_HISTORY_SQL = """
    SELECT action, from_status, to_status, reason, channel, received_at, created_at
    FROM account_status_change WHERE account_id = $1 ORDER BY created_at, id
"""


async def status_history(account_id: UUID) -> list[asyncpg.Record]:
    return await db.fetch(STATUS_HISTORY_SQL, account_id)


# Everything the contact rules need about some accounts and their people, in one round
# trip: the next-account claim judges several candidates per request, and composes this
# into the one statement that claims them (`contact_rows_sql`).
_CONTACT_ROWS = """
    SELECT a.id, a.client_id, a.status, a.status_since, a.debtor_id, a.balance_cents,
           d.no_telephone, d.no_telephone_since, d.inconvenient_times,
           -- Every address and number the agency holds for the person, whichever client
           -- supplied it: the account's own client's address first.
           (SELECT array_agg(t.time_zone ORDER BY t.client_id IS DISTINCT FROM a.client_id,
                                                 t.time_zone)
            FROM (SELECT DISTINCT ON (time_zone) time_zone, client_id FROM debtor_address
                  WHERE debtor_id = a.debtor_id AND time_zone IS NOT NULL
                  ORDER BY time_zone, client_id IS DISTINCT FROM a.client_id) t)
               AS address_zones,
           (SELECT array_agg(DISTINCT upper(t.state)) FROM debtor_address t
            WHERE t.debtor_id = a.debtor_id AND t.state IS NOT NULL) AS address_states,
           -- A number once, however many supplied it: its zones are every supplier's.
           (SELECT array_agg(ROW(p.e164, p.kind, p.status, p.status_since,
                                 p.employer_forbids_calls, p.time_zones::text[])
                             ORDER BY p.created_at, p.e164)
            FROM (SELECT DISTINCT ON (x.e164) x.e164, x.kind, x.status, x.status_since,
                         x.employer_forbids_calls, x.created_at,
                         ARRAY(SELECT DISTINCT z FROM debtor_phone q, unnest(q.time_zones) z
                               WHERE q.debtor_id = x.debtor_id AND q.e164 = x.e164
                               ORDER BY z) AS time_zones
                  FROM debtor_phone x WHERE x.debtor_id = a.debtor_id
                  ORDER BY x.e164, x.created_at, x.id) p) AS phones,
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
    WHERE a.id = ANY ({accounts})
"""
PHONE_FIELDS = ("e164", "kind", "status", "status_since", "employer_forbids_calls", "time_zones")
STATUS_CHANGE_FIELDS = ("from_status", "to_status", "received_at", "created_at")


def contact_rows_sql(accounts: str) -> str:
    """The contact rows of the accounts `accounts` names: an SQL expression of a uuid[]
    (a parameter, or a subquery of the statement this joins)."""
    return _CONTACT_ROWS.format(accounts=accounts)


async def contact_rows(account_ids: Sequence[UUID]) -> list[asyncpg.Record]:
    return await db.fetch(contact_rows_sql("$1::uuid[]"), list(account_ids))


_ACCOUNT_ORDER = created_keyset("a")


async def list_accounts(
    *,
    visible: frozenset[UUID] | None,
    client_id: UUID | None,
    status: str | None,
    query: str | None,
    phone: str | None,
    all_numbers: bool,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[asyncpg.Record]:
    # The search is a prefix match on the account number or the debtor's last name (both
    # indexed), or the person's number in E.164 (indexed): any of the person's numbers
    # (`all_numbers`, the agency's people) or those the account's own client supplied.
    # LIKE metacharacters in the query are escaped so they match themselves.
    pattern = None
    if query:
        escaped = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = escaped + "%"
    return await db.fetch(
        f"""
        SELECT a.id, a.client_id, a.placement_id, a.client_account_number, a.status,
               a.placed_balance_cents, a.balance_cents, a.delinquency_date, a.created_at,
               a.disputed_since, concat_ws(' ', d.first_name, d.last_name) AS debtor_name
        FROM account a
        -- The name the account's own client gave: what a client supplied is shown only
        -- with its own accounts.
        LEFT JOIN debtor_profile d ON d.debtor_id = a.debtor_id AND d.client_id = a.client_id
        WHERE ($1::uuid[] IS NULL OR a.client_id = ANY($1::uuid[]))
          AND ($2::uuid IS NULL OR a.client_id = $2)
          AND ($3::text IS NULL OR a.status = $3)
          AND ($4::text IS NULL OR lower(a.client_account_number) LIKE $4
               OR lower(d.last_name) LIKE $4
               OR lower(concat_ws(' ', d.first_name, d.last_name)) LIKE $4
               OR EXISTS (SELECT 1 FROM debtor_phone p
                          WHERE p.e164 = $8 AND p.debtor_id = a.debtor_id
                            AND ($9 OR p.client_id = a.client_id)))
          AND {_ACCOUNT_ORDER.after(5)}
        {_ACCOUNT_ORDER.order_by}
        LIMIT $7
        """,  # noqa: S608
        visible_param(visible),
        client_id,
        status,
        pattern,
        *cursor_params(after),
        limit,
        phone,
        all_numbers,
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


async def mark_disputed(account_id: UUID, received_at: datetime) -> None:
    """The debt is disputed since the earliest dispute received."""
    await db.execute(
        """
        UPDATE account SET disputed_since = LEAST(coalesce(disputed_since, $2), $2),
            updated_at = now() -- clock-ok: write time
        WHERE id = $1
        """,
        account_id,
        received_at,
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


async def client_accounts_by_status(client_id: UUID) -> list[asyncpg.Record]:
    return await db.fetch(
        """
        SELECT status, count(*) AS accounts, sum(placed_balance_cents) AS placed_cents,
               sum(balance_cents) AS balance_cents
        FROM account WHERE client_id = $1 GROUP BY status ORDER BY count(*) DESC, status
        """,
        client_id,
    )


async def account_labels(
    account_ids: list[UUID], visible: frozenset[UUID] | None
) -> list[asyncpg.Record]:
    """Each account's number and its debtor's name as the account's client knows it."""
    return await db.fetch(
        """
        SELECT a.id, a.client_account_number,
               concat_ws(' ', d.first_name, d.last_name) AS debtor_name
        FROM account a
        LEFT JOIN debtor_profile d ON d.debtor_id = a.debtor_id AND d.client_id = a.client_id
        WHERE a.id = ANY($1::uuid[]) AND ($2::uuid[] IS NULL OR a.client_id = ANY($2::uuid[]))
        """,
        account_ids,
        visible_param(visible),
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


# --- blocks on collection -----------------------------------------------------------------

_BLOCK_COLUMNS = """
    id, account_id, client_id, kind, reason, channel, received_at, evidence::text AS evidence,
    source, added_by, added_at
"""


BLOCKS_IN_FORCE_SQL = f"""
    SELECT {_BLOCK_COLUMNS} FROM account_block
    WHERE account_id = $1 AND lifted_at IS NULL ORDER BY received_at, added_at, id
"""  # noqa: S608


async def blocks_in_force(account_id: UUID) -> list[asyncpg.Record]:
    """The account's blocks not lifted, oldest first (read under the account's lock)."""
    return await db.fetch(BLOCKS_IN_FORCE_SQL, account_id)


async def insert_block(
    *,
    account_id: UUID,
    client_id: UUID,
    kind: str,
    reason: str,
    channel: str | None,
    received_at: datetime,
    evidence: str | None,
    added_by: UUID | None,
) -> UUID:
    block_id: UUID = await db.fetchval(
        """
        INSERT INTO account_block (id, account_id, client_id, kind, reason, channel,
            received_at, evidence, source, added_by, added_at)
        VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7::jsonb, 'action', $8,
            now()) -- clock-ok: write time
        RETURNING id
        """,
        account_id, client_id, kind, reason, channel, received_at, evidence, added_by,
    )  # fmt: skip
    return block_id


async def lift_block(
    block_id: UUID,
    *,
    action: str,
    reason: str,
    received_at: datetime,
    evidence: str | None,
    lifted_by: UUID | None,
) -> None:
    await db.execute(
        """
        UPDATE account_block SET lifted_at = now(), -- clock-ok: write time
            lifted_by = $2, lift_action = $3, lift_reason = $4, lift_received_at = $5,
            lift_evidence = $6::jsonb
        WHERE id = $1 AND lifted_at IS NULL
        """,
        block_id, lifted_by, action, reason, received_at, evidence,
    )  # fmt: skip


async def block_kinds_in_force(account_id: UUID) -> list[str]:
    rows = await db.fetch(
        "SELECT kind FROM account_block WHERE account_id = $1 AND lifted_at IS NULL", account_id
    )
    return [row["kind"] for row in rows]


# --- notes ---------------------------------------------------------------------------------

_NOTE_COLUMNS = "id AS note_id, account_id, author_id, text, created_at"
_NOTE_ORDER = created_keyset()


async def insert_note(
    account_id: UUID, client_id: UUID, author_id: UUID, text: str
) -> asyncpg.Record:
    record = await db.fetchrow(
        f"""
        INSERT INTO account_note (id, account_id, client_id, author_id, text, created_at)
        VALUES (gen_random_uuid(), $1, $2, $3, $4, now()) -- clock-ok: write time
        RETURNING {_NOTE_COLUMNS}
        """,  # noqa: S608
        account_id,
        client_id,
        author_id,
        text,
    )
    assert record is not None
    return record


async def notes_of_account(
    account_id: UUID, after: tuple[datetime, UUID] | None, limit: int
) -> list[asyncpg.Record]:
    return await db.fetch(
        f"""
        SELECT {_NOTE_COLUMNS} FROM account_note
        WHERE account_id = $1 AND {_NOTE_ORDER.after(2)}
        {_NOTE_ORDER.order_by}
        LIMIT $4
        """,  # noqa: S608
        account_id,
        *cursor_params(after),
        limit,
    )
