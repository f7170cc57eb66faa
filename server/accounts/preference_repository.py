"""Every query of the consumer's contact preferences: the numbers the agency learned, a
number's status and the employer's ban, stated inconvenient times, refused media."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from server.kit import db


async def phone_of_person(phone_id: UUID, debtor_id: UUID) -> asyncpg.Record | None:
    """One supplier's row of a number, if it is the person's."""
    return await db.fetchrow(
        """
        SELECT id, debtor_id, client_id, e164, kind, status, status_since,
               employer_forbids_calls
        FROM debtor_phone WHERE id = $1 AND debtor_id = $2
        """,
        phone_id,
        debtor_id,
    )


async def number_state(debtor_id: UUID, e164: str) -> asyncpg.Record | None:
    """The number's status and ban as any supplier's row holds them (kept equal on every
    row): what a row the agency adds starts with."""
    return await db.fetchrow(
        """
        SELECT status, status_since, employer_forbids_calls FROM debtor_phone
        WHERE debtor_id = $1 AND e164 = $2
        ORDER BY created_at, id LIMIT 1
        """,
        debtor_id,
        e164,
    )


async def insert_learned_phone(
    *,
    debtor_id: UUID,
    client_id: UUID,
    account_id: UUID,
    e164: str,
    kind: str,
    status: str,
    status_since: datetime | None,
    employer_forbids_calls: bool,
    time_zones: list[str],
) -> UUID | None:
    """The number as learned on the account (its client's row); None when the client
    already has a row of it (debtor_phone_once)."""
    found: UUID | None = await db.fetchval(
        """
        INSERT INTO debtor_phone (id, debtor_id, client_id, learned_on_account_id, e164, kind,
            status, status_since, employer_forbids_calls, time_zones, created_at)
        VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9,
            now()) -- clock-ok: write time
        ON CONFLICT ON CONSTRAINT debtor_phone_once DO NOTHING
        RETURNING id
        """,
        debtor_id, client_id, account_id, e164, kind, status, status_since,
        employer_forbids_calls, time_zones,
    )  # fmt: skip
    return found


async def row_of_client(debtor_id: UUID, e164: str, client_id: UUID) -> UUID | None:
    found: UUID | None = await db.fetchval(
        "SELECT id FROM debtor_phone WHERE debtor_id = $1 AND e164 = $2 AND client_id = $3",
        debtor_id,
        e164,
        client_id,
    )
    return found


async def set_employer_forbids(debtor_id: UUID, e164: str, forbids: bool) -> None:
    """On every supplier's row of the number: the ban is the number's."""
    await db.execute(
        "UPDATE debtor_phone SET employer_forbids_calls = $3 WHERE debtor_id = $1 AND e164 = $2",
        debtor_id,
        e164,
        forbids,
    )


async def set_inconvenient_times(debtor_id: UUID, times: str) -> None:
    await db.execute(
        """
        UPDATE debtor SET inconvenient_times = $2::jsonb,
            updated_at = now() -- clock-ok: write time
        WHERE id = $1
        """,
        debtor_id,
        times,
    )


async def refuse_medium(
    debtor_id: UUID, medium: str, since: datetime, channel: str, received_at: datetime
) -> None:
    """Keep the refusal of `medium`; asked again, it binds from the earliest request."""
    await db.execute(
        """
        UPDATE debtor SET refused_media = refused_media || jsonb_build_object($2::text,
            CASE WHEN (refused_media -> $2 ->> 'since')::timestamptz <= $3::timestamptz
                 THEN refused_media -> $2
                 ELSE jsonb_build_object('since', $3::timestamptz, 'channel', $4::text,
                                         'received_at', $5::timestamptz) END),
            updated_at = now() -- clock-ok: write time
        WHERE id = $1
        """,
        debtor_id,
        medium,
        since,
        channel,
        received_at,
    )


async def insert_learned_address(
    *,
    debtor_id: UUID,
    client_id: UUID,
    account_id: UUID,
    lines: tuple[str, str | None, str, str, str],
    time_zone: str | None,
    channel: str,
    received_at: datetime,
    recorded_by: UUID,
) -> UUID:
    """The consumer's address as given on the account (line 1, line 2, city, state, ZIP5)."""
    found: UUID = await db.fetchval(
        """
        INSERT INTO debtor_learned_address (id, debtor_id, client_id, learned_on_account_id,
            address_line1, address_line2, city, state, zip5, time_zone, channel, received_at,
            recorded_by, created_at)
        VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
            now()) -- clock-ok: write time
        RETURNING id
        """,
        debtor_id, client_id, account_id, *lines, time_zone, channel, received_at,
        recorded_by,
    )  # fmt: skip
    return found


LEARNED_ADDRESSES_SQL = """
    SELECT id AS address_id, address_line1, address_line2, city, state, zip5, time_zone,
           client_id, learned_on_account_id, channel, received_at, created_at
    FROM debtor_learned_address
    WHERE debtor_id = $1 AND ($2::uuid IS NULL OR client_id = $2::uuid)
    ORDER BY received_at DESC, created_at DESC, id DESC
"""


async def learned_addresses(debtor_id: UUID, client_id: UUID | None) -> list[asyncpg.Record]:
    """The addresses the consumer gave, newest first: only those learned on `client_id`'s
    accounts when given, else every one."""
    return await db.fetch(LEARNED_ADDRESSES_SQL, debtor_id, client_id)
