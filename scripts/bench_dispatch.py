"""Dispatcher benchmark: rescore and refill C collector queues over N open accounts through
our dispatcher, against a bare `INSERT … SELECT` that ranks the same eligible people by
score with a window function and deals them round-robin to the same collectors, up to
capacity. Two runs of ours against the same baseline, each round:

- steady state: a typical day's changes first (untimed) — 5 % of the accounts' facts
  written with SQL the triggers see: balances lowered by a payment, calls recorded, numbers
  found wrong or valid again, statuses changed — then the dispatcher as the cron runs it,
  rescoring only the marked people;
- the daily full pass: every open account rescored (as on the first run of a UTC day; the
  bench makes it so by removing the record of the earlier rescores) and the queues refilled.

Seeding is bare SQL, untimed: 20 clients, N accounts over 0.8 N people (one in four has a
second account), one phone each (5 % found wrong), 95 % of accounts active, C collectors
of capacity 50 each working two clients; calls in the last nine days on 30 % of accounts
(a quarter of them conversations; seven calls on 0.5 %), stated inconvenient times on 2 %
of people, for the dealer's day blocks and stated times. Medians are quoted. The baseline
reads the scores our runs wrote (it does no scoring: that is the point of comparing against
it).

    python -m scripts.bench_dispatch [--accounts 1000000] [--collectors 300] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from typing import Any

import asyncpg

from scripts import benchkit

CLIENTS = 20
CAPACITY = 50

SEED = """
INSERT INTO client (id, name, status, fee_rates_bps, remittance_cycle, remittance_method,
    clearing_days, authority, column_map, created_at, updated_at)
SELECT gen_random_uuid(), 'Bench client ' || g, 'active', '{"primary": 2500}', 'monthly',
    'net', '{}', '{}', '{}', now(), now()
FROM generate_series(1, {clients}) g;

INSERT INTO placement (id, client_id, kind, tier, file_name, sha256, byte_size, chunk_count,
    status, fee_rate_bps, rows_read, rows_accepted, created_at)
SELECT gen_random_uuid(), c.id, 'new_business', 'primary', 'seed.csv', md5(c.id::text), 0, 0,
    'loaded', 2500, 0, 0, now()
FROM client c;

CREATE TEMP TABLE seq_client AS
SELECT row_number() OVER (ORDER BY c.id) - 1 AS n, c.id AS client_id, p.id AS placement_id
FROM client c JOIN placement p ON p.client_id = c.id;

INSERT INTO debtor (id, ssn_hash, inconvenient_times, no_telephone, created_at, updated_at)
SELECT gen_random_uuid(), CASE WHEN g % 3 = 0 THEN NULL ELSE md5('ssn' || g) END,
    '[]', g % 50 = 0, now(), now()
FROM generate_series(1, {people}) g;

CREATE TEMP TABLE seq_debtor AS
SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM debtor;

INSERT INTO debtor_phone (id, debtor_id, e164, kind, status, employer_forbids_calls,
    time_zones, created_at)
SELECT gen_random_uuid(), d.id, '+1614' || lpad((d.n % 10000000)::text, 7, '0'), 'mobile',
    CASE WHEN d.n % 20 = 0 THEN 'wrong_number' ELSE 'valid' END, false,
    ARRAY['America/New_York'], now()
FROM seq_debtor d;

INSERT INTO account (id, client_id, placement_id, debtor_id, client_account_number,
    original_creditor, tier, fee_rate_bps, principal_cents, interest_cents, fees_cents,
    placed_balance_cents, balance_cents, delinquency_date, status, status_since,
    created_at, updated_at)
SELECT gen_random_uuid(), c.client_id, c.placement_id, d.id, 'B' || g, 'Bank', 'primary',
    2500, b, 0, 0, b, b, current_date - (g % 900),
    CASE WHEN g % 20 = 0 THEN 'disputed' ELSE 'active' END, now(), now(), now()
FROM generate_series(0, {accounts} - 1) g
CROSS JOIN LATERAL (SELECT 5000 + (g::bigint * 7919) % 500000 AS b) amounts
JOIN seq_debtor d ON d.n = g % {people}
JOIN seq_client c ON c.n = g % {clients};

-- Each client's profile of each of its people.
INSERT INTO debtor_profile (id, debtor_id, client_id, first_name, last_name, address_line1,
    city, state, zip5, time_zone, emails, supplied_by_placement_id, created_at, updated_at)
SELECT gen_random_uuid(), a.debtor_id, a.client_id, 'First' || d.n, 'Last' || d.n,
    CASE WHEN d.n % 5 = 0 THEN NULL ELSE d.n || ' Main St' END, 'Columbus', 'OH', '43215',
    'America/New_York', '{}', min(a.placement_id::text)::uuid, now(), now()
FROM account a JOIN seq_debtor d ON d.id = a.debtor_id
GROUP BY a.debtor_id, a.client_id, d.n;

INSERT INTO app_user (id, username, password_hash, role, capacity, active, created_at,
    updated_at)
