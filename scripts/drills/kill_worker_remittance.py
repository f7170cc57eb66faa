"""Drill: kill -9 the worker during the remittance batch, restart it, and show by SQL that
no statement or line was lost or doubled.

Payments and reversals over many clients are seeded with the remittance benchmark's bulk
SQL (HTTP would take hours for this many). A worker starts; its start-up sweep finds no
run today and enqueues the batch; once part of the clients have their statements the
drill kills the worker (SIGKILL to its whole session) and starts a new one, whose sweep
sees no run alive (the batch lock went with the dead worker's connection) and runs the
batch again. Then, by SQL: the statements' totals equal a bare GROUP BY of the payments
to the cent, no movement is on two lines, no period is issued twice, every statement's
totals are the sums of its lines, and `agency remit` afterwards issues nothing.

    python -m scripts.drills.kill_worker_remittance [--movements 200000] [--clients 200]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from scripts import bench_remittance
from scripts.drills import drillkit
from server.kit.settings import DEFAULT_AGENCY_TIMEZONE
from server.settlements.remittance import repository as remittance_repository

_INTEGRITY = """
SELECT
  (SELECT count(*) FROM statement) AS statements,
  (SELECT count(*) FROM statement_line) AS lines,
  (SELECT count(*) FROM remittance_run) AS runs,
  (SELECT count(*) - count(DISTINCT (movement_kind, movement_id)) FROM statement_line)
      AS doubled_lines,
  (SELECT count(*) FROM (SELECT FROM statement GROUP BY client_id, period_end_date
                         HAVING count(*) > 1) d) AS doubled_periods,
  (SELECT count(*) FROM statement s
   LEFT JOIN (SELECT statement_id, count(*) AS n, sum(collected_cents) AS collected,
                     sum(gross_cents) AS gross, sum(fee_cents) AS fees
              FROM statement_line GROUP BY statement_id) l ON l.statement_id = s.id
   WHERE (s.line_count, s.collected_cents, s.gross_cents, s.fees_cents)
         IS DISTINCT FROM (l.n, l.collected, l.gross, l.fees)) AS statements_off_their_lines
"""


async def _seed(stack: drillkit.Stack, movements: int, clients: int) -> None:
    conn = await stack.connect()
    try:
        zone = stack.env.get("AGENCY_TIMEZONE", DEFAULT_AGENCY_TIMEZONE)
        await bench_remittance._seed(conn, movements, clients, zone)
    finally:
        await conn.close()


async def _integrity(stack: drillkit.Stack) -> dict[str, Any]:
    conn = await stack.connect()
    try:
        row = await conn.fetchrow(_INTEGRITY)
        check = await conn.fetchrow(bench_remittance._CHECK)
        assert row is not None
        assert check is not None
        return {**dict(row), "mismatched_clients": check["mismatched"]}
    finally:
        await conn.close()


GROUP = "5"


async def _kill_at_client(
    stack: drillkit.Stack, position: int, start_worker: Callable[[], drillkit.Process]
) -> None:
    """Start a worker whose batch stops at the client `position` places into its order
    (client id): the drill holds that client's batch lock as a running batch would, waits
    until the batch waits for it — every group before it issued, its own group's
    statements written and not committed — and kills the worker there."""
    conn = await stack.connect()
    try:
        async with conn.transaction():
            client_id = await conn.fetchval(
                "SELECT id FROM client ORDER BY id OFFSET $1 LIMIT 1", position
            )
            await remittance_repository.hold_client_locks(conn, [client_id])
            worker = start_worker()
            deadline = time.monotonic() + 600
            while not await remittance_repository.waiting_for_client_locks(conn):
                if time.monotonic() > deadline:
                    raise drillkit.DrillError("the batch never reached the held client")
                await asyncio.sleep(0.05)
            worker.kill9()
    finally:
        await conn.close()


def _run_finished(stack: drillkit.Stack) -> bool:
    return bool(stack.sql("SELECT count(*) FROM remittance_run") > 0)


def drill(stack: drillkit.Stack, movements: int, clients: int, seed: int = 5) -> drillkit.Report:
    report = drillkit.Report("kill -9 the worker during remittance")
    rng = random.Random(seed)
    started = time.monotonic()
    asyncio.run(_seed(stack, movements, clients))
    seeded = stack.sql("SELECT count(*) FROM payment") + stack.sql(
        "SELECT count(*) FROM payment_reversal"
    )
    report.figure(
        "seeded",
        f"{seeded:,} movements over {clients} clients in {time.monotonic() - started:.0f} s",
    )

    # Small groups, so the kill lands with clients issued and clients left; where, by
    # progress: inside a group somewhere in the middle third of the clients.
    started = time.monotonic()
    position = rng.randrange(clients // 3, 2 * clients // 3)
    asyncio.run(
        _kill_at_client(
            stack, position, partial(stack.worker, REMITTANCE_CLIENTS_PER_TRANSACTION=GROUP)
        )
    )
    at_kill = asyncio.run(_integrity(stack))
    clients_at_kill = stack.sql("SELECT count(DISTINCT client_id) FROM statement")
    report.figure(
        "killed after",
        f"{time.monotonic() - started:.1f} s: {clients_at_kill} of {clients} clients, "
        f"{at_kill['statements']:,} statements, {at_kill['lines']:,} lines",
    )
    report.check(at_kill["runs"] == 0, "the batch finished before the kill")
    report.check(
        0 < clients_at_kill < clients, f"{clients_at_kill} of {clients} clients at the kill"
    )
    report.check(at_kill["statements_off_their_lines"] == 0, "a half-written statement")

    restarted = time.monotonic()
    worker = stack.worker(REMITTANCE_CLIENTS_PER_TRANSACTION=GROUP)
    drillkit.wait_until(partial(_run_finished, stack), "the batch run again", 900, 0.2)
    report.figure("finished after restart (s)", f"{time.monotonic() - restarted:.1f}")
    worker.stop()
    final = asyncio.run(_integrity(stack))
    rerun = stack.cli("remit")
    found = re.search(r": (\d+) statements", rerun)
    issued_again = int(found.group(1)) if found else -1
    report.figure(
        "SQL",
        f"{final['statements']:,} statements, {final['lines']:,} lines; "
        f"{final['mismatched_clients']} clients off a bare GROUP BY, "
        f"{final['doubled_lines']} doubled lines, {final['doubled_periods']} periods twice, "
        f"{final['statements_off_their_lines']} statements off their lines",
    )
    report.figure("`agency remit` afterwards", f"{issued_again} statements")
    report.check(final["mismatched_clients"] == 0, "statement totals differ from the payments")
    report.check(final["doubled_lines"] == 0, "a movement on two lines")
    report.check(final["doubled_periods"] == 0, "a period issued twice")
    report.check(final["statements_off_their_lines"] == 0, "a statement off its lines")
    report.check(issued_again == 0, "a rerun issued statements")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--movements", type=int, default=200_000)
    parser.add_argument("--clients", type=int, default=200)
    args = parser.parse_args()
    database_url, redis_url = drillkit.servers_from_environment()
    with drillkit.stack("remittance", database_url=database_url, redis_url=redis_url) as stack:
        report = drill(stack, args.movements, args.clients)
    report.exit()


if __name__ == "__main__":
    main()
