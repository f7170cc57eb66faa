"""The migration that rebuilt the blocks in force from each account's status history,
run again over histories written the way the older status actions left them."""

from __future__ import annotations

import importlib
from datetime import timedelta
from uuid import UUID

import asyncpg

from server.kit import clock
from tests.fixtures import MakeAccount, MakeClient

_MIGRATION = importlib.import_module(
    "server.accounts.piccolo_migrations.accounts_2026_12_06t22_49_50_000000"
)

# (status now, [(from, to, action), …] oldest first) -> (status after, blocks in force)
CASES = {
    "dispute cleared by bankruptcy then active": (
        "active",
        [("active", "disputed", "dispute"), ("disputed", "bankruptcy", "status"),
         ("bankruptcy", "active", "status")],
        ("disputed", {"disputed"}),
    ),
    "dispute verified": (
        "active",
        [("active", "disputed", "dispute"), ("disputed", "active", "verification")],
        ("active", set()),
    ),
    "cease cleared by attorney then active": (
        "active",
        [("active", "cease_communication", "cease"),
         ("cease_communication", "attorney_represented", "status"),
         ("attorney_represented", "active", "status")],
        ("cease_communication", {"cease_communication"}),
    ),
    "dispute hidden by a payoff": (
        "paid_in_full",
        [("active", "disputed", "dispute"), ("disputed", "paid_in_full", "payment")],
        ("paid_in_full", {"disputed"}),
    ),
    "bankruptcy with no history": ("bankruptcy", [], ("bankruptcy", {"bankruptcy"})),
    "never blocked": ("active", [], ("active", set())),
}  # fmt: skip


async def test_the_blocks_an_older_chain_cleared_are_in_force_again(
    make_client: MakeClient, make_account: MakeAccount, owner_db: asyncpg.Connection
) -> None:
    client = await make_client()
    ids = {}
    start = clock.now() - timedelta(days=30)
    for name, (status, history, _) in CASES.items():
        account = await make_account(client["client_id"], status=status)
        ids[name] = UUID(account["id"])
        for step, (before, after, action) in enumerate(history):
            at = start + timedelta(days=step)
            await owner_db.execute(
                """
                INSERT INTO account_status_change (id, account_id, client_id, from_status,
                    to_status, action, reason, channel, received_at, actor_id, created_at)
                VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, 'older', NULL, $6, NULL, $6)
                """,
                ids[name], UUID(client["client_id"]), before, after, action, at,
            )  # fmt: skip
    await owner_db.execute(_MIGRATION.REBUILD_SQL)
    for name, (status, _, (status_after, blocks)) in CASES.items():
        found = await owner_db.fetchrow(
            """
            SELECT a.status, array(SELECT b.kind::text FROM account_block b
                                   WHERE b.account_id = a.id AND b.lifted_at IS NULL) AS blocks,
                   (SELECT count(*) FROM account_status_change h
                    WHERE h.account_id = a.id AND h.action = 'blocks_restored') AS restored
            FROM account a WHERE a.id = $1
            """,
            ids[name],
        )
        assert (found["status"], set(found["blocks"])) == (status_after, blocks), name
        assert found["restored"] == (1 if status_after != status else 0), name
    sources = await owner_db.fetch("SELECT DISTINCT source, evidence FROM account_block")
    assert [tuple(r.values()) for r in sources] == [("migration", None)]
