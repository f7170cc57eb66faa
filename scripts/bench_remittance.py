"""Remittance benchmark: N movements (payments and ~5 % reversals) over C clients, seeded
with bare SQL (untimed), then our batch (`remittance.run_batch`: per client a lock, one
set-based INSERT … SELECT of its lines, its statements) against a bare `INSERT … SELECT`
of the same lines for every client at once into a copy of the lines table. Runs alternate
A/B on emptied statement tables; medians are quoted. Afterwards: the statements' totals
against a bare GROUP BY of the raw payments, to the cent, and a rerun that issues nothing.

    python -m scripts.bench_remittance [--movements 3000000] [--clients 2000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from datetime import date, datetime, timedelta

import asyncpg

from scripts import benchkit
from server.kit import clock
from server.settlements.remittance.periods import RemittanceCycle, period_containing

# Every movement clears (and every reversal is returned) on or before $3, the last day whose
# daily, weekly and monthly periods have all ended (`last_remitted_day`), so the run owes a
# statement for every movement and the check may compare with all of them.
_SEED = """
INSERT INTO client (id, name, status, fee_rates_bps, remittance_cycle, remittance_method,
                    clearing_days, authority, column_map, created_at, updated_at)
SELECT gen_random_uuid(), 'Bench client ' || i, 'active', '{"primary": 2500}',
       (ARRAY['daily', 'weekly', 'monthly'])[1 + i % 3], (ARRAY['net', 'gross'])[1 + i % 2],
       '{}', '{}', '{}', now(), now()
FROM generate_series(1, $1) i;

INSERT INTO placement (id, client_id, kind, tier, file_name, sha256, byte_size, chunk_count,
                       status, fee_rate_bps, rows_read, rows_accepted, created_at)
SELECT gen_random_uuid(), c.id, 'new_business', 'primary', 'bench.csv', md5(c.id::text) ||
       md5(c.name), 0, 0, 'loaded', 2500, 1, 1, now()
FROM client c;

-- One person per client, its id made from the client's.
INSERT INTO debtor (id, inconvenient_times)
SELECT md5('bench-debtor' || c.id)::uuid, '[]' FROM client c;

INSERT INTO debtor_profile (id, debtor_id, client_id, first_name, last_name, date_of_birth,
                            ssn_last4, address_line1, city, state, zip5, time_zone, emails)
SELECT gen_random_uuid(), md5('bench-debtor' || c.id)::uuid, c.id, 'Bench', c.id::text,
       '1970-01-01', '0000', '1 Main St', 'Columbus', 'OH', '43215', 'America/New_York', '{}'
FROM client c;

INSERT INTO account (id, client_id, placement_id, debtor_id, client_account_number,
    original_creditor, tier, fee_rate_bps, principal_cents, interest_cents, fees_cents,
    placed_balance_cents, balance_cents, delinquency_date, status, status_since, created_at,
    updated_at)
SELECT gen_random_uuid(), c.id, p.id, md5('bench-debtor' || c.id)::uuid, 'B-' || c.id,
       'Original Bank', 'primary', 2500, 100000000, 0, 0, 100000000, 100000000, '2024-01-01',
       'active', now(), now(), now()
FROM client c JOIN placement p ON p.client_id = c.id;
"""

_SEED_PAYMENTS = """
CREATE TEMP TABLE bench_account AS
SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, client_id FROM account;
CREATE UNIQUE INDEX ON bench_account (n);

INSERT INTO payment (id, client_id, account_id, amount_cents, method, paid_to, received_on,
    cleared_on, fee_rate_bps, applied_cents, credit_cents, balance_before_cents,
    balance_after_cents, account_status_after, created_at)
SELECT gen_random_uuid(), a.client_id, a.id, s.amount, 'ach',
       CASE WHEN i % 10 = 0 THEN 'client' ELSE 'agency' END, s.cleared, s.cleared,
       (ARRAY[2500, 3000, 3333, 50])[1 + i % 4], s.amount, 0, s.amount, 0, 'active', now()
FROM generate_series(0::bigint, $1 - 1) i
JOIN bench_account a ON a.n = i % $2
CROSS JOIN LATERAL (SELECT (1 + (i * 7919) % 250000)::bigint AS amount,
    ($3::date - (i % 90)::int) AS cleared) s;

