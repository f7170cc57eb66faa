"""The loader's role may have the tables it grows re-analyzed, and only when they changed
by more than 1,000 rows plus a tenth of their size since they were last analyzed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from server.kit.settings import get_settings
from tests import servers as test_servers

GROWN = ("account", "debtor", "debtor_phone")


@pytest.fixture
async def owner(
    services: test_servers.TestServers, clean_state: None
) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(services.owner_url)
    yield conn
    await conn.close()


@pytest.fixture
async def app_role(clean_state: None) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(get_settings().connection_url())
    yield conn
    await conn.close()


async def add_debtors(owner: asyncpg.Connection, count: int) -> None:
    await owner.execute(
        """
        INSERT INTO debtor (id, no_telephone, inconvenient_times, created_at, updated_at)
        SELECT gen_random_uuid(), false, '[]', now(), now()
        FROM generate_series(1, $1)
        """,
        count,
    )
    # Counters reach the shared statistics when a backend goes idle, at most once a second
    # unless asked: ask, then go idle once more.
    await owner.execute("SELECT pg_stat_force_next_flush()")
    await owner.execute("SELECT 1")


async def analyses_of_debtor(owner: asyncpg.Connection) -> int:
    count = await owner.fetchval(
        "SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'debtor'"
    )
    return int(count)


async def test_statistics_are_refreshed_past_a_thousand_rows_and_a_tenth(
    owner: asyncpg.Connection, app_role: asyncpg.Connection
) -> None:
    await add_debtors(owner, 20_000)
    for table in GROWN:
        await owner.execute(f"ANALYZE {table}")
    before = await analyses_of_debtor(owner)

    # 20,000 rows analyzed: the threshold is 1,000 + 2,000 changed rows.
    await add_debtors(owner, 3_000)
    assert await app_role.fetchval("SELECT refresh_ingest_statistics()") == 0
    assert await analyses_of_debtor(owner) == before

    await add_debtors(owner, 1)
    assert await app_role.fetchval("SELECT refresh_ingest_statistics()") == 1
    assert await analyses_of_debtor(owner) == before + 1


async def test_the_application_role_cannot_analyze_by_itself(
    app_role: asyncpg.Connection,
) -> None:
    assert await app_role.fetchval("SELECT current_user") == get_settings().app_db_user
    before = await app_role.fetchval(
        "SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'debtor'"
    )
    # PostgreSQL skips a table the role may not analyze with a warning, not an error.
    await app_role.execute("ANALYZE debtor")
    await app_role.execute("SELECT pg_stat_force_next_flush()")
    after = await app_role.fetchval(
        "SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'debtor'"
    )
    assert after == before
