"""Drill: kill -9 the worker while it makes the night's letter batch, and the API while it
imports the vendor's return file; start them again, and show by SQL that no letter,
mailing or sent date was lost or doubled.

A generated new-business file is uploaded and loaded. The drill takes a SHARE lock on
`letter`, so the batch, with its PDFs made and its batch row written, waits to store its
letters; it kills the worker there (the batch's transaction open), lets go, and triggers
the batch again in a new worker, as the next hour's trigger does (`letters.nightly`).
Then the vendor's return file (every letter mailed today) is posted to the API while the
drill holds the row of an account in the middle of the file, so the import waits there
with the rows before it applied and not committed; the drill kills the API, lets go,
starts another and posts the same file again, then a third time. By SQL: one batch, one
notice per account, each in the batch's index once; one mailing per letter, each
account's sent date its mailing and its period end the one printed; the third post
changes nothing.

    python -m scripts.drills.kill_worker_letters [--accounts 200]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import time
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import asyncpg
import httpx
from arq.connections import ArqRedis
from redis.asyncio import ConnectionPool

from scripts.drills import drillkit
from server.kit import clock
from server.kit.settings import DEFAULT_AGENCY_TIMEZONE
from server.letters.jobs import MAKE_BATCH
from server.sample_files import new_business_csv

_TALLY = """
SELECT
  (SELECT count(*) FROM letter_batch) AS batches,
  (SELECT count(*) FROM letter WHERE kind = 'validation_notice') AS notices,
  (SELECT count(DISTINCT account_id) FROM letter WHERE kind = 'validation_notice')
      AS noticed_accounts,
  (SELECT count(*) FROM account) AS accounts,
  (SELECT count(*) FROM letter_event WHERE kind = 'mailed') AS mailings,
  (SELECT count(DISTINCT letter_id) FROM letter_event WHERE kind = 'mailed') AS mailed_letters,
  (SELECT count(*) FROM letter_return_import) AS imports,
  (SELECT count(*) FROM account WHERE validation_notice_sent_on IS NOT NULL) AS sent,
  (SELECT count(*) FROM account a JOIN letter l ON l.account_id = a.id
   JOIN letter_event e ON e.letter_id = l.id AND e.kind = 'mailed'
   WHERE a.validation_notice_sent_on IS DISTINCT FROM e.occurred_on
      OR a.validation_period_ends_on IS DISTINCT FROM l.printed_period_ends_on) AS off_mailing
"""


def tally(stack: drillkit.Stack) -> dict[str, Any]:
    async def read() -> dict[str, Any]:
        conn = await stack.connect()
        try:
            row = await conn.fetchrow(_TALLY)
            assert row is not None
            return dict(row)
        finally:
            await conn.close()

    return asyncio.run(read())


async def _blocked_by(conn: asyncpg.Connection) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE pg_backend_pid() = ANY"
            " (pg_blocking_pids(pid))"
        )
    )


async def _hold_and_kill(
    stack: drillkit.Stack,
    hold: str,
    hold_args: tuple[Any, ...],
    start: Callable[[], Awaitable[Any]],
    victim: Callable[[], drillkit.Process],
) -> None:
    """Inside a transaction of the drill's: take `hold`, `start` the work, wait until the
    work is blocked on the drill's lock, kill -9 its process, and only then let go."""
    conn = await stack.connect()
    try:
        async with conn.transaction():
            await conn.execute(hold, *hold_args)
            started = asyncio.ensure_future(start())
            deadline = time.monotonic() + 300
            while not await _blocked_by(conn):
                if time.monotonic() > deadline:
                    raise drillkit.DrillError("the work never reached the drill's lock")
                await asyncio.sleep(0.05)
            victim().kill9()
        await asyncio.gather(started, return_exceptions=True)
    finally:
        await conn.close()


async def _trigger_batch(stack: drillkit.Stack, job_id: str) -> None:
    redis = ArqRedis(connection_pool=ConnectionPool.from_url(stack.env["REDIS_URL"]))
    try:
        await redis.enqueue_job(MAKE_BATCH, _job_id=job_id)
    finally:
        await redis.aclose()


def _return_file(stack: drillkit.Stack) -> tuple[bytes, UUID]:
    """Every notice mailed today (the agency's date: not in the future, not before the
    letter was made), and the account of the letter in the middle of the file."""
    zone = stack.env.get("AGENCY_TIMEZONE", DEFAULT_AGENCY_TIMEZONE)
    today = clock.local_date(clock.now(), zone)

    async def letters() -> list[asyncpg.Record]:
        conn = await stack.connect()
        try:
            return await conn.fetch("SELECT id, account_id FROM letter ORDER BY id")
        finally:
            await conn.close()

    rows = asyncio.run(letters())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["letter_id", "mailed_on", "returned_on", "reason"])
    writer.writerows([row["id"], today.isoformat(), "", ""] for row in rows)
    return out.getvalue().encode(), rows[len(rows) // 2]["account_id"]


async def _post_returns(base_url: str, token: str, body: bytes) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=600) as http:
        response = await http.post(
            f"{base_url}/api/v1/letter-returns",
            content=body,
            headers={**drillkit.bearer(token), "Content-Type": "text/csv"},
        )
    if response.status_code != 200:
        raise drillkit.DrillError(f"return import: {response.status_code} {response.text}")
    return dict(response.json())


