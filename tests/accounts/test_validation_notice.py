"""No account says a validation notice went out unless one was mailed (12 CFR 1006.34):
the loader dates nothing, the migration clears the dates it once invented, and the
account says where it stands in words."""

from __future__ import annotations

import importlib
from uuid import UUID

import asyncpg

from tests.fixtures import Caller, MakeAccount, MakeClient

MIGRATION = "server.accounts.piccolo_migrations.accounts_2026_12_06t22_50_00_000000"


async def test_the_migration_clears_every_date_the_loader_invented(
    owner_db: asyncpg.Connection, make_client: MakeClient, make_account: MakeAccount
) -> None:
    client = await make_client()
    dated = await make_account(client["client_id"])
    undated = await make_account(client["client_id"])
    await owner_db.execute(
        "UPDATE account SET validation_notice_sent_on = '2026-11-02',"
        " validation_period_ends_on = '2026-12-09' WHERE id = $1",
        UUID(dated["id"]),
    )

    manager = await importlib.import_module(MIGRATION).forwards()
    for step in manager.raw:
        await step()

    rows = await owner_db.fetch(
        "SELECT validation_notice_sent_on, validation_period_ends_on FROM account"
        " WHERE id = ANY($1::uuid[])",
        [UUID(dated["id"]), UUID(undated["id"])],
    )
    assert [tuple(r) for r in rows] == [(None, None), (None, None)]


async def test_an_account_says_its_notice_is_not_yet_mailed(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount
) -> None:
    client = await make_client()
    account = await make_account(client["client_id"])
    detail = (await admin.get(f"/api/v1/accounts/{account['id']}")).json()
    assert detail["validation_notice_sent_on"] is None
    assert detail["validation_period_ends_on"] is None
    assert detail["validation_state"] == "notice_not_mailed"
