"""Phones stored before numbers that say nothing about place lost their zones get them
recomputed by the migration; geographic numbers keep theirs."""

from __future__ import annotations

import importlib
from uuid import UUID

import asyncpg

from tests.fixtures import MakeAccount, MakeClient

MIGRATION = "server.placements.piccolo_migrations.placements_2026_12_06t19_30_00_000000"
EVERY_NANP_ZONE = ["America/Adak", "America/Anchorage", "America/Anguilla", "America/New_York"]


async def test_the_migration_clears_the_zones_of_placeless_numbers_only(
    owner_db: asyncpg.Connection, make_client: MakeClient, make_account: MakeAccount
) -> None:
    client = await make_client()
    numbers = {
        "+18005550123": [],  # toll-free
        "+15215550123": [],  # personal communications services
        "+448001234567": [],  # UK toll-free
        "+12125550101": ["America/New_York"],
        "+442079460958": ["Europe/London"],
    }
    account = await make_account(client["client_id"], phones=[("mobile", e164) for e164 in numbers])
    debtor_id = UUID(account["debtor_id"])
    stored = {e164: zones or EVERY_NANP_ZONE for e164, zones in numbers.items()}
    for e164, zones in stored.items():
        await owner_db.execute(
            "UPDATE debtor_phone SET time_zones = $3 WHERE debtor_id = $1 AND e164 = $2",
            debtor_id, e164, zones,
        )  # fmt: skip

    manager = await importlib.import_module(MIGRATION).forwards()
    for step in manager.raw:
        await step()

    rows = await owner_db.fetch(
        "SELECT e164, time_zones FROM debtor_phone WHERE debtor_id = $1", debtor_id
    )
    assert {r["e164"]: list(r["time_zones"]) for r in rows} == numbers