def _load(stack: drillkit.Stack, api: drillkit.Api, token: str, accounts: int) -> None:
    client = stack.create_client(api, token, "Drill Letters Client")
    response = httpx.post(
        f"{api.base_url}/api/v1/placements",
        params={"client_id": client["client_id"], "file_name": "drill.csv"},
        content=new_business_csv(accounts, seed=3),
        headers={**drillkit.bearer(token), "Content-Type": "text/csv"},
        timeout=600,
    )
    if response.status_code != 202:
        raise drillkit.DrillError(f"upload: {response.status_code} {response.text}")
    placement_id = UUID(response.json()["placement_id"])
    drillkit.wait_until(
        lambda: stack.sql("SELECT status = 'loaded' FROM placement WHERE id = $1", placement_id),
        "the file loaded",
        600,
        0.2,
    )


def drill(stack: drillkit.Stack, accounts: int) -> drillkit.Report:
    report = drillkit.Report(
        "kill -9 the worker during a letter batch and the API during an import"
    )
    api = stack.api()
    token = stack.admin_token(api)
    workers = [stack.worker()]
    _load(stack, api, token, accounts)
    loaded = tally(stack)["accounts"]
    report.figure("accounts loaded", f"{loaded:,}")

    started = time.monotonic()
    asyncio.run(
        _hold_and_kill(
            stack,
            "LOCK TABLE letter IN SHARE MODE",
            (),
            lambda: _trigger_batch(stack, "drill-batch-1"),
            lambda: workers[-1],
        )
    )
    at_kill = tally(stack)
    report.figure("batch killed after (s)", f"{time.monotonic() - started:.1f}")
    report.check(
        (at_kill["batches"], at_kill["notices"]) == (0, 0),
        f"a killed batch left {at_kill['batches']} batches, {at_kill['notices']} letters",
    )
    workers.append(stack.worker())
    restarted = time.monotonic()
    asyncio.run(_trigger_batch(stack, "drill-batch-2"))
    drillkit.wait_until(lambda: tally(stack)["batches"] > 0, "the batch made again", 600, 0.2)
    report.figure("batch made after restart (s)", f"{time.monotonic() - restarted:.1f}")
    workers[-1].stop()

    body, middle_account = _return_file(stack)
    asyncio.run(
        _hold_and_kill(
            stack,
            "SELECT 1 FROM account WHERE id = $1 FOR UPDATE",
            (middle_account,),
            lambda: _post_returns(api.base_url, token, body),
            lambda: api.process,
        )
    )
    at_kill = tally(stack)
    report.check(
        (at_kill["mailings"], at_kill["imports"], at_kill["sent"]) == (0, 0, 0),
        f"a killed import left {at_kill['mailings']} mailings, {at_kill['imports']} imports,"
        f" {at_kill['sent']} sent dates",
    )
    api = stack.api()
    token = drillkit.login(api.base_url, drillkit.ADMIN)
    first = asyncio.run(_post_returns(api.base_url, token, body))
    again = asyncio.run(_post_returns(api.base_url, token, body))
    final = tally(stack)
    index = stack.sql("SELECT index_csv FROM letter_batch")
    indexed = [line.split(",")[0] for line in str(index).splitlines()[1:]]
    report.figure(
        "SQL",
        f"{final['batches']} batch, {final['notices']:,} notices for "
        f"{final['noticed_accounts']:,} accounts, {final['mailings']:,} mailings of "
        f"{final['mailed_letters']:,} letters, {final['sent']:,} sent dates, "
        f"{final['off_mailing']} off their mailing",
    )
    report.figure("imports", f"mailed {first['mailed']:,}, then unchanged {again['unchanged']:,}")
    report.check(final["batches"] == 1, f"{final['batches']} batches")
    report.check(
        final["notices"] == final["noticed_accounts"] == loaded,
        f"{final['notices']} notices for {final['noticed_accounts']} of {loaded} accounts",
    )
    report.check(
        len(indexed) == len(set(indexed)) == final["notices"], "the index is off its letters"
    )
    report.check(
        final["mailings"] == final["mailed_letters"] == final["notices"] == first["mailed"],
        f"{final['mailings']} mailings of {final['mailed_letters']} letters",
    )
    report.check(final["sent"] == loaded, f"{final['sent']} of {loaded} accounts dated")
    report.check(final["off_mailing"] == 0, "an account's dates are not its mailing's")
    report.check(
        (again["mailed"], again["unchanged"]) == (0, final["notices"]), "the file again changed"
    )
    report.check(not stack.unhandled_errors(), f"500s: {stack.unhandled_errors()}")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200)
    args = parser.parse_args()
    database_url, redis_url = drillkit.servers_from_environment()
    with drillkit.stack("letters", database_url=database_url, redis_url=redis_url) as stack:
        report = drill(stack, args.accounts)
    report.exit()


if __name__ == "__main__":
    main()
