"""Access to the one PostgreSQL engine that piccolo_conf configures.

Repositories run bound SQL on `connection()`: inside a service's `transaction()` it is
that transaction's connection (Piccolo keeps it in a context variable), otherwise one
from the pool. Transactions open in services, never in Litestar dependencies, which may
be resolved in another task where the context variable would not reach the handler.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache, lru_cache
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction

# A connection of our own or one lent by the pool: both run the same statements.
Connection = asyncpg.Connection | PoolConnectionProxy


# Found once: Piccolo's finder imports and inspects piccolo_conf on every call (about 8 µs),
# and every query asks for the engine.
@cache
def engine() -> PostgresEngine:
    found = engine_finder()
    if not isinstance(found, PostgresEngine):
        raise RuntimeError("piccolo_conf.DB must be a PostgresEngine")
    return found


class Transaction:
    """Piccolo's transaction, typed as what it is: it never swallows an exception (its
    `__aexit__` returns a bool, which would tell type checkers otherwise)."""

    def __init__(self) -> None:
        self._inner = engine().transaction()

    async def __aenter__(self) -> PostgresTransaction:
        return await self._inner.__aenter__()

    async def __aexit__(self, *exc_info: Any) -> None:
        await self._inner.__aexit__(*exc_info)


def transaction() -> Transaction:
    """A transaction; one opened inside another joins the outer one."""
    return Transaction()


def in_transaction() -> bool:
    return engine().current_transaction.get() is not None


@asynccontextmanager
async def connection() -> AsyncIterator[Connection]:
    db = engine()
    current = db.current_transaction.get()
    if current is not None:
        yield current.connection
        return
    if db.pool is None:
        own = await db.get_new_connection()
        try:
            yield own
        finally:
            await own.close()
        return
    async with db.pool.acquire() as lent:
        yield lent


async def fetch(sql: str, *args: Any) -> list[asyncpg.Record]:
    async with connection() as conn:
        return await conn.fetch(sql, *args)


async def fetchrow(sql: str, *args: Any) -> asyncpg.Record | None:
    async with connection() as conn:
        return await conn.fetchrow(sql, *args)


async def fetchval(sql: str, *args: Any) -> Any:
    async with connection() as conn:
        return await conn.fetchval(sql, *args)


async def execute(sql: str, *args: Any) -> str:
    async with connection() as conn:
        return await conn.execute(sql, *args)


async def advisory_lock_held(key1: int, key2: int) -> bool:
    """Whether any session of this database holds the two-key advisory lock: a lock held
    for as long as work runs says the work is alive, since a process that dies loses its
    connection and the lock with it."""
    return bool(
        await fetchval(
            """
            SELECT EXISTS (
                SELECT FROM pg_locks
                WHERE locktype = 'advisory' AND objsubid = 2 AND granted
                  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND classid = ($1::bigint & 4294967295)::oid
                  AND objid = ($2::bigint & 4294967295)::oid)
            """,
            key1,
            key2,
        )
    )


# What a session keeps past its transactions, of what code of ours takes: session-level
# advisory locks (the loader's, the remittance batch's) and session settings.
_SESSION_STATE = re.compile(
    r"pg_(?:try_)?advisory_lock(?:_shared)?\s*\(|set_config\s*\("
    r"|^\s*(?:SET|RESET|LISTEN|DECLARE|PREPARE)\b(?!\s+LOCAL)",
    re.IGNORECASE | re.MULTILINE,
)


# Known per statement: the search is over the whole text, and the account detail's one
# statement is 17 KB of it (0.8 ms a search, a third of the detail's CPU in the API).
@lru_cache(maxsize=4096)
def _takes_session_state(query: str) -> bool:
    return _SESSION_STATE.search(query) is not None


class PooledConnection(asyncpg.Connection):
    """A pool's connection that knows whether it took any session state: only then is it
    reset when it returns to the pool (asyncpg's reset: unlock all advisory locks, close
    cursors, unlisten, reset settings). asyncpg resets every connection it takes back, a
    round trip per release — two of a claim's four, and a fifth of its time; one that
    took nothing has nothing to reset (asyncpg rolls back an open transaction first
    either way)."""

    took_session_state = False

    def _note(self, query: str) -> None:
        if not self.took_session_state and _takes_session_state(query):
            self.took_session_state = True

    async def execute(self, query: str, *args: Any, **kwargs: Any) -> str:
        self._note(query)
        return await super().execute(query, *args, **kwargs)

    async def executemany(self, command: str, args: Any, **kwargs: Any) -> None:
        self._note(command)
        await super().executemany(command, args, **kwargs)

    async def fetch(self, query: str, *args: Any, **kwargs: Any) -> Any:
        self._note(query)
        return await super().fetch(query, *args, **kwargs)

    async def fetchval(self, query: str, *args: Any, **kwargs: Any) -> Any:
        self._note(query)
        return await super().fetchval(query, *args, **kwargs)

    async def fetchrow(self, query: str, *args: Any, **kwargs: Any) -> Any:
        self._note(query)
        return await super().fetchrow(query, *args, **kwargs)


async def _reset_if_taken(conn: asyncpg.Connection) -> None:
    if isinstance(conn, PooledConnection) and conn.took_session_state:
        await conn.execute(conn.get_reset_query())
        conn.took_session_state = False


# asyncpg keeps a prepared statement per connection only up to this many characters of
# SQL (its default, 15 KiB, would leave out the account detail's one statement, about
# 17 KB, which PostgreSQL would then parse and plan again on every request: 5 ms of
# planning against 2.5 ms of running it).
MAX_CACHEABLE_STATEMENT = 64 * 1024


async def start_pool(min_size: int, max_size: int) -> None:
    await engine().start_connection_pool(
        min_size=min_size,
        max_size=max_size,
        connection_class=PooledConnection,
        reset=_reset_if_taken,
        max_cacheable_statement_size=MAX_CACHEABLE_STATEMENT,
    )


_NUMBERED = re.compile(r"\$(\d+)(?!\d)")


def bind(sql: str, *values: str) -> str:
    """`sql` with each `$n` replaced by the SQL expression `values[n - 1]`: a repository's
    statement embedded in a larger one, its parameters bound to that one's."""

    def value(found: re.Match[str]) -> str:
        return f"({values[int(found.group(1)) - 1]})"

    return _NUMBERED.sub(value, sql)


async def columns_of(sql: str) -> tuple[tuple[str, str], ...]:
    """The columns `sql` returns, from PostgreSQL (prepared, not run): each one's name and
    its type's qualified name."""
    async with connection() as conn:
        statement = await conn.prepare(sql)
        return tuple((a.name, f"{a.type.schema}.{a.type.name}") for a in statement.get_attributes())


async def close_pool() -> None:
    db = engine()
    if db.pool is not None:
        await db.close_connection_pool()


def width(column: Any) -> int:
    """A Varchar column's width, as its table declares it: the one place a limit on what
    is stored in it is written."""
    length = getattr(column, "length", None)
    if not isinstance(length, int):
        raise TypeError(f"{column} has no width")
    return length
