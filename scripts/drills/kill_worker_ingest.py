"""Drill: kill -9 the worker during a large ingest, restart it, and show by SQL that
nothing was lost or doubled.

A generated new-business file is uploaded over HTTP; the worker loads it in committed
batches (at least one stored 1 MiB chunk, about 5,000 rows, each); the drill kills the
worker (SIGKILL to its whole session) at a random moment inside a batch, several times,
starting a new worker after each kill. The new worker's start-up sweep finds the placement
no loader holds and resumes it after its last batch. Then, by SQL: every line of the file
is an account or a rejected line, exactly once.

    python -m scripts.drills.kill_worker_ingest [--rows 100000] [--batch-rows 10000]
                                                [--kills 3]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from functools import partial
from typing import Any
from uuid import UUID

import httpx

from scripts.drills import drillkit
from server.sample_files import new_business_csv

# What the loader leaves, in one row: the placement's counters against what is stored.
_TALLY = """
SELECT p.status, p.rows_read, p.rows_accepted, p.rows_rejected, p.attempts,
       (SELECT count(*) FROM account a WHERE a.placement_id = p.id) AS accounts,
       (SELECT count(DISTINCT a.placement_line) FROM account a WHERE a.placement_id = p.id)
           AS account_lines,
       (SELECT count(DISTINCT a.client_account_number) FROM account a
        WHERE a.placement_id = p.id) AS account_numbers,
       (SELECT count(DISTINCT e.line) FROM placement_error e
        WHERE e.placement_id = p.id AND e.severity = 'error') AS rejected_lines,
       (SELECT count(*) FROM (SELECT e.line, e.code, e.column_name FROM placement_error e
                              WHERE e.placement_id = p.id
                              GROUP BY 1, 2, 3 HAVING count(*) > 1) d) AS doubled_errors,
       (SELECT count(*) FROM placement_error e WHERE e.placement_id = p.id
          AND e.code = 'duplicate_in_file') AS self_duplicates,
       (SELECT count(*) FROM account a JOIN placement_error e
          ON e.placement_id = a.placement_id AND e.line = a.placement_line
          AND e.severity = 'error' WHERE a.placement_id = p.id) AS accepted_and_rejected
