"""The pinned-clock check: in a run started by `scripts/pinned_clock.py` (AGENCY_PINNED_AT
set), every process the suite relies on must read the pinned clock, not the real one. A
preload lost on the way (a server that strips LD_PRELOAD, one this run did not start)
would let tests pass against the real date while claiming another."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

import asyncpg
import httpx

from server.kit import clock
from tests import servers as test_servers

# How far a process's clock may stand from the pinned one (the bound).
TOLERANCE_S = 60
_STARTED = time.monotonic()


def pinned_instant() -> datetime | None:
    value = os.environ.get("AGENCY_PINNED_AT")
    return datetime.fromisoformat(value) if value else None


def _elapsed() -> timedelta:
    """How long this run has gone on: the pinned clock runs forward from its instant."""
    return timedelta(seconds=time.monotonic() - _STARTED)


async def _postgres(url: str) -> datetime:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval("SELECT now()")  # type: ignore[no-any-return]
    finally:
        await conn.close()


def _api() -> datetime:
    """The Date header an `agency api` process puts on its answer."""
    with test_servers.live_api() as base:
        return parsedate_to_datetime(httpx.get(f"{base}/health", timeout=5).headers["date"])


def _worker() -> datetime:
    """The timestamp on an `agency worker` process's first log line."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "worker"],
        cwd=test_servers.ROOT,
        env={**os.environ, "LOG_FORMAT": "json", "LOG_LEVEL": "info"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert worker.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = worker.stdout.readline()
            if not line:
                break
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict) and "timestamp" in event:
                return datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00"))
        raise AssertionError("the worker logged no timestamped line")
    finally:
        worker.terminate()
        worker.wait(timeout=15)


def check(servers: test_servers.TestServers, pinned: datetime) -> list[str]:
    """Every process's clock against the pinned one; the readings that stand too far."""
    readings = {
        "pytest": clock.now,
        "PostgreSQL now()": lambda: asyncio.run(_postgres(servers.owner_url)),
        "agency api": _api,
        "agency worker": _worker,
    }
    off = []
    for name, read in readings.items():
        reading = read()
        expected = pinned + _elapsed()
        if abs((reading - expected).total_seconds()) > TOLERANCE_S:
            off.append(f"{name} reads {reading.isoformat()}, the pinned clock {expected:%FT%TZ}")
    return off
