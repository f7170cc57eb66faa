"""Every query of remittance: statements, their lines, batch runs.

The lines are computed set-based in SQL (one INSERT … SELECT per client and run), because
a client's movements are many and the batch runs over every client every night; the
arithmetic is `money.py`'s, which the tests compare these queries against.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from server.kit import db, locks
from server.kit.pagination import Keyset, cursor_params, visible_param

# Each client's lock, until the transaction ends, taken in one order (client id).
_LOCK_CLIENTS = """
SELECT pg_advisory_xact_lock($1, hashtext(c::text))
FROM (SELECT DISTINCT unnest($2::uuid[]) AS c ORDER BY 1) ordered
"""


async def lock_clients(client_ids: list[UUID]) -> None:
    """Serializes the batch per client until the transaction ends (parallel runs, a rerun
    racing a crashed one's successor): the second run then sees the first's statements.
    Taken in one order, so two runs over overlapping clients never deadlock."""
    await db.execute(_LOCK_CLIENTS, locks.REMITTANCE, client_ids)


async def hold_client_locks(conn: db.Connection, client_ids: list[UUID]) -> None:
    """Take the clients' batch locks on `conn`, inside its open transaction, as a running
    batch holds them: how drills and tests stop a batch at a client of their choosing."""
    await conn.execute(_LOCK_CLIENTS, locks.REMITTANCE, client_ids)


async def waiting_for_client_locks(conn: db.Connection) -> int:
    """How many sessions wait for a client's batch lock: a batch stopped at a held one."""
    return int(
        await conn.fetchval(
            "SELECT count(*) FROM pg_locks"
            " WHERE locktype = 'advisory' AND classid = $1 AND NOT granted",
            locks.REMITTANCE,
        )
    )


@asynccontextmanager
async def batch_lock() -> AsyncIterator[bool]:
    """Try to hold the batch lock on a connection of its own for the block; yields whether
    this run holds it."""
    async with db.connection() as conn:
        held = bool(
            await conn.fetchval(
                "SELECT pg_try_advisory_lock($1, $2)", locks.REMITTANCE, locks.REMITTANCE_BATCH
            )
        )
        try:
            yield held
        finally:
            if held:
                await conn.execute(
                    "SELECT pg_advisory_unlock($1, $2)", locks.REMITTANCE, locks.REMITTANCE_BATCH
                )


async def batch_running() -> bool:
    return await db.advisory_lock_held(locks.REMITTANCE, locks.REMITTANCE_BATCH)


async def clients_with_payments() -> list[UUID]:
    """Every client that has a payment (reversals are always of one), by a loose index
    scan over payment_client_lines: one probe per client, not a scan of the payments."""
    rows = await db.fetch(
        """
        WITH RECURSIVE c AS (
            (SELECT client_id FROM payment ORDER BY client_id LIMIT 1)
            UNION ALL
            SELECT (SELECT p.client_id FROM payment p WHERE p.client_id > c.client_id
                    ORDER BY p.client_id LIMIT 1)
            FROM c WHERE c.client_id IS NOT NULL
        )
        SELECT client_id FROM c WHERE client_id IS NOT NULL
        """
    )
    return [row["client_id"] for row in rows]


async def last_statements(client_ids: list[UUID]) -> dict[UUID, asyncpg.Record]:
    """The latest statement of each client that has one."""
    rows = await db.fetch(
        """
        SELECT DISTINCT ON (client_id) client_id, id, period_end_date, carried_out_cents
        FROM statement WHERE client_id = ANY ($1::uuid[])
        ORDER BY client_id, period_end_date DESC
        """,
        client_ids,
    )
    return {row["client_id"]: row for row in rows}


# One statement per group of clients and run: which period each pending movement belongs
# to, and its line, in SQL, so three million movements are a few passes and not three
# million rows through Python. `$1`, `$2`, `$4` are the clients, the end (local date) of
# each one's last statement (NULL before the first) and each one's cycle, side by side;
# `$3` the local date of `as_of`: a period has ended by then when its end date is on or
# before it. A client with no statement yet has nothing on one, so its movements are not
# looked up among the issued lines one by one.
#
# - A movement belongs to the period holding its local date (the payment's cleared_on, the
#   reversal's returned_at in the agency's zone), unless that period is already issued:
#   then to the client's next period (`greatest(…, after)`), as a late-recorded movement.
# - A payment is withdrawn when its reversal was returned before the end of the payment's
#   own period: neither appears (money.statement_lines).
# - A reversal's line copies its payment's line with the opposite sign, whether that line
#   is stored (an earlier statement) or issued by this very statement.
# - Every bucket gets a fresh statement id; the statement rows themselves follow from the
#   sums this returns, and are written before the staged lines (add_staged_lines).
# One statement, so one snapshot: a movement committed while this runs is either wholly in
# it or left for the next statement.
_ISSUE_LINES = """
WITH scope AS (
    SELECT * FROM unnest($1::uuid[], $2::date[], $4::text[]) AS s(client_id, after, cycle)
),
payment_pending AS (
    SELECT p.id, p.client_id, p.account_id, p.amount_cents, p.fee_rate_bps, p.paid_to,
           p.cleared_on, remittance_period_end(s.cycle, greatest(p.cleared_on, s.after))
           AS end_date
    FROM scope s JOIN payment p ON p.client_id = s.client_id
    WHERE p.cleared_on < $3 AND s.after IS NULL
    UNION ALL
    SELECT p.id, p.client_id, p.account_id, p.amount_cents, p.fee_rate_bps, p.paid_to,
           p.cleared_on, remittance_period_end(s.cycle, greatest(p.cleared_on, s.after))
    FROM scope s JOIN payment p ON p.client_id = s.client_id
    WHERE p.cleared_on < $3 AND s.after IS NOT NULL
      AND NOT EXISTS (SELECT FROM statement_line l
                      WHERE l.movement_kind = 'payment' AND l.movement_id = p.id)
),
payment_lines AS (
    SELECT 'payment' AS movement_kind, p.id AS movement_id, p.id AS payment_id,
           p.client_id, p.account_id, p.end_date, p.cleared_on AS moved_on,
           CASE p.paid_to WHEN 'agency' THEN 'agency_payment' ELSE 'direct_payment' END AS kind,
           p.fee_rate_bps, p.amount_cents AS collected_cents,
           CASE p.paid_to WHEN 'agency' THEN p.amount_cents ELSE 0 END AS gross_cents,
           (p.amount_cents * p.fee_rate_bps + 5000) / 10000 AS fee_cents
    FROM payment_pending p
    WHERE p.end_date <= $3
      AND NOT EXISTS (SELECT FROM payment_reversal r WHERE r.payment_id = p.id
                      AND (r.returned_at AT TIME ZONE $5)::date < p.end_date)
),
reversal_pending AS (
    SELECT r.id, r.payment_id, r.client_id, r.account_id, d.returned_on,
           remittance_period_end(s.cycle, greatest(d.returned_on, s.after)) AS end_date
    FROM scope s JOIN payment_reversal r ON r.client_id = s.client_id
    CROSS JOIN LATERAL (SELECT (r.returned_at AT TIME ZONE $5)::date AS returned_on) d
    WHERE r.returned_at < $6
      AND (s.after IS NULL OR NOT EXISTS (SELECT FROM statement_line l
                      WHERE l.movement_kind = 'reversal' AND l.movement_id = r.id))
),
reversal_lines AS (
    SELECT 'reversal' AS movement_kind, r.id AS movement_id, r.payment_id, r.client_id,
           r.account_id, r.end_date, r.returned_on AS moved_on, 'reversal' AS kind,
           coalesce(o.fee_rate_bps, n.fee_rate_bps) AS fee_rate_bps,
           -coalesce(o.collected_cents, n.collected_cents) AS collected_cents,
           -coalesce(o.gross_cents, n.gross_cents) AS gross_cents,
           -coalesce(o.fee_cents, n.fee_cents) AS fee_cents
    FROM reversal_pending r
    LEFT JOIN statement_line o ON o.movement_kind = 'payment' AND o.movement_id = r.payment_id
    LEFT JOIN payment_lines n ON n.payment_id = r.payment_id
    WHERE r.end_date <= $3 AND (o.movement_id IS NOT NULL OR n.payment_id IS NOT NULL)
),
all_lines AS (
    SELECT * FROM payment_lines UNION ALL SELECT * FROM reversal_lines
),
bucket AS (
    SELECT client_id, end_date, gen_random_uuid() AS statement_id
    FROM all_lines GROUP BY client_id, end_date
),
staged AS (
    INSERT INTO pending_line (movement_kind, movement_id, statement_id, kind,
        payment_id, account_id, moved_on, fee_rate_bps, collected_cents, gross_cents,
        fee_cents, net_cents)
    SELECT l.movement_kind, l.movement_id, b.statement_id, l.kind, l.payment_id,
        l.account_id, l.moved_on, l.fee_rate_bps, l.collected_cents, l.gross_cents,
        l.fee_cents, l.gross_cents - l.fee_cents
    FROM all_lines l JOIN bucket b USING (client_id, end_date)
)
SELECT b.statement_id, b.client_id, b.end_date, count(*) AS line_count,
       sum(l.collected_cents)::bigint AS collected_cents,
       sum(l.gross_cents)::bigint AS gross_cents, sum(l.fee_cents)::bigint AS fees_cents
FROM all_lines l JOIN bucket b USING (client_id, end_date)
GROUP BY b.statement_id, b.client_id, b.end_date
ORDER BY b.client_id, b.end_date
"""


# A group's lines wait here, in the batch's transaction, until their statements exist.
_CREATE_PENDING = """
CREATE TEMP TABLE IF NOT EXISTS pending_line (LIKE statement_line) ON COMMIT DELETE ROWS
"""
_LINE_COLUMNS = """
    movement_kind, movement_id, statement_id, kind, payment_id, account_id, moved_on,
    fee_rate_bps, collected_cents, gross_cents, fee_cents, net_cents
"""


async def stage_lines(
    clients: list[tuple[UUID, date | None, str]],
    *,
    through: date,
    agency_tz: str,
    as_of: datetime,
) -> list[asyncpg.Record]:
    """Stage the lines of every period that ended by `through` (a local date) of each
    client (id, its last statement's end, its cycle) after that end; one row of sums per
    new statement, by client and period."""
    await db.execute(_CREATE_PENDING)
    # asyncpg prepares the statement once per connection and PostgreSQL turns to a generic
    # plan after five runs; without the cycles and the clients' bounds as constants that
    # plan loses the index ranges. One plan per group and run is cheap.
    await db.execute("SET LOCAL plan_cache_mode = force_custom_plan")
    # Every table this statement reads is reached by the client (payment, payment_reversal)
    # or by a movement id (statement_line's primary key, payment_reversal_once), so an index
    # always serves. The planner's estimates lag behind a big batch — statement_line grows
    # by millions of rows within one run, its statistics say it is small — and a scan of
    # it (or of every reversal) per group makes the run quadratic in the clients.
    await db.execute("SET LOCAL enable_seqscan = off")
    # The penalty on the switched-off scans lifts every cost past the JIT thresholds: where
    # the server has JIT, each group's statement would be compiled and optimized first.
    await db.execute("SET LOCAL jit = off")
    return await db.fetch(
        _ISSUE_LINES,
        [client_id for client_id, _, _ in clients],
        [after for _, after, _ in clients],
        through,
        [cycle for _, _, cycle in clients],
        agency_tz,
        as_of,
    )


async def add_staged_lines() -> None:
    """The staged lines, into statement_line, once their statements are written."""
    await db.execute(
        f"INSERT INTO statement_line ({_LINE_COLUMNS}) SELECT {_LINE_COLUMNS} FROM pending_line"  # noqa: S608
    )


_STATEMENT_INSERT_COLUMNS = (
    "id", "client_id", "cycle", "method", "period_start", "period_end", "period_end_date",
    "line_count", "collected_cents", "gross_cents", "fees_cents", "net_cents",
    "carried_in_cents", "remit_cents", "carried_out_cents", "invoiced_fees_cents",
    "previous_statement_id", "as_of",
)  # fmt: skip


async def insert_statements(rows: list[dict[str, Any]]) -> None:
    async with db.connection() as conn:
        await conn.executemany(
            """
            INSERT INTO statement (id, client_id, cycle, method, period_start, period_end,
                period_end_date, line_count, collected_cents, gross_cents, fees_cents,
                net_cents, carried_in_cents, remit_cents, carried_out_cents,
                invoiced_fees_cents, previous_statement_id, as_of)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                $17, $18)
            """,
            [tuple(r[c] for c in _STATEMENT_INSERT_COLUMNS) for r in rows],
        )


async def record_run(as_of: datetime, started_at: datetime, issued: int) -> None:
    await db.execute(
        """
        INSERT INTO remittance_run (id, as_of, statements_issued, started_at)
        VALUES (gen_random_uuid(), $1, $2, $3)
        """,
        as_of,
        issued,
        started_at,
    )


_RUNS_ORDER = Keyset((("finished_at", "timestamptz"), ("id", "uuid")))


async def list_runs(after: tuple[datetime, UUID] | None, limit: int) -> list[asyncpg.Record]:
    """Finished batch runs, the latest first."""
    return await db.fetch(
        f"""
        SELECT id, as_of, statements_issued, started_at, finished_at FROM remittance_run
        WHERE {_RUNS_ORDER.after(1)}
        {_RUNS_ORDER.order_by}
        LIMIT $3
        """,  # noqa: S608
        *cursor_params(after),
        limit,
    )


async def run_finished_since(moment: datetime) -> bool:
    """Whether a batch run as of `moment` or later has finished."""
    return bool(
        await db.fetchval("SELECT EXISTS (SELECT FROM remittance_run WHERE as_of >= $1)", moment)
    )


_STATEMENT_COLUMNS = """
    s.id, s.client_id, s.cycle, s.method, s.period_start, s.period_end, s.period_end_date,
    s.line_count, s.collected_cents, s.gross_cents, s.fees_cents, s.net_cents,
    s.carried_in_cents, s.remit_cents, s.carried_out_cents, s.invoiced_fees_cents,
    s.previous_statement_id, s.as_of, s.created_at
"""


async def statement(statement_id: UUID) -> asyncpg.Record | None:
    return await db.fetchrow(
        f"SELECT {_STATEMENT_COLUMNS} FROM statement s WHERE s.id = $1",  # noqa: S608
        statement_id,
    )


async def statements_by_id(ids: list[UUID]) -> list[asyncpg.Record]:
    return await db.fetch(
        f"SELECT {_STATEMENT_COLUMNS} FROM statement s WHERE s.id = ANY($1::uuid[])"  # noqa: S608
        " ORDER BY s.client_id, s.period_end",
        ids,
    )


_STATEMENTS_ORDER = Keyset((("s.period_end", "timestamptz"), ("s.id", "uuid")))


async def list_statements(
    visible: frozenset[UUID] | None,
    client_id: UUID | None,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[asyncpg.Record]:
    """Newest period first, then id; `visible` None means every client. By the period,
    not by when issued: one run issues a client's overdue periods together, in one
    transaction, so their `created_at` is one and the same."""
    return await db.fetch(
        f"""
        SELECT {_STATEMENT_COLUMNS} FROM statement s
        WHERE ($1::uuid[] IS NULL OR s.client_id = ANY($1::uuid[]))
          AND ($2::uuid IS NULL OR s.client_id = $2)
          AND {_STATEMENTS_ORDER.after(3)}
        {_STATEMENTS_ORDER.order_by}
        LIMIT $5
        """,  # noqa: S608
        visible_param(visible),
        client_id,
        *cursor_params(after),
        limit,
    )


async def statement_lines(statement_id: UUID) -> list[asyncpg.Record]:
    return await db.fetch(
        """
        SELECT l.movement_kind, l.movement_id, l.kind, l.payment_id, l.account_id, l.moved_on,
               l.fee_rate_bps, l.collected_cents, l.gross_cents, l.fee_cents, l.net_cents,
               p.method, p.received_on, p.cleared_on
        FROM statement_line l JOIN payment p ON p.id = l.payment_id
        WHERE l.statement_id = $1
        ORDER BY l.moved_on, l.movement_kind, l.movement_id
        """,
        statement_id,
    )


async def client_remitted(client_id: UUID) -> asyncpg.Record:
    row = await db.fetchrow(
        """
        SELECT count(*) AS statements, COALESCE(sum(remit_cents), 0) AS remit_cents,
               COALESCE(sum(invoiced_fees_cents), 0) AS invoiced_fees_cents,
               max(period_end) AS last_period_end
        FROM statement WHERE client_id = $1
        """,
        client_id,
    )
    assert row is not None
    return row


_PAYOUT_COLUMNS = (
    "id, statement_id, client_id, method, reference, paid_on, amount_cents, created_at"
)


async def insert_payout(row: dict[str, Any]) -> asyncpg.Record | None:
    """The statement's payout, or None when it has one already (one per statement)."""
    return await db.fetchrow(
        f"""
        INSERT INTO statement_payout (id, statement_id, client_id, method, reference, paid_on,
            amount_cents, created_by, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        ON CONFLICT (statement_id) DO NOTHING
        RETURNING {_PAYOUT_COLUMNS}
        """,  # noqa: S608
        row["id"], row["statement_id"], row["client_id"], row["method"], row["reference"],
        row["paid_on"], row["amount_cents"], row["created_by"], row["created_at"],
    )  # fmt: skip


async def payout_of(statement_id: UUID) -> asyncpg.Record | None:
    return await db.fetchrow(
        f"SELECT {_PAYOUT_COLUMNS} FROM statement_payout WHERE statement_id = $1",  # noqa: S608
        statement_id,
    )


async def payouts_of(statement_ids: list[UUID]) -> list[asyncpg.Record]:
    return await db.fetch(
        f"SELECT {_PAYOUT_COLUMNS} FROM statement_payout"  # noqa: S608
        " WHERE statement_id = ANY($1::uuid[])",
        statement_ids,
    )
