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

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from uuid import uuid4

import aiohttp
import asyncpg

from scripts import bench_dispatch, benchkit
from scripts.bench_next import free_port, percentile, session, wait_ready, zone_at

ME = "/api/v1/me"
WARM_UP_S = 3
# Accounts of its own queue each collector reads, in turn.
ACCOUNTS_PER_COLLECTOR = 5

Request = tuple[str, str]  # (path, bearer token)

AUTHORITY = {
    "collector": {
        "min_percent": 80, "max_installments": 6, "max_months": 6, "min_installment_cents": 2500,
    },
    "supervisor": {
        "min_percent": 65, "max_installments": 12, "max_months": 12,
        "min_installment_cents": 2500,
    },
}  # fmt: skip


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


async def read(http: aiohttp.ClientSession, base: str, request: Request) -> float:
    path, token = request
    started = time.perf_counter()
    async with http.get(base + path, headers={"Authorization": f"Bearer {token}"}) as response:
        body = await response.read()
        if response.status != 200:
            raise SystemExit(f"{path}: {response.status} {body[:300]!r}")
    return time.perf_counter() - started


async def steady(base: str, requests: list[Request], rate: int, seconds: float) -> dict[str, Any]:
    async with session(400) as http:
        tasks = []
        start = time.perf_counter()
        for i in range(int(rate * seconds)):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(read(http, base, requests[i % len(requests)])))
        latencies = await asyncio.gather(*tasks)
    return {
        "requests": len(latencies),
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
    }


async def closed_loop(
    base: str, requests: list[Request], clients: int, seconds: float
) -> dict[str, Any]:
    done = 0
    async with session(clients) as http:
        stop = time.perf_counter() + seconds

        async def caller(n: int) -> None:
            nonlocal done
            i = n
            while time.perf_counter() < stop:
                await read(http, base, requests[i % len(requests)])
                done += 1
                i += clients

        started = time.perf_counter()
        await asyncio.gather(*(caller(n) for n in range(clients)))
        elapsed = time.perf_counter() - started
    return {"requests_per_s": done / elapsed}


# wrk, when the machine has it, drives the closed loop: it needs a fraction of the CPU a
# Python client needs, and the server shares the machine's cores with its load.
WRK_SCRIPT = """
paths = {%s}
tokens = {%s}
counter = 0
request = function()
  counter = counter + 1
  local i = counter %% #paths + 1
  return wrk.format("GET", paths[i], {["Authorization"] = "Bearer " .. tokens[i]})
end
"""


def wrk_loop(base: str, requests: list[Request], clients: int, seconds: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as work:
        script = Path(work, "read.lua")
        paths = ",".join(f'"{p}"' for p, _ in requests)
        tokens = ",".join(f'"{t}"' for _, t in requests)
        script.write_text(WRK_SCRIPT % (paths, tokens))
        run = subprocess.run(
            ["wrk", "-t1", f"-c{clients}", f"-d{round(seconds)}s", "-s", str(script), base],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    failed = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", run.stdout)
    if failed:
        raise SystemExit(f"wrk: {failed.group(1)} answers were not 200")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", run.stdout)
    assert rate is not None, run.stdout
    return {"requests_per_s": float(rate.group(1))}


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--collectors", type=int, default=200)
    parser.add_argument("--rate", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    env = benchkit.prepare("agency_bench_detail")
    os.environ.update(env)
    from server.kit.keyring import ensure_development_keys
    from server.kit.settings import get_settings

    ensure_development_keys(get_settings())
    detail = asyncio.run(setup(env, args.accounts, args.collectors))
    endpoints = {"detail": detail, "me": as_me(detail)}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    api = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "api", "--port", str(port),
         "--workers", str(args.workers)],
        env=env, cwd=benchkit.ROOT,
    )  # fmt: skip
    generator = "wrk" if shutil.which("wrk") else "aiohttp"
    results: dict[str, dict[str, Any]] = {}
    try:
        wait_ready(base, api)
        # Every API process opens its pool's connections, and prepares its statements, on
        # its first requests.
        for requests in endpoints.values():
            asyncio.run(closed_loop(base, requests, args.clients, WARM_UP_S))
        for name, requests in endpoints.items():
            result = asyncio.run(steady(base, requests, args.rate, args.seconds))
            result["steady_load"] = load()
            if generator == "wrk":
                result |= wrk_loop(base, requests, args.clients, args.seconds)
            else:
                result |= asyncio.run(closed_loop(base, requests, args.clients, args.seconds))
            result["loop_load"] = load()
            results[name] = result
            print(f"{name}: {result}", flush=True)
    finally:
        api.terminate()
        api.wait(timeout=30)
    print()
    print(f"machine: {benchkit.machine()}")
    print(f"accounts: {args.accounts:,}, collectors: {args.collectors}, "
          f"API workers: {args.workers}, accounts read: {len(detail):,}")  # fmt: skip
    for name, path in (("account detail", "GET /api/v1/accounts/{id}"), ("baseline", f"GET {ME}")):
        r = results["detail" if name == "account detail" else "me"]
        print(f"{name} ({path}): steady {args.rate}/s p50 {r['p50_ms']:.1f} ms, "
              f"p99 {r['p99_ms']:.1f} ms ({r['steady_load']}); closed loop x{args.clients} "
              f"({generator}) {r['requests_per_s']:,.0f}/s ({r['loop_load']})")  # fmt: skip


if __name__ == "__main__":
    main()
