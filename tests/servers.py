"""Real PostgreSQL and Redis for the test suite: the embedded ones by default, or the
servers named by DATABASE_URL / REDIS_URL. Each run gets a fresh database, migrated by
the real `agency migrate`, and a real SMTP server of its own on loopback (aiosmtpd) that
SMTP_URL names, so notices are delivered, never mocked."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

from scripts import loopback_smtp

ROOT = Path(__file__).resolve().parent.parent
TEST_DATA = ROOT / ".data" / "test"


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, ""))


@dataclass
class TestServers:
    admin_url: str  # a database of the server to CREATE/DROP test databases from
    redis_url: str
    database: str
    owner_url: str
    smtp: loopback_smtp.LoopbackSmtp
    # Whether the servers are the machine's own (DATABASE_URL / REDIS_URL), which no test
    # may stop, rather than embedded ones started for this run.
    given_database: bool = False
    given_redis: bool = False
    _stops: list = field(default_factory=list)

    def stop(self) -> None:
        for stop in reversed(self._stops):
            stop()


async def _recreate_database(admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def start(data_dir: Path) -> TestServers:
    from server import embedded

    stops = []
    given_db = os.environ.get("DATABASE_URL")
    if given_db:
        admin_url = given_db
    else:
        pg = embedded.start_postgres(TEST_DATA)
        admin_url = pg.admin_url()
        stops.append(pg.stop)
    given_redis = os.environ.get("REDIS_URL")
    if given_redis:
        redis_url = given_redis
    else:
        # A Redis of this run's own: concurrent runs must not flush each other's state.
        redis = embedded.start_redis(data_dir)
        redis_url = redis.url
        stops.append(redis.stop)
    mail = ExitStack()
    smtp = mail.enter_context(loopback_smtp.running())
    stops.append(mail.close)
    database = f"agency_test_{uuid.uuid4().hex[:8]}"
    import asyncio

    asyncio.run(_recreate_database(admin_url, database))
    return TestServers(
        admin_url=admin_url,
        redis_url=redis_url,
        database=database,
        owner_url=with_database(admin_url, database),
        smtp=smtp,
        given_database=bool(given_db),
        given_redis=bool(given_redis),
        _stops=stops,
    )


def test_environment(servers: TestServers, data_dir: Path) -> dict[str, str]:
    return {
        "AGENCY_ENV": "test",
        "AGENCY_DATA_DIR": str(data_dir),
        "DATABASE_URL": servers.owner_url,
        "REDIS_URL": servers.redis_url,
        "SMTP_URL": servers.smtp.url,
        # Argon2 at its cheapest: the cost is a setting so tests stay fast.
        "PASSWORD_TIME_COST": "1",
        "PASSWORD_MEMORY_KIB": "64",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "warning",
        "DB_POOL_MIN": "1",
        "DB_POOL_MAX": "10",
        # Small batches, so a test file of a few thousand rows spans several of them.
        "INGEST_BATCH_ROWS": "2000",
    }


def migrate(env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "server.cli", "migrate"],
        env={**os.environ, **env},
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"agency migrate failed:\n{result.stdout}\n{result.stderr}")


async def drop_database(servers: TestServers) -> None:
    conn = await asyncpg.connect(servers.admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{servers.database}" WITH (FORCE)')
    finally:
        await conn.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def live_api(*others: str) -> Iterator[str]:
    """A real `agency api` process on a free port of this machine, with the test
    environment (and one process of each further `agency` command named, e.g. "worker");
    yields its base URL once /ready answers, and stops them all after."""
    port = _free_port()
    env = {**os.environ, "LOG_LEVEL": "error"}
    commands = [["api", "--port", str(port)], *([name] for name in others)]
    processes = [
        subprocess.Popen([sys.executable, "-m", "server.cli", *command], cwd=ROOT, env=env)
        for command in commands
    ]
    base = f"http://127.0.0.1:{port}"
    try:
        # Generous: on a loaded two-core machine an API process takes up to a minute to start.
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the API did not become ready"
            time.sleep(0.2)
        yield base
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=15)
