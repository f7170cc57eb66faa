"""Every query of clients, placements, debtors and accounts."""

from __future__ import annotations

from uuid import UUID

from server import db


async def existing_client_ids(client_ids: list[UUID]) -> set[UUID]:
    rows = await db.fetch("SELECT id FROM client WHERE id = ANY($1::uuid[])", client_ids)
    return {row["id"] for row in rows}
