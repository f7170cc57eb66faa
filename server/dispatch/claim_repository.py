"""Every query of a claim: my unheld items, my portfolios' people in no queue, and leases.

Kept apart from the dispatcher's set-based refill (`server.dispatch.repository`): these
read and write a handful of rows per request, under the row locks of the claim's
transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import asyncpg

from server.accounts import service as accounts
from server.kit import db
from server.queues import service as queues

# The common claim in one statement: my best unheld person in calling hours now (in rank
# order, so the hours are evaluated only for the people read), locked as it runs (SKIP
# LOCKED: a claim at the same moment takes the next one) and leased to me on their first
# account, with what the rules need (their accounts' contact rows, read by the accounts
# domain's SQL; their calls, by the queues domain's) and the lease the item held before.
# The rule function then judges what it returns: the lease moves to another account of
# the person (`lease_account`), or is given back as it was (`give_back`), when the rules
# say so. $1 = collector, $2 = now, $3 = the contiguous-US zones, $4 = the lease's
# length. One row per account, in the item's order.
_CLAIM_FIRST = f"""
WITH picked AS (
    SELECT id, debtor_id, account_ids, leased_until, leased_at, leased_account_id
    FROM queue_item
    WHERE collector_id = $1 AND (leased_until IS NULL OR leased_until <= $2)
      AND queue_person_in_hours(debtor_id, $2, $3::varchar[])
    ORDER BY rank, debtor_id
    LIMIT 1
    FOR UPDATE SKIP LOCKED
), leased AS (
    UPDATE queue_item q SET leased_until = $2::timestamptz + $4::interval, leased_at = $2,
        leased_account_id = q.account_ids[1]
    FROM picked p WHERE q.id = p.id
    RETURNING q.leased_until
), contact AS (
    {accounts.contact_rows_sql("(SELECT account_ids FROM picked)::uuid[]")}
), history AS (
    {queues.calls_by_person_sql("(SELECT ARRAY[debtor_id] FROM picked)::uuid[]")}
)
SELECT p.id AS item_id, p.debtor_id AS person, p.account_ids AS item_account_ids,
       p.leased_until AS held_until, p.leased_at AS held_at,
       p.leased_account_id AS held_account_id,
       (SELECT leased_until FROM leased) AS lease_expires_at,
       (SELECT calls FROM history) AS calls, c.*
