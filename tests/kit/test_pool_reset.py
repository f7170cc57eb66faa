"""A pooled connection is reset on its return to the pool only when it took session state
(server.kit.db.PooledConnection): what it took is never handed to the next borrower."""

from __future__ import annotations

from typing import Any

import asyncpg

from server.kit import db

LOCK = (424242, 7)


async def _held_by_anyone(owner_db: asyncpg.Connection) -> bool:
    return bool(
        await owner_db.fetchval(
            "SELECT EXISTS (SELECT FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid = $1::oid AND objid = $2::oid AND objsubid = 2)",
            *LOCK,
        )
    )


async def test_a_session_lock_left_on_a_pooled_connection_is_released_on_its_return(
    app: Any, owner_db: asyncpg.Connection
) -> None:
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT pg_try_advisory_lock($1, $2)", *LOCK)
        assert await _held_by_anyone(owner_db)
    assert not await _held_by_anyone(owner_db)


async def test_a_session_setting_never_reaches_the_next_borrower(app: Any) -> None:
    pool = db.engine().pool
    assert pool is not None
    async with pool.acquire() as conn:
        default = await conn.fetchval("SHOW application_name")
        await conn.execute("SET application_name = 'left behind'")
    # Every connection the pool holds, borrowed at once: none kept the setting.
    borrowed = [await pool.acquire() for _ in range(pool.get_size())]
    try:
        names = {await conn.fetchval("SHOW application_name") for conn in borrowed}
    finally:
        for conn in borrowed:
            await pool.release(conn)
    assert names == {default}
