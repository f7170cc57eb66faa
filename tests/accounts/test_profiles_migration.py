"""The migration that split the one shared debtor record into the profiles of the clients
whose files can be proven to have supplied each value, run again over rows written the
way the older loader left them (the columns put back on `debtor` for the test)."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from tests.fixtures import MakeAccount, MakeClient

_MIGRATION = importlib.import_module(
    "server.accounts.piccolo_migrations.accounts_2026_12_07t02_00_10_000000"
)
_OLD = ("first_name varchar(100)", "last_name varchar(100)", "date_of_birth date",
        "ssn_last4 varchar(4)", "address_line1 varchar(200)", "address_line2 varchar(200)",
        "city varchar(100)", "state varchar(2)", "zip5 varchar(5)", "time_zone varchar(64)",
        "emails varchar(254)[] DEFAULT '{}'")  # fmt: skip


@pytest.fixture
async def old_debtor(owner_db: asyncpg.Connection) -> AsyncIterator[None]:
    adds = ", ".join(f"ADD COLUMN {c}" for c in _OLD)
    await owner_db.execute(f"ALTER TABLE debtor {adds}")
    try:
        yield
    finally:
        drops = ", ".join(f"DROP COLUMN IF EXISTS {c.split()[0]}" for c in _OLD)
        await owner_db.execute(f"ALTER TABLE debtor {drops}")


async def _old_person(db: asyncpg.Connection, debtor_id: str, made: Any, name: str) -> None:
    await db.execute(
        """
        UPDATE debtor SET first_name = 'Ann', last_name = $2, date_of_birth = '1970-01-02',
            ssn_last4 = '1234', address_line1 = '1 Main St', city = 'Columbus', state = 'OH',
            zip5 = '43215', time_zone = 'America/New_York', emails = '{ann@example.com}',
            created_at = $3
        WHERE id = $1
        """,
        UUID(debtor_id), name, made,
    )  # fmt: skip


async def test_each_value_goes_to_the_client_proven_to_have_supplied_it(
    old_debtor: None,
    make_client: MakeClient,
    make_account: MakeAccount,
    owner_db: asyncpg.Connection,
) -> None:
    c1, c2, c3, c4 = [await make_client() for _ in range(4)]
    alone = await make_account(c1["client_id"])
    made = await make_account(c1["client_id"])
    later = await make_account(c2["client_id"], debtor_id=UUID(made["debtor_id"]))
    moved = await make_account(c3["client_id"])
    await make_account(c4["client_id"], debtor_id=UUID(moved["debtor_id"]))
    # As the older loader left them: no profiles, no supplier on any number.
    await owner_db.execute("DELETE FROM debtor_profile")
    await owner_db.execute("UPDATE debtor_phone SET client_id = NULL")
    start = await owner_db.fetchval("SELECT now() - interval '30 days'")
    for account, name in ((alone, "Alone"), (made, "Made"), (moved, "Moved")):
        await owner_db.execute("UPDATE account SET created_at = $2 WHERE debtor_id = $1",
                               UUID(account["debtor_id"]), start)  # fmt: skip
        await _old_person(owner_db, account["debtor_id"], start, name)
        await owner_db.execute("UPDATE debtor_phone SET created_at = $2 WHERE debtor_id = $1",
                               UUID(account["debtor_id"]), start)  # fmt: skip
    # The second clients' accounts came later; so did a number of the shared person.
    await owner_db.execute(
        "UPDATE account SET created_at = $2 WHERE client_id = ANY ($1::uuid[])",
        [UUID(c2["client_id"]), UUID(c4["client_id"])], start + timedelta(days=1),
    )  # fmt: skip
    await owner_db.execute(
        """
        INSERT INTO debtor_phone (id, debtor_id, e164, kind, status, time_zones,
            employer_forbids_calls, created_at)
        VALUES (gen_random_uuid(), $1, '+16145559999', 'home', 'valid', '{}', false, $2)
        """,
        UUID(made["debtor_id"]), start + timedelta(days=5),
    )  # fmt: skip
    # Client 4 sent a maintenance file after its shared person was made.
    await owner_db.execute(
        """
        INSERT INTO placement (id, client_id, kind, tier, file_name, sha256, byte_size,
            chunk_count, status, fee_rate_bps, created_at)
        VALUES (gen_random_uuid(), $1::uuid, 'maintenance', 'primary', 'm.csv',
            md5('a' || $1::uuid::text) || md5('b' || $1::uuid::text), 0, 0, 'loaded', 2500, $2)
        """,
        UUID(c4["client_id"]), start + timedelta(days=2),
    )  # fmt: skip

    async with owner_db.transaction():
        await owner_db.execute(_MIGRATION.SPLIT)

    rows = await owner_db.fetch("SELECT * FROM debtor_profile")

    def profile(debtor_id: str, client: dict[str, Any] | None) -> Any:
        key = None if client is None else client["client_id"]
        found = [
            r for r in rows
            if str(r["debtor_id"]) == debtor_id
            and (None if r["client_id"] is None else str(r["client_id"])) == key
        ]  # fmt: skip
        assert len(found) <= 1
        return found[0] if found else None

    # One client only: everything is its.
    own = profile(alone["debtor_id"], c1)
    assert (own["last_name"], own["city"], own["emails"]) == (
        "Alone",
        "Columbus",
        ["ann@example.com"],
    )
    assert profile(alone["debtor_id"], None) is None
    # Shared, made by client 1's batch: name and address are client 1's; client 2 gets
    # an empty profile; the e-mails (merged from either) are the agency's.
    first, second = profile(made["debtor_id"], c1), profile(made["debtor_id"], c2)
    assert (first["last_name"], first["date_of_birth"].isoformat(), first["zip5"]) == (
        "Made", "1970-01-02", "43215",
    )  # fmt: skip
    assert first["emails"] == []
    assert (second["last_name"], second["zip5"], second["emails"]) == (None, None, [])
    agency = profile(made["debtor_id"], None)
    assert (agency["last_name"], agency["zip5"], agency["emails"]) == (
        None,
        None,
        ["ann@example.com"],
    )
    phones = dict(await owner_db.fetch(
        "SELECT e164, client_id FROM debtor_phone WHERE debtor_id = $1", UUID(made["debtor_id"])
    ))  # fmt: skip
    assert phones.pop("+16145559999") is None  # came with no account: agency-only
    assert [str(c) for c in phones.values()] == [c1["client_id"]]
    # Shared, and the other client's maintenance file may have moved them: the address is
    # the agency's, the name client 3's.
    maker = profile(moved["debtor_id"], c3)
    assert (maker["last_name"], maker["zip5"]) == ("Moved", None)
    unproven = profile(moved["debtor_id"], None)
    assert (unproven["last_name"], unproven["zip5"], unproven["time_zone"]) == (
        None, "43215", "America/New_York",
    )  # fmt: skip
    assert later["client_id"] == c2["client_id"]