FROM placement p WHERE p.id = $1
"""


def tally(stack: drillkit.Stack, placement_id: UUID) -> dict[str, Any]:
    async def read() -> dict[str, Any]:
        conn = await stack.connect()
        try:
            row = await conn.fetchrow(_TALLY, placement_id)
            assert row is not None
            return dict(row)
        finally:
            await conn.close()

    return asyncio.run(read())


def _read_past(stack: drillkit.Stack, placement_id: UUID, rows: int) -> bool:
    return bool(
        stack.sql(
            "SELECT rows_read > $2 OR status = 'loaded' FROM placement WHERE id = $1",
            placement_id,
            rows,
        )
    )


async def _kill_inside_batch_after(
    stack: drillkit.Stack, placement_id: UUID, row: int, worker: drillkit.Process
) -> None:
    """Kill the worker inside the first batch it writes after `row` rows are committed.

    Chosen by progress, never by the clock: the drill reads the placement's counters under
    a lock on its row, and keeps the lock once they pass `row`, so the loader can commit no
    further batch; it kills the worker once the next batch is blocked on that lock (its
    rows merged, its transaction open) and only then lets go."""
    conn = await stack.connect()
    try:
        deadline = time.monotonic() + 300
        while True:
            tx = conn.transaction()
            await tx.start()
            done = await conn.fetchval(
                "SELECT rows_read FROM placement WHERE id = $1 FOR UPDATE", placement_id
            )
            if done >= row:
                break
            await tx.rollback()
            if time.monotonic() > deadline:
                raise drillkit.DrillError(f"the worker never reached row {row:,}")
            await asyncio.sleep(0.05)
        while not await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE pg_backend_pid() = ANY"
            " (pg_blocking_pids(pid))"
        ):
            if time.monotonic() > deadline:
                raise drillkit.DrillError("the next batch never reached its commit")
            await asyncio.sleep(0.02)
        worker.kill9()
        await tx.rollback()
    finally:
        await conn.close()


def drill(
    stack: drillkit.Stack, rows: int, batch_rows: int, kills: int, seed: int = 11
) -> drillkit.Report:
    report = drillkit.Report("kill -9 the worker during ingest")
    rng = random.Random(seed)
    api = stack.api()
    token = stack.admin_token(api)
    client = stack.create_client(api, token, "Drill Ingest Client")
    body = new_business_csv(rows, seed=seed)
    response = httpx.post(
        f"{api.base_url}/api/v1/placements",
        params={"client_id": client["client_id"], "file_name": "drill.csv"},
        content=body,
        headers={**drillkit.bearer(token), "Content-Type": "text/csv"},
        timeout=600,
    )
    if response.status_code != 202:
        raise drillkit.DrillError(f"upload: {response.status_code} {response.text}")
    placement_id = UUID(response.json()["placement_id"])
    report.figure("file", f"{rows:,} rows, {len(body) / 1e6:.1f} MB")

    started = time.monotonic()
    worker = stack.worker(INGEST_BATCH_ROWS=str(batch_rows))
    killed_at: list[int] = []
    resumed_s: list[float] = []
    for k in range(1, kills + 1):
        # Spread over the file, a random way into the span between two kills.
        span = rows // (kills + 1)
        target = span * k - rng.randrange(span // 2)
        asyncio.run(_kill_inside_batch_after(stack, placement_id, target, worker))
        at_kill = tally(stack, placement_id)
        if at_kill["status"] == "loaded":
            report.breaches.append("the file finished before the kill: use more rows")
            break
        killed_at.append(at_kill["rows_read"])
        # What the killed worker committed is exactly what the tables hold.
        report.check(
            at_kill["accounts"] == at_kill["rows_accepted"],
            f"after a kill: {at_kill['accounts']} accounts, counter says "
            f"{at_kill['rows_accepted']}",
        )
        restarted = time.monotonic()
        worker = stack.worker(INGEST_BATCH_ROWS=str(batch_rows))
        drillkit.wait_until(
            partial(_read_past, stack, placement_id, at_kill["rows_read"]),
            "the restarted worker resuming",
            300,
            interval=0.1,
        )
        resumed_s.append(time.monotonic() - restarted)
    drillkit.wait_until(
        partial(_read_past, stack, placement_id, rows), "the file loaded", 1800, 0.2
    )
    elapsed = time.monotonic() - started
    final = tally(stack, placement_id)
    worker.stop()

    report.figure("killed at rows", ", ".join(f"{n:,}" for n in killed_at))
    report.figure("resumed after restart (s)", ", ".join(f"{s:.1f}" for s in resumed_s) or "-")
    report.figure("load attempts", final["attempts"])
    report.figure(
        "loaded",
        f"{final['rows_read']:,} read, {final['rows_accepted']:,} accepted, "
        f"{final['rows_rejected']:,} rejected in {elapsed:.1f} s",
    )
    report.figure(
        "SQL",
        f"{final['accounts']:,} accounts on {final['account_lines']:,} distinct lines, "
        f"{final['rejected_lines']:,} rejected lines, {final['doubled_errors']} doubled "
        f"errors, {final['self_duplicates']} self-duplicates",
    )
    report.check(final["rows_read"] == rows, f"rows read {final['rows_read']} != {rows}")
    report.check(
        final["rows_accepted"] + final["rows_rejected"] == rows,
        "accepted + rejected != rows in the file",
    )
    report.check(final["accounts"] == final["rows_accepted"], "accounts != rows accepted")
    report.check(final["account_lines"] == final["accounts"], "a line loaded twice")
    report.check(final["account_numbers"] == final["accounts"], "an account number twice")
    report.check(
        final["rejected_lines"] == final["rows_rejected"], "rejected lines != rows rejected"
    )
    report.check(final["account_lines"] + final["rejected_lines"] == rows, "a line lost")
    report.check(final["doubled_errors"] == 0, "an error recorded twice")
    report.check(final["self_duplicates"] == 0, "a row flagged as a duplicate of itself")
    report.check(final["accepted_and_rejected"] == 0, "a line both accepted and rejected")
    report.check(len(killed_at) == kills, f"{len(killed_at)} of {kills} kills landed")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch-rows", type=int, default=10_000)
    parser.add_argument("--kills", type=int, default=3)
    args = parser.parse_args()
    database_url, redis_url = drillkit.servers_from_environment()
    with drillkit.stack("ingest", database_url=database_url, redis_url=redis_url) as stack:
        report = drill(stack, args.rows, args.batch_rows, args.kills)
    report.exit()


if __name__ == "__main__":
    main()