-- A reversal for every twentieth payment, returned 0-9 days after it cleared (some inside
-- its own period: withdrawn; some later: a reversal line), never after $3.
INSERT INTO payment_reversal (id, client_id, account_id, payment_id, amount_cents, reason,
    returned_at, credit_removed_cents, balance_before_cents, balance_after_cents,
    account_status_after, created_at)
SELECT gen_random_uuid(), p.client_id, p.account_id, p.id, p.amount_cents, 'NSF',
       least(p.cleared_on + (hashtext(p.id::text) & 7), $3::date)
           + time '12:00', 0, 0, p.amount_cents, 'active', now()
FROM (SELECT p.*, row_number() OVER (ORDER BY p.id) AS k FROM payment p) p
WHERE p.k % 20 = 0 AND p.k <= $1 / 21 * 20;
"""

# The baseline: the same lines for every client in one statement, nothing issued before, so
# no anti-join against issued lines and no lock, no statement rows.
_BARE = """
INSERT INTO bench_line (movement_kind, movement_id, statement_id, kind, payment_id,
    account_id, moved_on, fee_rate_bps, collected_cents, gross_cents, fee_cents, net_cents)
WITH pl AS (
    SELECT p.*, remittance_period_end(c.remittance_cycle, p.cleared_on) AS end_date,
           CASE p.paid_to WHEN 'agency' THEN p.amount_cents ELSE 0 END AS gross,
           (p.amount_cents * p.fee_rate_bps + 5000) / 10000 AS fee
    FROM payment p JOIN client c ON c.id = p.client_id
    WHERE NOT EXISTS (SELECT FROM payment_reversal r WHERE r.payment_id = p.id
        AND (r.returned_at AT TIME ZONE $1)::date
            < remittance_period_end(c.remittance_cycle, p.cleared_on))
)
SELECT 'payment', id, md5(client_id::text || end_date)::uuid,
       CASE paid_to WHEN 'agency' THEN 'agency_payment' ELSE 'direct_payment' END, id,
       account_id, cleared_on, fee_rate_bps, amount_cents, gross, fee, gross - fee
FROM pl
UNION ALL
SELECT 'reversal', r.id, md5(pl.client_id::text || remittance_period_end(c.remittance_cycle,
       (r.returned_at AT TIME ZONE $1)::date))::uuid, 'reversal', pl.id, pl.account_id,
       (r.returned_at AT TIME ZONE $1)::date, pl.fee_rate_bps, -pl.amount_cents, -pl.gross,
       -pl.fee, pl.fee - pl.gross
FROM pl JOIN payment_reversal r ON r.payment_id = pl.id JOIN client c ON c.id = pl.client_id
"""

# Per client: what the payments no reversal touched are worth (a reversed payment's line and
# its reversal's cancel, and a withdrawn one has neither), against the statements' totals.
_CHECK = """
WITH raw AS (
    SELECT p.client_id, sum(p.amount_cents) AS collected,
           sum(CASE p.paid_to WHEN 'agency' THEN p.amount_cents ELSE 0 END) AS gross,
           sum((p.amount_cents * p.fee_rate_bps + 5000) / 10000) AS fees
    FROM payment p WHERE NOT EXISTS (SELECT FROM payment_reversal r WHERE r.payment_id = p.id)
    GROUP BY p.client_id
), issued AS (
    SELECT client_id, sum(collected_cents) AS collected, sum(gross_cents) AS gross,
           sum(fees_cents) AS fees
    FROM statement GROUP BY client_id
)
SELECT count(*) FILTER (WHERE (r.collected, r.gross, r.fees)
                        IS DISTINCT FROM (i.collected, i.gross, i.fees)) AS mismatched,
       count(*) AS clients
