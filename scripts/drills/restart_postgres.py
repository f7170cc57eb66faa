"""Drill: restart PostgreSQL under API load.

Collectors work their queues over HTTP at a brisk pace (the load drill's collectors with
short think times) while the drill stops the drill's own PostgreSQL (pg_ctl fast stop:
every connection cut, transactions in flight aborted), keeps it down, and starts it
again. Expected: while it is down every request fails cleanly — 503 with the error body,
never a 500, never a hang; the same API process serves again by itself once it is back;
and by SQL nothing is half-applied (every call with its accounts and verdict, every
payment with its audit event and its effect on the balance), every call and payment
answered 201 is stored, and payments retried with their Idempotency-Key are stored once.

Needs a PostgreSQL of its own to stop: it ignores DATABASE_URL.

    python -m scripts.drills.restart_postgres [--collectors 20] [--down 15]
"""

from __future__ import annotations

import asyncio
import time

from scripts import load_collectors
from scripts.drills import drillkit

BRISK = (0.05, 0.4)
# Requests that may be answered while the database is away: 503, and only 503.
CLEAN_FAILURE = 503


def drill(
    stack: drillkit.Stack,
    *,
    collectors: int,
    accounts: int,
    before_s: float,
    down_s: float,
    after_s: float,
) -> drillkit.Report:
    report = drillkit.Report("restart PostgreSQL under API load")
    api = stack.api()
    world = drillkit.seed_world(
        stack, api, clients=1, accounts_per_client=accounts, collectors=collectors, capacity=200
    )
    api_pid = api.process.popen.pid
    ledger = load_collectors.Ledger()
    moments: dict[str, float] = {}

    def fault() -> None:
        time.sleep(before_s)
        moments["down"] = time.monotonic() - ledger.started
        stack.stop_postgres()
        moments["stopped"] = time.monotonic() - ledger.started
        time.sleep(down_s)
        moments["starting"] = time.monotonic() - ledger.started
        stack.start_postgres()
        moments["up"] = time.monotonic() - ledger.started

    asyncio.run(
        load_collectors.run_load(
            [api.base_url], world.collectors, before_s + down_s + after_s, BRISK,
            ledger=ledger, during=fault,
        )
    )  # fmt: skip
    down, up = moments["stopped"], moments["starting"]
    samples = ledger.samples
    while_down = [s for s in samples if down + 0.5 <= s.at <= up]
    bad = [s for s in samples if s.status not in (200, 201, CLEAN_FAILURE)]
    first_ok = min((s.at for s in samples if s.at > up and s.status < 300), default=None)
    late_failures = [
        s for s in samples if first_ok is not None and s.at > first_ok + 5 and s.status >= 500
    ]
    report.figure(
        "load",
        f"{collectors} collectors, {len(samples):,} requests in "
        f"{before_s + down_s + after_s:.0f} s; PostgreSQL down {up - down:.1f} s",
    )
    report.figure(
        "while down",
        f"{len(while_down):,} requests: "
        f"{sum(1 for s in while_down if s.status == CLEAN_FAILURE):,} × 503, "
        f"other {sorted({s.status for s in while_down if s.status != CLEAN_FAILURE})}; slowest "
        f"{max((s.seconds for s in while_down), default=0) * 1000:.0f} ms",
    )
    report.figure(
        "recovered",
        "never"
        if first_ok is None
        else f"first success {first_ok - up:.1f} s after the start command (PostgreSQL "
        f"ready {moments['up'] - up:.1f} s after it)",
    )
    report.figure(
        "answers other than 200/201/503",
        f"{len(bad)}" + (f": {sorted({(s.endpoint, s.status) for s in bad})}" if bad else ""),
    )
    report.check(not bad, "requests answered other than 200, 201 or 503 (500 or no answer)")
    for error in stack.unhandled_errors():
        report.breaches.append(f"the API logged a 500: {error}")
    report.check(bool(while_down), "no request reached the API while the database was down")
    report.check(
        all(s.status == CLEAN_FAILURE for s in while_down), "a non-503 while the database was down"
    )
    report.check(first_ok is not None, "the API did not serve again")
    report.check(not late_failures, f"{len(late_failures)} failures 5 s after recovering")
    report.check(
        api.process.alive() and api.process.popen.pid == api_pid,
        "the API process did not survive",
    )
    report.figure("payments never answered 201", ledger.payments_unacknowledged)

    load_collectors.judge(
        report, load_collectors.verify_stack(stack, ledger, world.collectors), ambiguous_ok=True
    )
    report.check(ledger.payments_unacknowledged == 0, "a payment never answered 201")
    return report


def main() -> None:
    drillkit.fault_main("pgrestart", __doc__ or "", drill, stops="postgres", down_s=15)


if __name__ == "__main__":
    main()
