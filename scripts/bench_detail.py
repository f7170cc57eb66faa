"""Account-detail benchmark: `GET /api/v1/accounts/{id}` over HTTP against a live
`agency api`, every section included (the call context's rules run on each), beside a
trivial authenticated endpoint (`GET /api/v1/me`: the same middleware, the same sign-in
check, no section) on the same processes, tokens and load generator.

Seeds with bench_dispatch's bare SQL (untimed: accounts, people, numbers, the last days'
calls), fills the queues with our dispatcher, and gives each collector the accounts of its
own queue to read, so every section is the caller's to see. After a few seconds that warm
every API process's pool, each of the two endpoints in turn:
1. steady: requests arriving at a fixed rate (default 300/s), p50 / p99 latency;
2. closed loop: `--clients` concurrent callers reading as fast as they can, requests/s,
   driven by wrk when it is installed (`apt-get install wrk`), else by aiohttp.
The machine's load average is printed beside every phase.

    python -m scripts.bench_detail [--accounts 100000] [--collectors 200] [--rate 300]
                                   [--seconds 10] [--clients 100] [--workers 2]
"""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from typing import Any
from uuid import uuid4

import asyncpg

from scripts import bench_dispatch, benchkit
from scripts.bench_next import percentile, zone_at
from server.demo import AUTHORITY

ME = "/api/v1/me"
WARM_UP_S = 3
# Accounts of its own queue each collector reads, in turn.
ACCOUNTS_PER_COLLECTOR = 5

Request = tuple[str, str]  # (path, bearer token)


async def setup(env: dict[str, str], accounts: int, collectors: int) -> list[Request]:
    """Seed, dispatch, and for each collector a token (as sign-in issues it, with a
    refresh family) and the first accounts of its queue."""
    from server.auth import tokens
    from server.auth.principal import SYSTEM
    from server.dispatch import service as work_queue
    from server.kit import db

    await bench_dispatch.seed(env["DATABASE_URL"], accounts, collectors)
    conn = await asyncpg.connect(env["DATABASE_URL"])
    try:
        # Mid-afternoon for everyone: the call context judges numbers that may be called.
        zone = zone_at(15)
        await conn.execute("UPDATE debtor_profile SET time_zone = $1", zone)
        await conn.execute("UPDATE debtor_phone SET time_zones = ARRAY[$1]", zone)
        # A settlement authority as a client's settings hold it (the seed's bare SQL has
        # none): the detail's authority section reads it.
        await conn.execute("UPDATE client SET authority = $1::jsonb", json.dumps(AUTHORITY))
    finally:
        await conn.close()
    await db.start_pool(1, 4)
    try:
        print(f"dispatch: {await work_queue.dispatch(SYSTEM)}", flush=True)
    finally:
        await db.close_pool()
    conn = await asyncpg.connect(env["DATABASE_URL"])
    try:
        rows = await conn.fetch(
            """
            SELECT collector_id, (array_agg(account_ids[1] ORDER BY rank))[1:$1] AS accounts
            FROM queue_item GROUP BY collector_id ORDER BY collector_id
            """,
            ACCOUNTS_PER_COLLECTOR,
        )
    finally:
        await conn.close()
    reads: list[list[Request]] = []
    for row in rows:
        claims = {"sub": str(row["collector_id"]), "role": "collector", "fid": str(uuid4())}
        token = tokens.issue_access_token(claims)[0]
        reads.append([(f"/api/v1/accounts/{a}", token) for a in row["accounts"]])
    # Collectors in turn, not one collector's accounts in a row.
    return [r[k] for k in range(ACCOUNTS_PER_COLLECTOR) for r in reads if k < len(r)]


def as_me(requests: list[Request]) -> list[Request]:
    return [(ME, token) for _, token in requests]


async def steady(base: str, requests: list[Request], rate: int, seconds: float) -> dict[str, Any]:
    async with benchkit.session(400) as http:
        tasks = []
        start = time.perf_counter()
        for i in range(int(rate * seconds)):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(benchkit.get(http, base, requests[i % len(requests)])))
        latencies = await asyncio.gather(*tasks)
    return {
        "requests": len(latencies),
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
    }


def main() -> None:
    args = benchkit.http_arguments(__doc__, rate=300, clients=100)
    env = benchkit.prepare_api("agency_bench_detail")
    detail = asyncio.run(setup(env, args.accounts, args.collectors))
    endpoints = {"detail": detail, "me": [(ME, token) for _, token in detail]}
    results: dict[str, dict[str, Any]] = {}
    with benchkit.api(env, args.workers) as served:
        # Every API process opens its pool's connections, and prepares its statements, on
        # its first requests.
        for requests in endpoints.values():
            benchkit.closed_loop_rate(served, requests, args.clients, WARM_UP_S)
        for name, requests in endpoints.items():
            with served.cpu() as cost:
                result = asyncio.run(steady(served.base, requests, args.rate, args.seconds))
            result["steady_load"] = benchkit.load()
            result["steady_cpu"] = cost.per_request(result["requests"])
            loop = benchkit.closed_loop_rate(served, requests, args.clients, args.seconds)
            result |= {
                "requests_per_s": loop["requests_per_s"], "loop_load": loop["load"],
                "loop_cpu": loop["cpu"],
            }  # fmt: skip
            results[name] = result
            print(f"{name}: {result}", flush=True)
    generator = "wrk" if shutil.which("wrk") else "aiohttp"
    print()
    print(f"machine: {benchkit.machine()}")
    print(f"accounts: {args.accounts:,}, collectors: {args.collectors}, "
          f"API workers: {args.workers}, accounts read: {len(detail):,}")  # fmt: skip
    for name, path in (("detail", "GET /api/v1/accounts/{id}"), ("me", f"GET {ME} (baseline)")):
        r = results[name]
        print(f"{path}: steady {args.rate}/s p50 {r['p50_ms']:.1f} ms, "
              f"p99 {r['p99_ms']:.1f} ms ({r['steady_load']}; {r['steady_cpu']}); "
              f"closed loop x{args.clients} ({generator}) {r['requests_per_s']:,.0f}/s "
              f"({r['loop_load']}; {r['loop_cpu']})")  # fmt: skip


if __name__ == "__main__":
    main()