FROM picked p LEFT JOIN contact c ON true
ORDER BY array_position(p.account_ids, c.id)
"""  # noqa: S608 - the domains' own SQL around expressions of this statement


async def claim_first(
    collector_id: UUID, now: datetime, contiguous: list[str], duration: timedelta
) -> list[asyncpg.Record]:
    return await db.fetch(_CLAIM_FIRST, collector_id, now, contiguous, duration)


@dataclass(frozen=True, slots=True)
class Held:
    """The item `claim_first` leased at `leased_at`, with the lease it had before (given
    back as it was: the queue shows an expired lease's time and account)."""

    item_id: UUID
    leased_at: datetime
    until: datetime | None
    at: datetime | None
    account_id: UUID | None


async def lease_account(held: Held, account_id: UUID) -> datetime | None:
    """The lease `claim_first` took, on another account of the person; None if it ended
    meanwhile (a call recorded on the person, a release)."""
    value = await db.fetchval(
        """
        UPDATE queue_item SET leased_account_id = $3 WHERE id = $1 AND leased_at = $2
        RETURNING leased_until
        """,
        held.item_id,
        held.leased_at,
        account_id,
    )
    return value if isinstance(value, datetime) else None


async def give_back(held: Held) -> None:
    await db.execute(
        """
        UPDATE queue_item SET leased_until = $3, leased_at = $4, leased_account_id = $5
        WHERE id = $1 AND leased_at = $2
        """,
        held.item_id,
        held.leased_at,
        held.until,
        held.at,
        held.account_id,
    )


async def claim(
    collector_id: UUID,
    passed: list[UUID],
    count: int | None,
    now: datetime,
    contiguous: list[str],
    *,
    in_hours_only: bool = False,
) -> list[asyncpg.Record]:
    """The collector's best `count` items (None: all) nobody holds, besides those already
    looked at, those in calling hours now first, locked until the transaction ends. SKIP
    LOCKED: a claim running at the same moment takes the next items instead of waiting."""
    return await db.fetch(
        """
        SELECT id, debtor_id, account_ids FROM queue_item
        WHERE collector_id = $1 AND (leased_until IS NULL OR leased_until <= $4)
          AND NOT (id = ANY ($2::uuid[]))
          AND (NOT $6 OR queue_person_in_hours(debtor_id, $4, $5::varchar[]))
        ORDER BY NOT queue_person_in_hours(debtor_id, $4, $5::varchar[]), rank, debtor_id
        LIMIT $3
        FOR UPDATE SKIP LOCKED
        """,
        collector_id,
        passed,
        count,
        now,
        contiguous,
        in_hours_only,
    )


# The best people of the collector's portfolios in no queue whose calling hours hold now,
# besides those already looked at: what a claim looks at when its queue holds no one
# callable now (the dealing cron runs every few minutes; hours open meanwhile), while the
# queue has room. The same pre-filter and ranks as DEAL. $1 = collector, $2 = now, $3 = the
# contiguous-US zones, $4 = how many, $5 = the people already looked at.
UNQUEUED = """
WITH room AS (
    SELECT u.capacity - (SELECT count(*) FROM queue_item q WHERE q.collector_id = u.id) AS room
    FROM app_user u
    WHERE u.id = $1 AND u.role = 'collector' AND u.active
), workable AS (
    SELECT a.id, a.debtor_id, s.score, s.priority
    FROM collector_portfolio p
    JOIN account a ON a.client_id = p.client_id
    JOIN account_score s ON s.account_id = a.id
    JOIN debtor d ON d.id = a.debtor_id
    WHERE p.user_id = $1 AND queue_status_callable(a.status) AND NOT d.no_telephone
      AND (SELECT room FROM room) > 0
      AND NOT (a.debtor_id = ANY ($5::uuid[]))
      AND NOT EXISTS (SELECT FROM placement pl WHERE pl.id = a.placement_id
                      AND pl.status <> 'loaded')
      AND NOT EXISTS (SELECT 1 FROM queue_item q WHERE q.debtor_id = a.debtor_id)
), best AS (
    SELECT DISTINCT ON (debtor_id) debtor_id, score, priority
    FROM workable
    ORDER BY debtor_id, priority DESC, score DESC, id
)
SELECT b.debtor_id, b.priority, b.score,
       (SELECT array_agg(w.id ORDER BY w.priority DESC, w.score DESC, w.id) FROM workable w
        WHERE w.debtor_id = b.debtor_id) AS account_ids
FROM best b
WHERE queue_person_in_hours(b.debtor_id, $2, $3::varchar[])
ORDER BY b.priority DESC, b.score DESC, b.debtor_id
LIMIT $4
"""


async def unqueued(
    collector_id: UUID, now: datetime, contiguous: list[str], count: int, passed: list[UUID]
) -> list[asyncpg.Record]:
    return await db.fetch(UNQUEUED, collector_id, now, contiguous, count, passed)


async def enqueue(
    collector_id: UUID, person: asyncpg.Record, account_ids: list[UUID], now: datetime
) -> UUID | None:
    """Put a person of my portfolios in my queue; None if someone's queue took them first."""
    value = await db.fetchval(
        """
        INSERT INTO queue_item (id, debtor_id, collector_id, rank, priority, best_score,
            account_ids, queued_at)
        VALUES (gen_random_uuid(), $2, $1, (2 - $3::int) * 10000 + (1000 - $4::int), $3, $4,
                $5, $6)
        ON CONFLICT (debtor_id) DO NOTHING
        RETURNING id
        """,
        collector_id,
        person["debtor_id"],
        person["priority"],
        person["score"],
        account_ids,
        now,
    )
    return value if isinstance(value, UUID) else None


async def lease(item_id: UUID, account_id: UUID, duration: timedelta, now: datetime) -> datetime:
    value = await db.fetchval(
        """
        UPDATE queue_item SET leased_until = $4::timestamptz + $3, leased_at = $4,
            leased_account_id = $2
        WHERE id = $1
        RETURNING leased_until
        """,
        item_id,
        account_id,
        duration,
        now,
    )
    assert isinstance(value, datetime)
    return value


async def release(collector_id: UUID, account_id: UUID, now: datetime) -> bool:
    status = await db.execute(
        """
        UPDATE queue_item SET leased_until = NULL, leased_at = NULL, leased_account_id = NULL
        WHERE collector_id = $1 AND $2 = ANY (account_ids) AND leased_until > $3
        """,
        collector_id,
        account_id,
        now,
    )
    return status != "UPDATE 0"
