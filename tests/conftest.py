"""The harness: real PostgreSQL and Redis once per run, the real migrations, a clean
database for every test that touches one, and the app driven over HTTP in one loop.

Environment is set before anything imports the app or piccolo_conf (both read
settings once)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager

from tests import servers as test_servers

pytest_plugins = ["tests.fixtures"]


@pytest.fixture(scope="session")
def services() -> Iterator[test_servers.TestServers]:
    data_dir = Path(tempfile.mkdtemp(prefix="agency-test-"))
    running = test_servers.start(data_dir)
    try:
        env = test_servers.test_environment(running, data_dir)
        os.environ.update(env)
        from server.keyring import ensure_development_keys
        from server.settings import get_settings

        get_settings.cache_clear()
        ensure_development_keys(get_settings())
        test_servers.migrate(env)
        yield running
    finally:
        import asyncio

        asyncio.run(test_servers.drop_database(running))
        running.stop()


@pytest.fixture(scope="session")
async def owner_db(services: test_servers.TestServers) -> AsyncIterator[asyncpg.Connection]:
    """The owner's connection, for setting up and inspecting state behind the API's back."""
    conn = await asyncpg.connect(services.owner_url)
    yield conn
    await conn.close()


@pytest.fixture(scope="session")
async def _tables(owner_db: asyncpg.Connection) -> list[str]:
    rows = await owner_db.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migration'"
    )
    return [row["tablename"] for row in rows]


@pytest.fixture
async def clean_state(app: Any, owner_db: asyncpg.Connection, _tables: list[str]) -> None:
    """Every test starts from an empty database and an empty Redis. Truncation, not a
    wrapping rollback: a rejected request must be seen to have written nothing."""
    if _tables:
        await owner_db.execute(f"TRUNCATE {', '.join(_tables)} RESTART IDENTITY CASCADE")
    from server.redis import get_redis

    await get_redis().flushdb()


@pytest.fixture(scope="session")
async def app(services: test_servers.TestServers) -> AsyncIterator[Any]:
    from server.app import create_app

    application = create_app()
    async with LifespanManager(application):
        yield application


@pytest.fixture
async def http(app: Any, clean_state: None) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
