"""A worker killed mid-file is replaced and the file resumes: nothing lost, nothing
doubled, no row flagged as a duplicate of itself. With a real `agency worker` process
and kill -9."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from uuid import UUID

import asyncpg

from server.placements import ingest
from server.placements import repository as placements_repository
from server.sample_files import new_business_csv
from tests.fixtures import Caller, MakeClient
from tests.servers import ROOT

ROWS = 3 * int(os.environ.get("INGEST_BATCH_ROWS", "2000")) + 1234


async def kill_worker_when(
    ready: Callable[[], Awaitable[bool]], placement_id: UUID, timeout_s: float = 60
) -> None:
    """Run a real `agency worker` until `ready()` (polled) and kill -9 it, its whole
    process group, there and then; return once PostgreSQL has let go of the dead loader's
    hold on the placement (its session ends a moment after the process), so a resume that
    follows finds the placement free rather than "busy"."""
    worker = subprocess.Popen(  # noqa: ASYNC220 - started once; the loop awaits the DB meanwhile
        [sys.executable, "-m", "server.cli", "worker"],
        cwd=ROOT,
        env={**os.environ, "LOG_LEVEL": "warning"},
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + timeout_s
        while not await ready():
            assert worker.poll() is None, "the worker exited"
            assert time.monotonic() < deadline, "the worker never got there"
            await asyncio.sleep(0.05)
        os.killpg(worker.pid, signal.SIGKILL)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    released_by = time.monotonic() + 30
    while placement_id not in await placements_repository.pending_placements():
        assert time.monotonic() < released_by, "the dead worker's hold on the placement stayed"
        await asyncio.sleep(0.05)


async def _placement(db: asyncpg.Connection, placement_id: str) -> asyncpg.Record:
    row = await db.fetchrow(
        "SELECT status, rows_read, rows_accepted, rows_rejected, last_line_done"
        " FROM placement WHERE id = $1",
        UUID(placement_id),
    )
    assert row is not None
    return row


async def test_killed_worker_resumes_without_losing_or_doubling(
    admin: Caller, make_client: MakeClient, owner_db: asyncpg.Connection
) -> None:
    client = await make_client()
    body = new_business_csv(ROWS, seed=11)
    response = await admin.post(
        "/api/v1/placements",
        params={"client_id": client["client_id"]},
        content=body,
        headers={"Content-Type": "text/csv"},
    )
    assert response.status_code == 202
    placement_id = response.json()["placement_id"]

    async def committed_a_batch() -> bool:
        return bool((await _placement(owner_db, placement_id))["rows_read"])

    await kill_worker_when(committed_a_batch, UUID(placement_id))

    interrupted = await _placement(owner_db, placement_id)
    assert interrupted["status"] == "validating"
    assert 0 < interrupted["rows_read"] < ROWS
    # What the killed worker committed is exactly what the accounts table holds.
    assert (
        await owner_db.fetchval(
            "SELECT count(*) FROM account WHERE placement_id = $1", UUID(placement_id)
        )
        == interrupted["rows_accepted"]
    )

    assert await ingest.load_placement(UUID(placement_id)) == "loaded"
    finished = await _placement(owner_db, placement_id)
    assert finished["rows_read"] == ROWS
    assert finished["rows_accepted"] + finished["rows_rejected"] == ROWS
    accounts = await owner_db.fetchval(
        "SELECT count(*) FROM account WHERE placement_id = $1", UUID(placement_id)
    )
    assert accounts == finished["rows_accepted"]
    assert (
        await owner_db.fetchval(
            "SELECT count(*) FROM placement_error"
            " WHERE placement_id = $1 AND code = 'duplicate_in_file'",
            UUID(placement_id),
        )
        == 0
    )
    distinct_lines = await owner_db.fetchval(
        "SELECT count(DISTINCT placement_line) FROM account WHERE placement_id = $1",
        UUID(placement_id),
    )
    assert distinct_lines == accounts
