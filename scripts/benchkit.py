"""Shared plumbing for the benchmarks: a database to measure on, migrated by the real
`agency migrate`, and the environment that points our code at it.

With DATABASE_URL set the benchmark uses that server (a fresh database on it); without,
the embedded PostgreSQL under ./.data/bench.
"""

from __future__ import annotations

import asyncio
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATA = ROOT / ".data" / "bench"


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, ""))


def prepare(database: str) -> dict[str, str]:
    """A fresh, migrated database; returns the environment for processes that use it."""
    admin_url = os.environ.get("DATABASE_URL")
    if not admin_url:
        from server import embedded

        admin_url = embedded.start_postgres(BENCH_DATA).admin_url()

    async def recreate() -> None:
        conn = await asyncpg.connect(admin_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{database}"')
        finally:
            await conn.close()

    asyncio.run(recreate())
    env = {
        **os.environ,
        "DATABASE_URL": with_database(admin_url, database),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:1/0"),
        "AGENCY_ENV": "test",
        "AGENCY_DATA_DIR": str(BENCH_DATA),
        "LOG_LEVEL": "warning",
        "LOG_FORMAT": "json",
        "DB_POOL_MIN": "1",
        "DB_POOL_MAX": "8",
    }
    BENCH_DATA.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "server.cli", "migrate"], env=env, cwd=ROOT, check=True,
        capture_output=True,
    )  # fmt: skip
    return env


def machine() -> str:
    cpus = os.cpu_count()
    memory = ""
    try:
        with open("/proc/meminfo") as meminfo:
            kib = int(meminfo.readline().split()[1])
            memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        pass
    return f"{platform.machine()}, {cpus} cores{memory}, Python {platform.python_version()}"


def load() -> str:
    """The load averages (1, 5, 15 minutes), to quote beside a figure."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def median(values: list[float]) -> float:
    return statistics.median(values)
