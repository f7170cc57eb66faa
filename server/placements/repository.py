"""Every query of clients, placements, debtors and accounts."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from server import db


async def existing_client_ids(client_ids: list[UUID]) -> set[UUID]:
    rows = await db.fetch("SELECT id FROM client WHERE id = ANY($1::uuid[])", client_ids)
    return {row["id"] for row in rows}


_CLIENT_COLUMNS = """
    id, name, status, fee_rates_bps, remittance_cycle, remittance_method, clearing_days,
    authority, column_map, created_at, updated_at
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


async def insert_client(values: dict[str, Any]) -> dict[str, Any]:
    record = await db.fetchrow(
        f"""
        INSERT INTO client (id, name, status, fee_rates_bps, remittance_cycle, remittance_method,
                            clearing_days, authority, column_map, created_at, updated_at)
        VALUES (gen_random_uuid(), $1, 'active', $2::jsonb, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb,
                now(), now())
        RETURNING {_CLIENT_COLUMNS}
        """,  # noqa: S608
        values["name"],
        json.dumps(values["fee_rates_bps"]),
        values["remittance_cycle"],
        values["remittance_method"],
        json.dumps(values["clearing_days"]),
        json.dumps(values["authority"]),
        json.dumps(values["column_map"]),
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


async def update_client(client_id: UUID, values: dict[str, Any]) -> dict[str, Any]:
    record = await db.fetchrow(
        f"""
        UPDATE client SET name = $2, status = $3, fee_rates_bps = $4::jsonb,
            remittance_cycle = $5, remittance_method = $6, clearing_days = $7::jsonb,
            authority = $8::jsonb, column_map = $9::jsonb, updated_at = now()
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
    )
    assert record is not None
    return client_row(record)


async def list_clients(
    visible: frozenset[UUID] | None, after: tuple[datetime, UUID] | None, limit: int
) -> list[dict[str, Any]]:
    records = await db.fetch(
        f"""
        SELECT {_CLIENT_COLUMNS} FROM client
        WHERE ($1::uuid[] IS NULL OR id = ANY($1::uuid[]))
          AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3))
        ORDER BY created_at DESC, id DESC
        LIMIT $4
        """,  # noqa: S608
        None if visible is None else list(visible),
        after[0] if after else None,
        after[1] if after else None,
        limit,
    )
    return [client_row(record) for record in records]


# --- accounts -----------------------------------------------------------------------------

_ACCOUNT_COLUMNS = """
    a.id, a.client_id, a.placement_id, a.debtor_id, a.client_account_number,
    a.original_creditor, a.tier, a.fee_rate_bps, a.principal_cents, a.interest_cents,
    a.fees_cents, a.placed_balance_cents, a.balance_cents, a.delinquency_date,
    a.charge_off_date, a.last_payment_date, a.statute_of_limitations_date, a.status,
    a.status_since, a.validation_notice_sent_on, a.validation_period_ends_on, a.created_at
"""


async def account(account_id: UUID, *, for_update: bool = False) -> asyncpg.Record | None:
    lock = " FOR UPDATE" if for_update else ""
    return await db.fetchrow(
        f"SELECT {_ACCOUNT_COLUMNS} FROM account a WHERE a.id = $1{lock}",  # noqa: S608
        account_id,
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


async def accounts_of_debtor(debtor_id: UUID) -> list[asyncpg.Record]:
    return await db.fetch(
        "SELECT id, client_id, status FROM account WHERE debtor_id = $1 ORDER BY created_at",
        debtor_id,
    )


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
        None if visible is None else list(visible),
        client_id,
        status,
        pattern,
        after[0] if after else None,
        after[1] if after else None,
        limit,
    )


async def set_account_status(account_id: UUID, status: str) -> None:
    await db.execute(
        """
        UPDATE account SET status = $2, status_since = now(), updated_at = now()
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
        VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, now())
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
            no_telephone_since = LEAST(COALESCE(no_telephone_since, $2), $2), updated_at = now()
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
        UPDATE account SET balance_cents = balance_cents + $2, updated_at = now()
        WHERE id = $1 RETURNING balance_cents, status
        """,
        account_id,
        delta_cents,
    )
    assert record is not None
    return record


# --- for settlements ---


async def record_payment_date(account_id: UUID, paid_on: date) -> None:
    """The last payment date only moves forward: a back-dated payment leaves a later one."""
    await db.execute(
        """
        UPDATE account SET last_payment_date = GREATEST(last_payment_date, $2), updated_at = now()
        WHERE id = $1
        """,
        account_id,
        paid_on,
    )