SELECT gen_random_uuid(), 'bench.collector.' || g, 'x', 'collector', {capacity}, true,
    now(), now()
FROM generate_series(1, {collectors}) g;

INSERT INTO collector_portfolio (id, user_id, client_id)
SELECT gen_random_uuid(), u.id, c.client_id
FROM (SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM app_user
      WHERE role = 'collector') u
JOIN seq_client c ON c.n IN (u.n % {clients}, (u.n + 7) % {clients});

-- The last nine days' calls, which the day blocks read: one on three accounts in ten, a
-- conversation one time in four (blocked for 7 days), and seven on one account in 200 (at
-- the 7-in-7 cap); and stated inconvenient times on one person in 50.
CREATE TEMP TABLE bench_call AS
SELECT gen_random_uuid() AS id, a.id AS account_id, a.client_id, a.debtor_id,
    now() - make_interval(days => (h % 9)::int, hours => k) AS started_at,
    CASE WHEN k = 0 AND h % 4 = 0 THEN 'right_party_contact' ELSE 'no_answer' END AS outcome
FROM (SELECT id, client_id, debtor_id, abs(hashtext(id::text)) AS h FROM account) a
CROSS JOIN LATERAL generate_series(0, CASE WHEN a.h % 200 = 0 THEN 6 ELSE 0 END) k
WHERE a.h % 10 < 3;

INSERT INTO call (id, chain_id, account_id, client_id, debtor_id, collector_id, phone_e164,
    direction, started_at, duration_s, outcome, created_at)
SELECT c.id, c.id, c.account_id, c.client_id, c.debtor_id,
    (SELECT id FROM app_user WHERE role = 'collector' LIMIT 1),
    (SELECT e164 FROM debtor_phone p WHERE p.debtor_id = c.debtor_id LIMIT 1),
    'outbound', c.started_at, 60, c.outcome, now()
FROM bench_call c;

INSERT INTO call_account (id, call_id, account_id, client_id)
SELECT gen_random_uuid(), id, account_id, client_id FROM bench_call;

UPDATE debtor SET inconvenient_times = '[{"weekdays": [], "start": "12:00", "end": "14:00"}]'
WHERE abs(hashtext(id::text)) % 50 = 0;

CREATE TABLE bench_queue (debtor_id uuid PRIMARY KEY, collector_id uuid, rank bigint);
"""

# The baseline: the same eligible people (the same pre-filter), best score per person,
# ranked per client with a window function, dealt round-robin to the collectors of that
# client up to their capacity, in one statement.
BARE = """
INSERT INTO bench_queue (debtor_id, collector_id, rank)
WITH best AS (
    SELECT DISTINCT ON (a.debtor_id) a.debtor_id, a.client_id, s.score, s.priority
    FROM account a
    JOIN account_score s ON s.account_id = a.id
    JOIN debtor d ON d.id = a.debtor_id
    WHERE a.status = 'active' AND NOT d.no_telephone
      AND EXISTS (SELECT 1 FROM debtor_phone p WHERE p.debtor_id = a.debtor_id
                  AND p.status = 'valid' AND NOT p.employer_forbids_calls)
    ORDER BY a.debtor_id, s.priority DESC, s.score DESC
), ranked AS (
    SELECT *, row_number() OVER (PARTITION BY client_id
                                 ORDER BY priority DESC, score DESC, debtor_id) - 1 AS r
    FROM best
), coverage AS (
    SELECT p.client_id, p.user_id,
           row_number() OVER (PARTITION BY p.client_id ORDER BY p.user_id) - 1 AS k,
           count(*) OVER (PARTITION BY p.client_id) AS n
    FROM collector_portfolio p
)
SELECT r.debtor_id, c.user_id, r.r
FROM ranked r JOIN coverage c ON c.client_id = r.client_id AND c.k = r.r % c.n
WHERE r.r / c.n < {capacity} / 2
ON CONFLICT (debtor_id) DO NOTHING
"""


# A typical day's changes on 5 % of the accounts, different ones each round ($1): a fifth
# each of payments (twice), statuses changed, numbers flipped between valid and wrong, and
# conversations recorded. Plain SQL as the owner: the triggers mark the people as they
# would for the API's or the loader's writes.
CHANGE = """
CREATE TEMP TABLE bench_changed ON COMMIT DROP AS
SELECT id, debtor_id, client_id, n % 5 AS kind
FROM (SELECT id, debtor_id, client_id, abs(hashtext(id::text || $1::text)) AS n FROM account) a
WHERE n % 100 < 5;

UPDATE account SET balance_cents = greatest(balance_cents - 1000, 0)
WHERE id IN (SELECT id FROM bench_changed WHERE kind IN (0, 1));

UPDATE account SET status = CASE status WHEN 'active' THEN 'disputed' ELSE 'active' END
WHERE id IN (SELECT id FROM bench_changed WHERE kind = 2);

