"""Load and soak: simulated collectors working their queues over HTTP at a human pace.

Each collector has its own sign-in and token (refreshed as the web app would) and works
like a person: next account, a look at it, the pre-call check, the call (recorded with
its outcome), sometimes a settlement offer or a payment, with think time between every
action. Seeded through the real paths (drillkit.seed_world). The report: per endpoint
throughput and p50 / p99 / p99.9 per minute and overall, and every error (status and
body). Afterwards, by SQL: no person leased to two collectors at once, no contact-rule
finding on any call placed through next-account, and every call and payment answered
201 is in the database exactly once.

    python -m scripts.load_collectors [--minutes 10] [--collectors 200]
        [--api-processes 1] [--workers 1] [--accounts-per-client 10000] [--clients 3]
        [--think 2 6]

`--api-processes 2 --workers 2`: two `agency api` processes on two ports (the client
deals requests round-robin between them) and two `agency worker`s, on one PostgreSQL
and one Redis.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import asyncpg
import httpx

from scripts.bench_next import percentile
from scripts.drills import drillkit

# What a collector hears, weighted as in the demo's call history: mostly no one.
OUTCOMES = (
    ("no_answer", 40), ("left_message", 20), ("busy", 5), ("right_party_contact", 17),
    ("promise_to_pay", 8), ("refused", 6), ("third_party", 4),
)  # fmt: skip
CONVERSATIONS = {"right_party_contact", "promise_to_pay", "refused"}
# After a conversation: how often the collector records an offer, and a payment.
P_OFFER = 0.25
P_PAYMENT = 0.35
_DIGITS_TO_LETTERS = str.maketrans("0123456789", "ghijklmnop")
# A request slower than this is a hang, not a slow answer.
REQUEST_TIMEOUT_S = 30.0


@dataclass
class Sample:
    endpoint: str
    status: int
    seconds: float
    at: float


@dataclass
class Ledger:
    """Everything the collectors saw: samples, errors, and what the server acknowledged."""

    started: float = field(default_factory=time.monotonic)
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # (call_id, collector_id, debtor_id) answered 201
    calls: list[tuple[str, str, str]] = field(default_factory=list)
    # (payment_id, idempotency key) answered 201
    payments: list[tuple[str, str]] = field(default_factory=list)
    # Payment attempts never answered 201 (their key: retried until the end of the run).
    payments_unacknowledged: int = 0
    # (debtor_id, collector_id, from, to): a stretch the collector surely held the lease,
    # from the claim's answer to sending the call (inside the server's lease).
    leases: list[tuple[str, str, datetime, datetime]] = field(default_factory=list)
    claims_empty: int = 0
    refused_after_claim: int = 0

    def record(self, endpoint: str, status: int, seconds: float) -> None:
        self.samples.append(Sample(endpoint, status, seconds, time.monotonic() - self.started))


class Endpoints:
    """The API processes, dealt round-robin per request as a tiny load balancer would."""

    def __init__(self, base_urls: list[str], connections: int) -> None:
        # Idle connections are dropped well before uvicorn's 5 s keep-alive ends, so that
        # a request never goes out on a connection the server is closing (a ReadError).
        limits = httpx.Limits(
            max_connections=connections, max_keepalive_connections=connections, keepalive_expiry=2.0
        )
        self.clients = [
            httpx.AsyncClient(base_url=url, limits=limits, timeout=REQUEST_TIMEOUT_S)
            for url in base_urls
        ]
        self._turn = count()

    def next(self) -> httpx.AsyncClient:
        return self.clients[next(self._turn) % len(self.clients)]

    async def close(self) -> None:
        for client in self.clients:
            await client.aclose()


class Worker:
    """One simulated collector."""

    def __init__(
        self,
        who: drillkit.Collector,
        endpoints: Endpoints,
        ledger: Ledger,
        think: tuple[float, float],
        seed: int,
    ) -> None:
        self.who = who
        self.endpoints = endpoints
        self.ledger = ledger
        self.think_range = think
        self.rng = random.Random(seed)

    async def think(self) -> None:
        await asyncio.sleep(self.rng.uniform(*self.think_range))

    async def call(
        self, endpoint: str, method: str, url: str, ok: tuple[int, ...] = (200,), **kw: Any
    ) -> httpx.Response | None:
        headers = {"Authorization": f"Bearer {self.who.token}", **kw.pop("headers", {})}
        started = time.perf_counter()
        try:
            response = await self.endpoints.next().request(method, url, headers=headers, **kw)
        except httpx.HTTPError as error:
            self.ledger.record(endpoint, 0, time.perf_counter() - started)
            self.ledger.errors.append(f"{endpoint}: {type(error).__name__} {error}")
            return None
        self.ledger.record(endpoint, response.status_code, time.perf_counter() - started)
        if response.status_code not in ok:
            self.ledger.errors.append(f"{endpoint}: {response.status_code} {response.text[:300]}")
        return response

    async def refresh_if_due(self) -> None:
        if self.who.expires_at - time.monotonic() > 120:
            return
        response = await self.call(
            "refresh", "POST", "/api/v1/auth/refresh",
            json={"refresh_token": self.who.refresh_token},
        )  # fmt: skip
        if response is not None and response.status_code == 200:
            pair = response.json()
            self.who.token = pair["access_token"]
            self.who.refresh_token = pair["refresh_token"]
            self.who.expires_at = time.monotonic() + int(pair["expires_in"])

    async def run(self, until: float) -> None:
        # Collectors do not all sit down in the same second.
        await asyncio.sleep(self.rng.uniform(0, self.think_range[1]))
        while time.monotonic() < until:
            await self.refresh_if_due()
            await self.one_account(until)

    async def one_account(self, until: float) -> None:
        claimed = await self.call("next", "POST", "/api/v1/queues/me/next")
        if claimed is None or claimed.status_code != 200:
            await self.think()
            return
        account = claimed.json()["account"]
        if account is None:
            self.ledger.claims_empty += 1
            # Nothing callable now: a person would take a longer break.
            await asyncio.sleep(self.rng.uniform(10, 20))
            return
        held_from = datetime.now(UTC)
        account_id = account["account_id"]
        await self.think()
        await self.call("account", "GET", f"/api/v1/accounts/{account_id}")
        checked = await self.call(
            "call-check", "POST", f"/api/v1/accounts/{account_id}/call-check",
            json={"phone": account["phone"]},
        )  # fmt: skip
        if checked is None or checked.status_code != 200 or not checked.json()["allowed"]:
            if checked is not None and checked.status_code == 200:
                self.ledger.refused_after_claim += 1
            await self.call(
                "release", "POST", "/api/v1/queues/me/release", json={"account_id": account_id}
            )
            await self.think()
            return
        started_at = datetime.now(UTC)
        await self.think()  # the call itself
        outcome = self.rng.choices([o for o, _ in OUTCOMES], [w for _, w in OUTCOMES])[0]
        held_to = datetime.now(UTC)
        body = {"phone": account["phone"], "direction": "outbound",
                "started_at": started_at.isoformat(),
                "duration_s": max(1, int((held_to - started_at).total_seconds())),
                "outcome": outcome, "notes": "load drill"}  # fmt: skip
        if outcome == "promise_to_pay":
            # A week ahead: the date is the caller's, whatever the consumer's zone.
            body["promise_amount_cents"] = max(1, account["balance_cents"] // 4)
            body["promise_due_on"] = (held_to + timedelta(days=7)).date().isoformat()
        recorded = await self.call(
            "call", "POST", f"/api/v1/accounts/{account_id}/calls", ok=(201,), json=body
        )
        if recorded is None or recorded.status_code != 201:
            await self.call(
                "release", "POST", "/api/v1/queues/me/release", json={"account_id": account_id}
            )
            await self.think()
            return
        self.ledger.calls.append(
            (recorded.json()["call_id"], self.who.user_id, account["debtor_id"])
        )
        self.ledger.leases.append((account["debtor_id"], self.who.user_id, held_from, held_to))
        if outcome in CONVERSATIONS:
            roll = self.rng.random()
            if roll < P_OFFER:
                await self.think()
                amount = max(1, account["balance_cents"] * 85 // 100)
                await self.call(
                    "offer", "POST", f"/api/v1/accounts/{account_id}/offers", ok=(201,),
                    json={"kind": "lump_sum", "amount_cents": amount},
                )  # fmt: skip
            elif roll < P_OFFER + P_PAYMENT:
                await self.think()
                await self.pay(account_id, until)
        await self.think()

    async def pay(self, account_id: str, until: float) -> None:
        """A payment with its Idempotency-Key, sent again with the same key until it is
        answered 201 (as a client must after a 503): the server records it once."""
        # Letters only: a key holding a digit run that passes the Luhn check is refused
        # (card numbers are refused anywhere in a payment request).
        key = "load-" + uuid.uuid4().hex.translate(_DIGITS_TO_LETTERS)
        body = {
            "amount_cents": self.rng.randrange(2_500, 25_000),
            "method": self.rng.choice(["card", "ach"]),
            "paid_to": "agency",
            "received_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        while True:
            response = await self.call(
                "payment", "POST", f"/api/v1/accounts/{account_id}/payments", ok=(201,),
                json=body, headers={"Idempotency-Key": key},
            )  # fmt: skip
            if response is not None and response.status_code == 201:
                self.ledger.payments.append((response.json()["payment_id"], key))
                return
            retryable = response is None or response.status_code in (503, 429)
            if not retryable or time.monotonic() > until + 60:
                self.ledger.payments_unacknowledged += 1
                return
            await asyncio.sleep(1.0)


async def run_load(
    base_urls: list[str],
    collectors: list[drillkit.Collector],
    seconds: float,
    think: tuple[float, float],
    ledger: Ledger | None = None,
    during: Callable[[], Any] | None = None,
) -> Ledger:
    """Every collector works for `seconds`; `during` (if given) runs in a thread meanwhile
    (a fault drill's fault)."""
    ledger = ledger or Ledger()
    endpoints = Endpoints(base_urls, connections=max(20, len(collectors) * 2))
    until = time.monotonic() + seconds
    try:
        tasks = [
            Worker(who, endpoints, ledger, think, seed=n).run(until)
            for n, who in enumerate(collectors)
        ]
        if during is not None:
            tasks.append(asyncio.to_thread(during))
        await asyncio.gather(*tasks)
    finally:
        await endpoints.close()
    return ledger


# --- the report --------------------------------------------------------------------------


def _ms(values: list[float], q: float) -> str:
    return f"{percentile(values, q) * 1000:.0f}"


def latency_table(ledger: Ledger, seconds: float) -> str:
    """Per endpoint: requests, throughput, p50/p99/p99.9 overall and per minute."""
    by_endpoint: dict[str, list[Sample]] = defaultdict(list)
    for sample in ledger.samples:
        by_endpoint[sample.endpoint].append(sample)
    lines = ["endpoint      requests   req/s   p50 ms  p99 ms  p99.9 ms  errors"]
    for endpoint, samples in sorted(by_endpoint.items()):
        took = [s.seconds for s in samples]
        failed = sum(1 for s in samples if s.status == 0 or s.status >= 400)
        lines.append(
            f"{endpoint:<12} {len(samples):>9,} {len(samples) / seconds:>7.1f} "
            f"{_ms(took, 0.5):>8} {_ms(took, 0.99):>7} {_ms(took, 0.999):>9} {failed:>7}"
        )
    lines.append("per minute (req/s, p50 / p99 / p99.9 ms):")
    minutes = int(seconds // 60) + 1
    for endpoint, samples in sorted(by_endpoint.items()):
        cells = []
        for minute in range(minutes):
            took = [s.seconds for s in samples if minute * 60 <= s.at < (minute + 1) * 60]
            if took:
                span = min(60.0, seconds - minute * 60) or 60.0
                cells.append(
                    f"m{minute + 1} {len(took) / span:.1f}/s {_ms(took, 0.5)}/"
                    f"{_ms(took, 0.99)}/{_ms(took, 0.999)}"
                )
        lines.append(f"  {endpoint:<12} " + "; ".join(cells))
    return "\n".join(lines)


def error_summary(ledger: Ledger) -> str:
    counts: dict[str, int] = defaultdict(int)
    for error in ledger.errors:
        counts[error] += 1
    return "\n".join(f"  {n:>6} x {error}" for error, n in sorted(counts.items()))


# --- after the run, by SQL -----------------------------------------------------------------

_CHECKS = """
WITH lease AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::timestamptz[])
        AS l(debtor_id, collector_id, held_from, held_to)
), ours AS (SELECT DISTINCT collector_id FROM unnest($5::uuid[]) AS o(collector_id))
SELECT
  -- two collectors holding one person at the same moment, as the collectors saw it
  (SELECT count(*) FROM lease a JOIN lease b ON a.debtor_id = b.debtor_id
     AND a.collector_id < b.collector_id
     AND tstzrange(a.held_from, a.held_to) && tstzrange(b.held_from, b.held_to))
     AS double_leases_seen,
  -- the same by what the server stored: two collectors' calls on one person whose
  -- stretches (start of the call .. stored) overlap
  (SELECT count(*) FROM call a JOIN call b ON a.debtor_id = b.debtor_id
     AND a.collector_id < b.collector_id
     AND tstzrange(a.started_at, a.created_at) && tstzrange(b.started_at, b.created_at)
   WHERE a.collector_id IN (SELECT collector_id FROM ours)
     AND b.collector_id IN (SELECT collector_id FROM ours)) AS overlapping_calls,
  (SELECT count(*) FROM call_evaluation e
   WHERE cardinality(e.violations) > 0
     AND e.collector_id IN (SELECT collector_id FROM ours)) AS violations,
  (SELECT string_agg(DISTINCT v, ', ') FROM call_evaluation e, unnest(e.violations) v
   WHERE e.collector_id IN (SELECT collector_id FROM ours)) AS rules_broken,
  (SELECT count(*) FROM call c WHERE c.collector_id IN (SELECT collector_id FROM ours))
     AS calls_stored
"""


# Nothing half-applied: a call without its accounts or its verdict, a payment without its
# audit event or its effect on the balance, two payments under one idempotency key.
_WHOLE = """
SELECT
  (SELECT count(*) FROM call c
   WHERE NOT EXISTS (SELECT FROM call_account ca WHERE ca.call_id = c.id)
      OR NOT EXISTS (SELECT FROM call_evaluation e WHERE e.call_id = c.id)) AS calls_partial,
  (SELECT count(*) FROM payment p
   WHERE NOT EXISTS (SELECT FROM audit_event a WHERE a.entity = 'payment'
                     AND a.entity_id = p.id::text)) AS payments_unaudited,
  (SELECT count(*) FROM account a
   JOIN (SELECT account_id, sum(applied_cents) AS applied FROM payment GROUP BY 1) p
     ON p.account_id = a.id
   WHERE a.balance_cents <> a.placed_balance_cents - p.applied) AS balances_off,
  (SELECT count(*) FROM (SELECT FROM payment WHERE idempotency_key IS NOT NULL
                         GROUP BY idempotency_scope, idempotency_key
                         HAVING count(*) > 1) d) AS keys_twice
"""


async def verify(
    conn: asyncpg.Connection, ledger: Ledger, collector_ids: list[str]
) -> dict[str, Any]:
    leases = ledger.leases
    row = await conn.fetchrow(
        _CHECKS,
        [uuid.UUID(d) for d, _, _, _ in leases],
        [uuid.UUID(c) for _, c, _, _ in leases],
        [f for _, _, f, _ in leases],
        [t for _, _, _, t in leases],
        [uuid.UUID(c) for c in collector_ids],
    )
    assert row is not None
    acked_calls = [uuid.UUID(c) for c, _, _ in ledger.calls]
    acked_payments = [uuid.UUID(p) for p, _ in ledger.payments]
    calls_missing = await conn.fetchval(
        "SELECT count(*) FROM unnest($1::uuid[]) a(id) WHERE NOT EXISTS"
        " (SELECT FROM call c WHERE c.id = a.id)",
        acked_calls,
    )
    payments_missing = await conn.fetchval(
        "SELECT count(*) FROM unnest($1::uuid[]) a(id) WHERE NOT EXISTS"
        " (SELECT FROM payment p WHERE p.id = a.id)",
        acked_payments,
    )
    payments_stored = await conn.fetchval("SELECT count(*) FROM payment")
    whole = await conn.fetchrow(_WHOLE)
    assert whole is not None
    return {
        **dict(row),
        "calls_acknowledged": len(acked_calls),
        "calls_acknowledged_twice": len(acked_calls) - len(set(acked_calls)),
        "calls_missing": calls_missing,
        "payments_acknowledged": len(acked_payments),
        "payments_acknowledged_twice": len(acked_payments) - len(set(acked_payments)),
        "payments_missing": payments_missing,
        "payments_stored": payments_stored,
        **dict(whole),
    }


def verify_stack(
    stack: drillkit.Stack, ledger: Ledger, collectors: list[drillkit.Collector]
) -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        conn = await stack.connect()
        try:
            return await verify(conn, ledger, [c.user_id for c in collectors])
        finally:
            await conn.close()

    return asyncio.run(run())


def judge(report: drillkit.Report, checks: dict[str, Any], *, ambiguous_ok: bool) -> None:
    """The SQL checks as breaches. `ambiguous_ok`: under a fault, a call committed just as
    the database went away may have been answered 503 (it is stored, the collector was
    told to retry); it is counted, not a breach."""
    report.figure(
        "SQL checks",
        f"double leases {checks['double_leases_seen']} (seen) / "
        f"{checks['overlapping_calls']} (overlapping calls); contact-rule findings "
        f"{checks['violations']}; calls 201 {checks['calls_acknowledged']:,}, stored "
        f"{checks['calls_stored']:,}, missing {checks['calls_missing']}; payments 201 "
        f"{checks['payments_acknowledged']:,}, stored {checks['payments_stored']:,}, "
        f"missing {checks['payments_missing']}",
    )
    report.check(checks["double_leases_seen"] == 0, "a person leased to two collectors at once")
    report.check(checks["overlapping_calls"] == 0, "two collectors calling one person at once")
    report.check(checks["violations"] == 0, f"contact-rule findings: {checks['rules_broken']}")
    report.check(checks["calls_missing"] == 0, "a call answered 201 is not stored")
    report.check(checks["calls_acknowledged_twice"] == 0, "a call id answered twice")
    report.check(checks["payments_missing"] == 0, "a payment answered 201 is not stored")
    report.check(checks["payments_acknowledged_twice"] == 0, "a payment id answered twice")
    report.check(
        checks["payments_stored"] == checks["payments_acknowledged"],
        f"{checks['payments_stored']} payments stored for "
        f"{checks['payments_acknowledged']} answered 201",
    )
    report.check(checks["keys_twice"] == 0, "two payments under one idempotency key")
    report.check(checks["calls_partial"] == 0, "a call stored without its accounts or verdict")
    report.check(checks["payments_unaudited"] == 0, "a payment without its audit event")
    report.check(checks["balances_off"] == 0, "a balance that does not match its payments")
    unacknowledged = checks["calls_stored"] - checks["calls_acknowledged"]
    report.figure("calls stored but answered with an error", unacknowledged)
    if not ambiguous_ok:
        report.check(unacknowledged == 0, f"{unacknowledged} calls stored without a 201")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--collectors", type=int, default=200)
    parser.add_argument("--api-processes", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--clients", type=int, default=3)
    parser.add_argument("--accounts-per-client", type=int, default=10_000)
    parser.add_argument("--capacity", type=int, default=100)
    parser.add_argument("--think", type=float, nargs=2, default=(2.0, 6.0))
    args = parser.parse_args()
    seconds = args.minutes * 60
    title = (
        f"load: {args.collectors} collectors, {args.minutes:g} min, "
        f"{args.api_processes} API process(es), {args.workers} worker(s)"
    )
    report = drillkit.Report(title)
    database_url, redis_url = drillkit.servers_from_environment()
    # Each API process keeps its own pool; the collectors' requests wait on it.
    with drillkit.stack(
        "load", database_url=database_url, redis_url=redis_url, DB_POOL_MAX="20"
    ) as stack:
        api = stack.api()
        started = time.monotonic()
        world = drillkit.seed_world(
            stack, api, clients=args.clients, accounts_per_client=args.accounts_per_client,
            collectors=args.collectors, capacity=args.capacity,
        )  # fmt: skip
        report.figure(
            "seeded",
            f"{world.accounts:,} accounts, {len(world.collectors)} collectors, dispatch "
            f"{world.dispatch} in {time.monotonic() - started:.0f} s",
        )
        apis = [api] + [stack.api() for _ in range(args.api_processes - 1)]
        workers = [stack.worker() for _ in range(args.workers)]
        ledger = asyncio.run(
            run_load([a.base_url for a in apis], world.collectors, seconds, tuple(args.think))
        )
        elapsed = time.monotonic() - ledger.started
        for process in [*workers, *(a.process for a in apis)]:
            report.check(process.alive(), f"{process.log.name} died during the run")
        found = verify_stack(stack, ledger, world.collectors)
    requests = len(ledger.samples)
    report.figure(
        "requests",
        f"{requests:,} in {elapsed:.0f} s = {requests / elapsed:.1f}/s; accounts worked "
        f"{len(ledger.calls):,}; empty claims {ledger.claims_empty}; refused at check "
        f"{ledger.refused_after_claim}",
    )
    report.figure("errors", len(ledger.errors))
    report.block(latency_table(ledger, elapsed))
    if ledger.errors:
        report.block("every error:\n" + error_summary(ledger))
    report.check(not ledger.errors, f"{len(ledger.errors)} requests failed")
    judge(report, found, ambiguous_ok=False)
    report.exit()


if __name__ == "__main__":
    main()
