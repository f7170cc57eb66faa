"""Next-account benchmark: `POST /api/v1/queues/me/next` over HTTP against a live
`agency api`, rules checked on every claim, beside bare SQL claims on the same queues.

Seeds with bench_dispatch's bare SQL (untimed), fills the queues with our dispatcher, and
moves every person to a zone where it is mid-afternoon now, so claims are callable. Then:
1. steady: claims arriving at a fixed rate (default 200/s) from C collectors in turn;
   p50 / p99 latency;
2. closed loop: `--clients` concurrent callers claiming as fast as they can; claims/s
   (latency in a closed loop is only clients ÷ throughput, so it is not quoted), driven
   by wrk when it is installed (`apt-get install wrk`), else by aiohttp;
3. bare: the same closed loop with a bare `FOR UPDATE SKIP LOCKED` claim over asyncpg;
4. checks by SQL: no person leased twice, and no lease breaking a rule the pre-filter or
   the clock can see (status, no telephone, no valid number, outside 08:00-21:00 local).
A few seconds of claims first warm every API process's pool; leases are cleared between
phases so every phase has the same queues to work.

    python -m scripts.bench_next [--accounts 100000] [--collectors 200] [--rate 200]
                                 [--seconds 10] [--clients 200]
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import aiohttp
import asyncpg

from scripts import bench_dispatch, benchkit

NEXT = "/api/v1/queues/me/next"
WARM_UP_S = 3
QUEUE_CAPACITY = 150

BARE_CLAIM = """
WITH item AS (
    SELECT id FROM queue_item
    WHERE collector_id = $1 AND (leased_until IS NULL OR leased_until <= now())
    ORDER BY rank, debtor_id LIMIT 1 FOR UPDATE SKIP LOCKED
)
UPDATE queue_item q SET leased_until = now() + interval '15 minutes', leased_at = now(),
    leased_account_id = q.account_ids[1]
FROM item WHERE q.id = item.id
RETURNING q.debtor_id
"""

CHECKS = """
SELECT
  (SELECT count(*) FROM queue_item WHERE leased_until > now()) AS leased,
  (SELECT count(*) FROM queue_item q JOIN account a ON a.id = q.leased_account_id
     JOIN debtor d ON d.id = q.debtor_id
     JOIN debtor_address da ON da.debtor_id = d.id
   WHERE q.leased_until > now()
     AND (a.status <> 'active' OR d.no_telephone
          OR NOT EXISTS (SELECT 1 FROM debtor_phone p WHERE p.debtor_id = d.id
                         AND p.status = 'valid' AND NOT p.employer_forbids_calls)
          OR extract(hour FROM q.leased_at AT TIME ZONE da.time_zone) NOT BETWEEN 8 AND 20
          OR a.id <> ALL (q.account_ids))) AS breaches