FROM raw r FULL JOIN issued i USING (client_id)
"""


async def _owner() -> asyncpg.Connection:
    """Seeding, the baseline and emptying the append-only tables run as the owner."""
    return await asyncpg.connect(os.environ["DATABASE_URL"])


def last_remitted_day(agency_tz: str, as_of: datetime) -> date:
    """The last agency day all of whose periods, whatever the cycle, ended by `as_of`: the
    day before the earliest start among the periods under way (in December that is the
    Sunday before the week that holds December 1st, not November 30th)."""
    under_way = (period_containing(cycle, agency_tz, as_of).start for cycle in RemittanceCycle)
    return clock.local_date(min(under_way), agency_tz) - timedelta(days=1)


async def _seed(conn: asyncpg.Connection, movements: int, clients: int, agency_tz: str) -> None:
    payments = movements * 20 // 21  # plus one reversal per twenty payments
    last_day = last_remitted_day(agency_tz, clock.now())
    await conn.execute(_SEED.replace("$1", str(int(clients))))
    await conn.execute("SET work_mem = '256MB'")
    for statement in _SEED_PAYMENTS.split(";\n"):
        if statement.strip():
            sql = statement.replace("$1", str(int(payments))).replace("$2", str(clients))
            await conn.execute(sql.replace("$3", f"'{last_day.isoformat()}'"))
    # As autovacuum leaves an insert-only table: the visibility map set, which the batch's
    # index-only reads of a client's payments rely on.
    await conn.execute("VACUUM ANALYZE")
    await conn.execute("CREATE TABLE IF NOT EXISTS bench_line (LIKE statement_line INCLUDING ALL)")


async def _empty(conn: asyncpg.Connection) -> None:
    await conn.execute(
        "TRUNCATE statement_payout, statement, statement_line, remittance_run, bench_line"
    )
    await conn.execute("VACUUM ANALYZE statement_line")


async def _ours() -> tuple[float, int]:
    from server.settlements.remittance import service as remittance

    started = time.perf_counter()
    _, issued = await remittance.run_batch(clock.now())
    return time.perf_counter() - started, len(issued)


async def _bare(conn: asyncpg.Connection) -> tuple[float, int]:
    from server.kit.settings import get_settings

    started = time.perf_counter()
    result = await conn.execute(_BARE, get_settings().agency_timezone)
    return time.perf_counter() - started, int(result.split()[-1])


async def main(args: argparse.Namespace) -> None:
    from server.kit import db
    from server.kit.logging import configure_logging
    from server.kit.settings import get_settings

    configure_logging(get_settings().log_format, get_settings().log_level)
    await db.start_pool(1, 4)
    owner = await _owner()
    try:
        started = time.perf_counter()
        await _seed(owner, args.movements, args.clients, get_settings().agency_timezone)
        seeded = await owner.fetchrow(
            "SELECT (SELECT count(*) FROM payment) AS p, (SELECT count(*) FROM payment_reversal)"
            " AS r"
        )
        assert seeded is not None
        seconds = time.perf_counter() - started
        print(f"seeded {seeded['p']:,} payments + {seeded['r']:,} reversals over "
              f"{args.clients:,} clients in {seconds:.0f} s (untimed)")  # fmt: skip
        ours: list[float] = []
        bare: list[float] = []
        lines: dict[str, int] = {}
        for run in range(args.runs):
            order = ("ours", "bare") if run % 2 == 0 else ("bare", "ours")
            for side in order:
                await _empty(owner)
                seconds, _ = await (_ours() if side == "ours" else _bare(owner))
                (ours if side == "ours" else bare).append(seconds)
                table = "statement_line" if side == "ours" else "bench_line"
                lines[side] = int(await owner.fetchval(f"SELECT count(*) FROM {table}"))
                print(f"  run {run + 1} {side}: {seconds:.2f} s, {lines[side]:,} lines")
        assert lines["ours"] == lines["bare"], lines
        # Ours is checked as it last ran; an odd number of runs ends on the baseline, which
        # emptied the statements first.
        if args.runs % 2 == 1:
            await _empty(owner)
            await _ours()
        check = await owner.fetchrow(_CHECK)
        assert check is not None
        _, rerun = await _ours()
        a, b = benchkit.median(ours), benchkit.median(bare)
        print(f"machine: {benchkit.machine()}")
        print(f"ours  median {a:.2f} s ({lines['ours'] / a:,.0f} lines/s)")
        print(f"bare  median {b:.2f} s ({lines['bare'] / b:,.0f} lines/s)")
        print(f"ratio ours / bare = {a / b:.2f} (target <= 1.5)")
        print(
            f"totals vs bare GROUP BY: {check['mismatched']} of {check['clients']} clients differ"
        )
        print(f"rerun issued {rerun} statements")
        if check["mismatched"] or rerun:
            raise SystemExit(1)
    finally:
        await owner.close()
        await db.close_pool()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movements", type=int, default=3_000_000)
    parser.add_argument("--clients", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    os.environ.update(benchkit.prepare("bench_remittance"))
    asyncio.run(main(arguments))
