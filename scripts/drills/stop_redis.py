"""Drill: stop Redis under API load, then start it again.

Collectors work their queues over HTTP (the load drill's collectors, brisk) while the
drill stops the drill's own Redis. Expected while it is down: the API keeps serving —
every request answered as before, calls and payments recorded, sign-in working (its rate
limit falls back to a per-process count) — and a placement uploaded meanwhile is
accepted (its job trigger is lost). Once Redis is back, the work whose trigger was lost
runs without anyone's help (the worker's sweep), and the worker lives through the outage.
By SQL afterwards: every call and payment answered 201 stored once, nothing half-applied,
the placement loaded.

Needs a Redis of its own to stop: it ignores REDIS_URL.

    python -m scripts.drills.stop_redis [--collectors 20] [--down 20]
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

import httpx

from scripts import load_collectors
from scripts.drills import drillkit
from server.sample_files import new_business_csv

BRISK = (0.05, 0.4)


def drill(
    stack: drillkit.Stack,
    *,
    collectors: int,
    accounts: int,
    before_s: float,
    down_s: float,
    after_s: float,
) -> drillkit.Report:
    report = drillkit.Report("stop Redis under API load")
    api = stack.api()
    world = drillkit.seed_world(
        stack, api, clients=1, accounts_per_client=accounts, collectors=collectors, capacity=200
    )
    worker = stack.worker()
    ledger = load_collectors.Ledger()
    moments: dict[str, float] = {}
    during: dict[str, Any] = {}

    def fault() -> None:
        time.sleep(before_s)
        stack.stop_redis()
        moments["down"] = time.monotonic() - ledger.started
        time.sleep(1.0)
        with httpx.Client(base_url=api.base_url, timeout=30) as http:
            # A new sign-in (its rate limit lives in Redis) and a placement upload (its
            # job trigger goes to Redis) while Redis is away.
            signed_in = http.post(
                "/api/v1/auth/login",
                json={"username": "drill.supervisor", "password": drillkit.PASSWORD},
            )
            during["sign_in"] = signed_in.status_code
            uploaded = http.post(
                "/api/v1/placements",
                params={"client_id": world.client_ids[0], "file_name": "during-outage.csv"},
                content=new_business_csv(500, seed=999, prefix="OUTAGE-"),
                headers={**drillkit.bearer(world.admin_token), "Content-Type": "text/csv"},
            )
            during["upload"] = uploaded.status_code
            during["placement_id"] = uploaded.json().get("placement_id")
        time.sleep(max(0.0, down_s - 1.0))
        stack.start_redis()
        moments["up"] = time.monotonic() - ledger.started
        during["up_at"] = datetime.now(UTC)

    asyncio.run(
        load_collectors.run_load(
            [api.base_url], world.collectors, before_s + down_s + after_s, BRISK,
            ledger=ledger, during=fault,
        )
    )  # fmt: skip
    down, up = moments["down"], moments["up"]
    while_down = [s for s in ledger.samples if down <= s.at <= up]
    failed = [s for s in ledger.samples if s.status == 0 or s.status >= 400]
    report.figure(
        "load",
        f"{collectors} collectors, {len(ledger.samples):,} requests in "
        f"{before_s + down_s + after_s:.0f} s; Redis down {up - down:.1f} s",
    )
    report.figure(
        "while down",
        f"{len(while_down):,} requests, {sum(1 for s in while_down if s.status < 300):,} "
        f"answered 2xx; calls {sum(1 for s in while_down if s.endpoint == 'call')}, "
        f"payments {sum(1 for s in while_down if s.endpoint == 'payment')}; slowest "
        f"{max((s.seconds for s in while_down), default=0) * 1000:.0f} ms; sign-in "
        f"{during.get('sign_in')}, upload {during.get('upload')}",
    )
    report.check(bool(while_down), "no request reached the API while Redis was down")
    report.check(not failed, f"{len(failed)} requests failed: {ledger.errors[:5]}")
    report.check(during.get("sign_in") == 200, "sign-in failed while Redis was down")
    report.check(during.get("upload") == 202, "an upload was refused while Redis was down")
    for error in stack.unhandled_errors():
        report.breaches.append(f"a process logged a 500: {error}")

    placement_id = during.get("placement_id")
    if placement_id is not None:

        def loaded() -> bool:
            status = stack.sql("SELECT status FROM placement WHERE id = $1::uuid", placement_id)
            return bool(status == "loaded")

        try:
            drillkit.wait_until(loaded, "the placement uploaded during the outage", 180, 0.5)
            finished = stack.sql(
                "SELECT finished_at FROM placement WHERE id = $1::uuid", placement_id
            )
            report.figure(
                "placement uploaded during the outage",
                f"loaded {(finished - during['up_at']).total_seconds():.1f} s after Redis was back",
            )
        except drillkit.DrillError as error:
            report.breaches.append(str(error))
    report.check(worker.alive(), f"the worker died during the outage: {worker.tail(600)}")
    report.figure("worker restarts of arq", worker.tail(10_000_000).count("worker.redis_lost"))

    load_collectors.judge(
        report, load_collectors.verify_stack(stack, ledger, world.collectors), ambiguous_ok=False
    )
    return report


def main() -> None:
    drillkit.fault_main("redis", __doc__ or "", drill, stops="redis", down_s=20)


if __name__ == "__main__":
    main()
