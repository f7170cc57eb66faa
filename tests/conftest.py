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

from tests import pinned as test_pinned
from tests import servers as test_servers

pytest_plugins = ["tests.fixtures"]

_TESTS = Path(__file__).resolve().parent
# Marked by where they live, so a new test there is marked without remembering to.
_MARK_BY_PATH = {"drills": "drill", "e2e": "e2e", "test_fuzzing.py": "fuzz"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`drill`, `e2e` and `fuzz` by place; `clock` on every test that runs the server
    (through the `services` fixture: the server reads the clock on every write) and on
    those that say so themselves. `pytest -m "not drill and not e2e and not fuzz"` is the
    fast everyday loop; CI runs them all, and `-m clock` again at pinned instants."""
    for item in items:
        place = Path(str(item.fspath)).relative_to(_TESTS).parts[0]
        if place in _MARK_BY_PATH:
            item.add_marker(_MARK_BY_PATH[place])
        if "services" in getattr(item, "fixturenames", ()):
            item.add_marker("clock")


@pytest.fixture(scope="session")
def services() -> Iterator[test_servers.TestServers]:
    data_dir = Path(tempfile.mkdtemp(prefix="agency-test-"))
    running = test_servers.start(data_dir)
    try:
        env = test_servers.test_environment(running, data_dir)
        os.environ.update(env)
        from server.kit.keyring import ensure_development_keys
        from server.kit.settings import get_settings

        get_settings.cache_clear()
        ensure_development_keys(get_settings())
        test_servers.migrate(env)
        # What create_app() and the worker do at start-up, for the tests that call the
        # services (the loader, the demo) without building the app.
        from server import wiring

        wiring.wire()
        pinned = test_pinned.pinned_instant()
        if pinned is not None:
            off = test_pinned.check(running, pinned)
            if off:
                pytest.exit("the pinned clock did not reach: " + "; ".join(off), returncode=3)
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
async def clean_state(
    app: Any,
    services: test_servers.TestServers,
    owner_db: asyncpg.Connection,
    _tables: list[str],
) -> None:
    """Every test starts from an empty database, an empty Redis and an empty mailbox.
    Truncation, not a wrapping rollback: a rejected request must be seen to have written
    nothing."""
    services.smtp.mailbox.clear()
    if _tables:
        await owner_db.execute(f"TRUNCATE {', '.join(_tables)} RESTART IDENTITY CASCADE")
    from server.kit.redis import get_redis

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