"""


def zone_at(hour: int) -> str:
    offset = (hour - datetime.now(UTC).hour + 12) % 24 - 12
    return f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def setup(env: dict[str, str], accounts: int, collectors: int) -> list[str]:
    """Seed, dispatch, and mint one access token per collector."""
    from server.auth import tokens
    from server.auth.principal import SYSTEM
    from server.dispatch import service as work_queue
    from server.kit import db

    await bench_dispatch.seed(env["DATABASE_URL"], accounts, collectors)
    conn = await asyncpg.connect(env["DATABASE_URL"])
    try:
        zone = zone_at(15)
        # Queues deep enough for every phase's claims (leases are cleared between phases):
        # a closed loop that empties them measures the claim of an empty queue instead.
        await conn.execute("UPDATE app_user SET capacity = $1", QUEUE_CAPACITY)
        await conn.execute("UPDATE debtor_profile SET time_zone = $1", zone)
        await conn.execute("UPDATE debtor_phone SET time_zones = ARRAY[$1]", zone)
        ids = [r["id"] for r in await conn.fetch("SELECT id FROM app_user ORDER BY id")]
    finally:
        await conn.close()
    await db.start_pool(1, 4)
    try:
        print(f"dispatch: {await work_queue.dispatch(SYSTEM)}", flush=True)
    finally:
        await db.close_pool()
    # As sign-in issues them, with a refresh family: every request checks its revocation.
    return [
        tokens.issue_access_token({"sub": str(i), "role": "collector", "fid": str(uuid4())})[0]
        for i in ids
    ]


async def clear_leases(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "UPDATE queue_item SET leased_until = NULL, leased_at = NULL, leased_account_id = NULL"
        )
    finally:
        await conn.close()


async def claim(http: aiohttp.ClientSession, url: str, token: str, seen: list[str]) -> float:
    started = time.perf_counter()
    async with http.post(url, headers={"Authorization": f"Bearer {token}"}) as response:
        body = await response.json()
        if response.status != 200:
            raise SystemExit(f"next: {response.status} {body}")
    elapsed = time.perf_counter() - started
    account = body["account"]
    if account is not None:
        seen.append(account["debtor_id"])
    return elapsed


async def steady(base: str, tokens: list[str], rate: int, seconds: float) -> dict[str, Any]:
    seen: list[str] = []
    url = base + NEXT
    async with benchkit.session(400) as http:
        tasks = []
        start = time.perf_counter()
        for i in range(int(rate * seconds)):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(claim(http, url, tokens[i % len(tokens)], seen)))
        latencies = await asyncio.gather(*tasks)
    return {
        "claims": len(latencies),
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "leased": len(seen),
        "distinct": len(set(seen)),
    }


async def closed_loop(base: str, tokens: list[str], clients: int, seconds: float) -> dict[str, Any]:
    seen: list[str] = []
    done = 0
    url = base + NEXT
    async with benchkit.session(clients) as http:
        stop = time.perf_counter() + seconds

        async def caller(n: int) -> None:
            nonlocal done
            i = n
            while time.perf_counter() < stop:
                await claim(http, url, tokens[i % len(tokens)], seen)
                done += 1
                i += clients

        started = time.perf_counter()
        await asyncio.gather(*(caller(n) for n in range(clients)))
        elapsed = time.perf_counter() - started
    return {
        "claims_per_s": done / elapsed, "claims": done, "leased": len(seen),
        "distinct": len(set(seen)),
    }  # fmt: skip


# wrk, when the machine has it, drives the closed loop: it needs a fraction of the CPU a
# Python client needs, and the server shares the machine's cores with its load.
WRK_SCRIPT = """
tokens = {%s}
counter = 0
out = io.open("%s", "w")
request = function()
  counter = counter + 1
  return wrk.format("POST", "%s", {["Authorization"] = "Bearer " .. tokens[counter %% #tokens + 1],
                                   ["Content-Length"] = "0"}, "")
end
response = function(status, headers, body)
  if status ~= 200 then out:write("status ", status, " ", body, "\\n") return end
  local debtor = string.match(body, '"debtor_id":"([^"]+)"')
  out:write(debtor or "none", "\\n")
end
"""


def wrk_loop(base: str, tokens: list[str], clients: int, seconds: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as work:
        script, answers = Path(work, "next.lua"), Path(work, "answers")
        quoted = ",".join(f'"{t}"' for t in tokens)
        script.write_text(WRK_SCRIPT % (quoted, answers, NEXT))
        run = subprocess.run(
            ["wrk", "-t1", f"-c{clients}", f"-d{round(seconds)}s", "-s", str(script), base],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        lines = answers.read_text().splitlines()
    failed = [line for line in lines if line.startswith("status ")]
    if failed:
        raise SystemExit(f"next: {failed[0][:300]}")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", run.stdout)
    assert rate is not None, run.stdout
    seen = [line for line in lines if line != "none"]
    return {
        "claims_per_s": float(rate.group(1)), "claims": len(lines), "leased": len(seen),
        "distinct": len(set(seen)),
    }  # fmt: skip


async def bare_loop(url: str, ids: list[Any], clients: int, seconds: float) -> dict[str, Any]:
    seen: list[Any] = []
    done = 0
    pool = await asyncpg.create_pool(url, min_size=8, max_size=8)
    stop = time.perf_counter() + seconds

    async def caller(n: int) -> None:
        nonlocal done
        i = n
        while time.perf_counter() < stop:
            async with pool.acquire() as conn:
                debtor = await conn.fetchval(BARE_CLAIM, ids[i % len(ids)])
            if debtor is not None:
                seen.append(debtor)
            done += 1
            i += clients

    started = time.perf_counter()
    await asyncio.gather(*(caller(n) for n in range(clients)))
    elapsed = time.perf_counter() - started
    await pool.close()
    return {"claims_per_s": done / elapsed, "leased": len(seen), "distinct": len(set(seen))}


async def checks(url: str) -> dict[str, int]:
    conn = await asyncpg.connect(url)
    try:
        row = await conn.fetchrow(CHECKS)
        assert row is not None
        return {"leased": row["leased"], "rule_breaches": row["breaches"]}
    finally:
        await conn.close()


def main() -> None:
    args = benchkit.http_arguments(__doc__, rate=200, clients=200)
    env = benchkit.prepare_api("agency_bench_next")
    tokens = asyncio.run(setup(env, args.accounts, args.collectors))
    url = env["DATABASE_URL"]
    generator = "wrk" if shutil.which("wrk") else "aiohttp"
    with benchkit.api(env, args.workers) as served:
        base = served.base
        # Every API process opens its pool's connections, and prepares its statements, on
        # its first requests.
        asyncio.run(closed_loop(base, tokens, args.clients, WARM_UP_S))
        asyncio.run(clear_leases(url))
        with served.cpu() as cost:
            steady_result = asyncio.run(steady(base, tokens, args.rate, args.seconds))
        steady_result["load"] = benchkit.load()
        steady_result["cpu"] = cost.per_request(steady_result["claims"])
        steady_checks = asyncio.run(checks(url))
        print(f"steady {args.rate}/s: {steady_result} {steady_checks}", flush=True)
        asyncio.run(clear_leases(url))
        with served.cpu() as cost:
            if generator == "wrk":
                loop_result = wrk_loop(base, tokens, args.clients, args.seconds)
            else:
                loop_result = asyncio.run(closed_loop(base, tokens, args.clients, args.seconds))
        loop_result["load"] = benchkit.load()
        loop_result["cpu"] = cost.per_request(loop_result["claims"])
        loop_checks = asyncio.run(checks(url))
        print(f"closed loop x{args.clients}: {loop_result} {loop_checks}", flush=True)
        # The ceilings on the same processes: our HTTP stack with nothing to do, and with
        # the sign-in check every request makes.
        ceilings = {
            path: benchkit.closed_loop_rate(served, [(path, t) for t in tokens], args.clients,
                                            args.seconds)
            for path in ("/health", "/api/v1/me")
        }  # fmt: skip
        print(f"ceilings: {ceilings}", flush=True)
    asyncio.run(clear_leases(url))

    async def collector_ids() -> list[Any]:
        conn = await asyncpg.connect(url)
        try:
            return [r["id"] for r in await conn.fetch("SELECT id FROM app_user ORDER BY id")]
        finally:
            await conn.close()

    bare_result = asyncio.run(
        bare_loop(url, asyncio.run(collector_ids()), args.clients, args.seconds)
    )
    bare_result["load"] = benchkit.load()
    print(f"bare SQL closed loop x{args.clients}: {bare_result}", flush=True)
    print()
    print(f"machine: {benchkit.machine()}")
    print(f"accounts: {args.accounts:,}, collectors: {args.collectors}, "
          f"API workers: {args.workers}")  # fmt: skip
    print(f"steady {args.rate}/s over HTTP: p50 {steady_result['p50_ms']:.1f} ms, "
          f"p99 {steady_result['p99_ms']:.1f} ms ({steady_result['load']}; "
          f"{steady_result['cpu']})")  # fmt: skip
    print(f"closed loop over HTTP ({generator}): {loop_result['claims_per_s']:,.0f} claims/s "
          f"({loop_result['load']}; {loop_result['cpu']}); bare SQL: "
          f"{bare_result['claims_per_s']:,.0f} claims/s ({bare_result['load']})")  # fmt: skip
    print("ceilings, closed loop on the same API processes: "
          + "; ".join(f"GET {p} {r['requests_per_s']:,.0f}/s ({r['load']}; {r['cpu']})"
                      for p, r in ceilings.items()))  # fmt: skip
    for name, r in (("steady", steady_result), ("closed loop", loop_result)):
        print(f"{name}: double leases {r['leased'] - r['distinct']}")
    print(f"rule breaches (SQL): steady {steady_checks['rule_breaches']}, "
          f"closed loop {loop_checks['rule_breaches']}")  # fmt: skip


if __name__ == "__main__":
    main()