UPDATE debtor_phone
SET status = CASE status WHEN 'valid' THEN 'wrong_number' ELSE 'valid' END
WHERE debtor_id IN (SELECT debtor_id FROM bench_changed WHERE kind = 3);

CREATE TEMP TABLE bench_talk ON COMMIT DROP AS
SELECT gen_random_uuid() AS call_id, id AS account_id, client_id, debtor_id
FROM bench_changed WHERE kind = 4;

INSERT INTO call (id, chain_id, account_id, client_id, debtor_id, collector_id, phone_e164,
    direction, started_at, duration_s, outcome, created_at)
SELECT t.call_id, t.call_id, t.account_id, t.client_id, t.debtor_id,
    (SELECT id FROM app_user WHERE role = 'collector' LIMIT 1),
    (SELECT e164 FROM debtor_phone p WHERE p.debtor_id = t.debtor_id LIMIT 1),
    'outbound', now() - interval '1 hour', 120, 'right_party_contact', now()
FROM bench_talk t;

INSERT INTO call_account (id, call_id, account_id, client_id)
SELECT gen_random_uuid(), call_id, account_id, client_id FROM bench_talk;
"""


async def seed(url: str, accounts: int, collectors: int) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            SEED.replace("{clients}", str(CLIENTS))
            .replace("{people}", str(accounts * 4 // 5))
            .replace("{accounts}", str(accounts))
            .replace("{collectors}", str(collectors))
            .replace("{capacity}", str(CAPACITY))
        )
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


async def change_a_day(url: str, round_no: int) -> int:
    """A day's changes (untimed); how many people they marked."""
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            # One script: asyncpg sends a script without parameters as one simple query.
            await conn.execute(CHANGE.replace("$1::text", f"'{int(round_no)}'"))
        return int(await conn.fetchval("SELECT count(DISTINCT debtor_id) FROM score_stale"))
    finally:
        await conn.close()


async def forget_rescores(url: str) -> None:
    """As on the first run of a UTC day: no rescore of today on record, so the next run
    rescores every open account."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("DELETE FROM score_pass")
    finally:
        await conn.close()


async def ours() -> dict[str, Any]:
    from server.auth.principal import SYSTEM
    from server.dispatch import service as work_queue

    started = time.perf_counter()
    result = await work_queue.dispatch(SYSTEM)
    return {"seconds": time.perf_counter() - started, "scored": result.scored,
            "queued": result.queued}  # fmt: skip


async def bare(url: str) -> dict[str, Any]:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("TRUNCATE bench_queue")
        started = time.perf_counter()
        # Each collector works two clients: half its capacity from each.
        status = await conn.execute(BARE.replace("{capacity}", str(CAPACITY)))
        return {"seconds": time.perf_counter() - started, "queued": int(status.split()[-1])}
    finally:
        await conn.close()


async def run(env: dict[str, str], accounts: int, collectors: int, runs: int) -> None:
    from server.kit import db

    url = env["DATABASE_URL"]
    seeded = time.perf_counter()
    await seed(url, accounts, collectors)
    print(f"seeded in {time.perf_counter() - seeded:.1f} s (untimed)", flush=True)
    await db.start_pool(1, 4)
    try:
        steady: list[dict[str, Any]] = []
        full: list[dict[str, Any]] = []
        theirs: list[dict[str, Any]] = []
        await ours()  # warm-up: the first scores, which the baseline reads
        for i in range(runs):
            marked = await change_a_day(url, i)
            steady.append({**await ours(), "marked_people": marked})
            theirs.append(await bare(url))
            await forget_rescores(url)
            full.append(await ours())
            print(f"round {i + 1}: steady {steady[-1]}, bare {theirs[-1]}, full {full[-1]}",
                  flush=True)  # fmt: skip
    finally:
        await db.close_pool()
    steady_s = benchkit.median([r["seconds"] for r in steady])
    full_s = benchkit.median([r["seconds"] for r in full])
    bare_s = benchkit.median([r["seconds"] for r in theirs])
    print()
    print(f"machine: {benchkit.machine()}, load average {benchkit.load()}")
    print(f"accounts: {accounts:,}, collectors: {collectors} x capacity {CAPACITY}, runs: {runs}")
    print(f"ours, steady state (5 % changed): median {steady_s:.2f} s,"
          f" queued {steady[0]['queued']:,}")  # fmt: skip
    print(f"ours, daily full pass:            median {full_s:.2f} s, queued {full[0]['queued']:,}")
    print(f"bare INSERT ... SELECT:           median {bare_s:.2f} s,"
          f" queued {theirs[0]['queued']:,}")  # fmt: skip
    print(f"ratio steady / bare: {steady_s / bare_s:.2f} (target <= 1.3)")
    print(f"ratio full / bare:   {full_s / bare_s:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--collectors", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    env = benchkit.prepare("agency_bench_dispatch")
    # Our code reads its settings from the environment, once, on first import.
    os.environ.update(env)
    asyncio.run(run(env, args.accounts, args.collectors, args.runs))


if __name__ == "__main__":
    main()
