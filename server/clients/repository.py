"""Every query of clients."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from server.kit import db
from server.kit.pagination import created_keyset, cursor_params, visible_param


async def existing_client_ids(client_ids: list[UUID]) -> set[UUID]:
    rows = await db.fetch("SELECT id FROM client WHERE id = ANY($1::uuid[])", client_ids)
    return {row["id"] for row in rows}


_CLIENT_COLUMNS = """
    id, name, status, fee_rates_bps, remittance_cycle, remittance_method, clearing_days,
    authority, column_map, max_plausible_balance_cents, grace_days, itemization_date,
    created_at, updated_at
"""
_CLIENT_JSON = ("fee_rates_bps", "clearing_days", "authority", "column_map")


def client_row(record: Mapping[str, Any] | asyncpg.Record) -> dict[str, Any]:
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
                            grace_days, itemization_date, created_at, updated_at)
        VALUES (gen_random_uuid(), $1, 'active', $2::jsonb, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb,
                $8, $9, $10, now(), now()) -- clock-ok: write time
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
        values["grace_days"],
        values["itemization_date"],
    )
    assert record is not None
    return client_row(record)


CLIENT_BY_ID_SQL = f"SELECT {_CLIENT_COLUMNS} FROM client WHERE id = $1"  # noqa: S608


async def client_by_id(client_id: UUID, *, for_update: bool = False) -> dict[str, Any] | None:
    lock = " FOR UPDATE" if for_update else ""
    record = await db.fetchrow(CLIENT_BY_ID_SQL + lock, client_id)
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
            grace_days = $11, itemization_date = $12,
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
        values["grace_days"],
        values["itemization_date"],
    )
    assert record is not None
    return client_row(record)


_CLIENT_ORDER = created_keyset()


async def client_names(visible: frozenset[UUID] | None) -> list[asyncpg.Record]:
    return await db.fetch(
        """
        SELECT id, name, status FROM client
        WHERE ($1::uuid[] IS NULL OR id = ANY($1::uuid[])) ORDER BY lower(name), id
        """,
        visible_param(visible),
    )


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
