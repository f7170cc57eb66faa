"""Every query of scores and work queues.

Set-based SQL on purpose: the dispatcher rescores every open account and refills every
queue in a handful of statements over a million rows, which row-at-a-time code could not
do in the time a refill cron has.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from server.kit import db, locks
from server.kit.pagination import Keyset, cursor_params
from server.queues.rules import frequency

DISPATCH_WORK_MEM = "64MB"


async def lock_dispatch() -> None:
    await db.execute("SELECT pg_advisory_xact_lock($1)", locks.DISPATCH)
    # Rescoring and ranking sort and hash every open account: with the default 4 MB they
    # spill to disk in many batches.
    await db.execute(f"SET LOCAL work_mem = '{DISPATCH_WORK_MEM}'")
    # Every join here spans all open accounts, so hash joins are right whatever the
    # statistics say. The first rescore finds account_score analyzed empty: planned as a
    # nested loop, the check for an existing score rescans the table the same statement
    # fills, once per account, and a million accounts take hours.
    await db.execute("SET LOCAL enable_nestloop = off")
    # With a plan kind switched off every cost carries PostgreSQL's penalty for it, far past
    # the JIT thresholds: where the server has JIT, it compiled and optimized each statement
    # for longer than the statement ran (1.4 s of reach's 2.3 s at 100,000 accounts).
    await db.execute("SET LOCAL jit = off")


async def stage_queues(now: datetime) -> None:
    """The queues as the refill deals them: a table of the transaction's own that starts
    with the held items (they stay with their collector until the lease ends); the items
    nobody holds are dealt again from fresh scores. The live queues are not touched until
    `swap_queues`, so claims and calls never wait on the refill's long work."""
    await db.execute(
        "CREATE TEMP TABLE dispatch_queue (LIKE queue_item INCLUDING DEFAULTS) ON COMMIT DROP"
    )
    await db.execute("CREATE UNIQUE INDEX ON dispatch_queue (debtor_id)")
    await db.execute(
        "INSERT INTO dispatch_queue SELECT * FROM queue_item WHERE leased_until > $1", now
    )


async def swap_queues(now: datetime) -> None:
    """The dealt queues in place of the unheld items, last in the refill's transaction, so
    the rows it locks are held only for these two statements. What changed while dealing
    wins: a person leased meanwhile stays with whoever holds them; one whose call was
    recorded since the refill began (by the database's clock, which dates the calls), or
    with no account left in collection, is not queued again."""
    await db.execute("DELETE FROM queue_item WHERE leased_until IS NULL OR leased_until <= $1", now)
    await db.execute(
        """
        INSERT INTO queue_item (id, debtor_id, collector_id, rank, priority, best_score,
            account_ids, queued_at)
        SELECT d.id, d.debtor_id, d.collector_id, d.rank, d.priority, d.best_score,
            d.account_ids, d.queued_at
        FROM dispatch_queue d
        WHERE d.leased_until IS NULL
          -- Recorded since this refill's transaction began: after what it dealt from.
          AND NOT EXISTS (SELECT FROM call c WHERE c.debtor_id = d.debtor_id
                          AND c.created_at >= transaction_timestamp()) -- clock-ok: the snapshot
          AND EXISTS (SELECT FROM account a WHERE a.id = ANY (d.account_ids)
                      AND queue_status_callable(a.status))
        ON CONFLICT (debtor_id) DO NOTHING
        """
    )


# One round of dealing. The pre-filter (queue_status_callable, no telephone,
# queue_phone_callable) drops what the rules plainly refuse; the rules decide at claim
# time. Only accounts of a loaded placement are dealt: not one still loading, nor one
# held for the client's confirmation (its balances may be 100× the debt), nor one the
# client cancelled. Each person's best account names their client; the people of a
# client, ranked by reach (in calling hours now, within the next hour, later), then
# priority and score, are dealt round-robin across the collectors covering that client
# who still have room, in serpentine order (slot r div n; collector r mod n on even slots,
# n − 1 − r mod n on odd ones), so queues come out even in count and in balance, and
# whoever is callable soonest is dealt first: at any hour the queues hold the people
# callable then. A collector
# covering several clients keeps, slot by slot, as many as its room. A person a full
# collector could not take is dealt in the next round among those with room left.
# `rank` = reach × 100000 + (2 − priority) × 10000 + (1000 − score): lower first.
# Each person's reach is worked out once per refill (`REACH`), not once per round.
DEAL = """
WITH reach AS (
    SELECT debtor_id, reach FROM dispatch_reach
), collectors AS (
    SELECT u.id, u.capacity - coalesce(q.held, 0) AS room
    FROM app_user u
    LEFT JOIN (SELECT collector_id, count(*) AS held FROM dispatch_queue GROUP BY collector_id) q
           ON q.collector_id = u.id
    WHERE u.role = 'collector' AND u.active AND coalesce(u.capacity, 0) > 0
), coverage AS (
    SELECT p.client_id, p.user_id, c.room,
           row_number() OVER (PARTITION BY p.client_id ORDER BY p.user_id) - 1 AS k,
           count(*) OVER (PARTITION BY p.client_id) AS n
    FROM collector_portfolio p JOIN collectors c ON c.id = p.user_id
    WHERE c.room > 0
), covered AS (
    SELECT client_id, min(n) AS n, max(room) AS most_room FROM coverage GROUP BY client_id
), workable AS (
    SELECT a.id, a.debtor_id, a.client_id, s.score, s.priority, re.reach
    FROM account a
    JOIN covered cc ON cc.client_id = a.client_id
    JOIN account_score s ON s.account_id = a.id
    JOIN reach re ON re.debtor_id = a.debtor_id
    WHERE queue_status_callable(a.status)
      AND NOT EXISTS (SELECT FROM placement pl WHERE pl.id = a.placement_id
                      AND pl.status <> 'loaded')
      AND NOT EXISTS (SELECT 1 FROM dispatch_queue q WHERE q.debtor_id = a.debtor_id)
), best AS (
    SELECT DISTINCT ON (debtor_id) debtor_id, client_id, score, priority, reach
    FROM workable
    ORDER BY debtor_id, priority DESC, score DESC, id
), ranked AS (
    SELECT b.*, cc.n, cc.most_room,
           row_number() OVER (PARTITION BY b.client_id
                              ORDER BY reach, priority DESC, score DESC, debtor_id) - 1 AS r
    FROM best b JOIN covered cc ON cc.client_id = b.client_id
), placed AS (
    -- Only slots some collector of the client has room for: at a million accounts, most
    -- people rank far below what the queues hold.
    SELECT debtor_id, client_id, reach, priority, score, r / n AS slot,
           CASE WHEN (r / n) % 2 = 0 THEN r % n ELSE n - 1 - r % n END AS k
    FROM ranked WHERE r / n < most_room
), dealt AS (
    SELECT p.debtor_id, c.user_id AS collector_id, c.room, p.reach, p.priority, p.score,
           p.slot
    FROM placed p JOIN coverage c ON c.client_id = p.client_id AND c.k = p.k
    WHERE p.slot < c.room
), kept AS (
    SELECT d.*, row_number() OVER (PARTITION BY d.collector_id
                                   ORDER BY d.slot, d.reach, d.priority DESC, d.score DESC,
                                            d.debtor_id) AS pos
    FROM dealt d
), chosen AS (
    SELECT * FROM kept WHERE pos <= room
)
INSERT INTO dispatch_queue (id, debtor_id, collector_id, rank, priority, best_score,
    account_ids, queued_at)
SELECT gen_random_uuid(), ch.debtor_id, ch.collector_id,
       ch.reach * 100000 + (2 - ch.priority) * 10000 + (1000 - ch.score), ch.priority, ch.score,
       array_agg(a.id ORDER BY s.priority DESC, s.score DESC, a.id),
           now() -- clock-ok: row's write time
FROM chosen ch
JOIN account a ON a.debtor_id = ch.debtor_id AND queue_status_callable(a.status)
    AND NOT EXISTS (SELECT FROM placement pl WHERE pl.id = a.placement_id
                    AND pl.status <> 'loaded')
JOIN account_score s ON s.account_id = a.id
JOIN collector_portfolio p ON p.user_id = ch.collector_id AND p.client_id = a.client_id
GROUP BY ch.debtor_id, ch.collector_id, ch.reach, ch.priority, ch.score
ON CONFLICT (debtor_id) DO NOTHING
"""


# Each dialable person's reach for this refill: 0 callable now, 1 at some moment of the
# next hour, 2 later, by the moments (`instants`: now, then the next hour's) at which the
# calling hours hold on one of their numbers, that are outside the times they said are
# inconvenient and past Regulation F's day blocks. The hours are worked out once per
# distinct set of zones (a few dozen), not per person, as a bit per instant; every
# number's zones are read only for the few people without an address. Stated times and
# day blocks are read only for the people who have them (`DAY_BLOCKS`), on one zone of
# those the rules consider (the address's, else a number's: a stated time holding there,
# or a block read there, holds in every zone considered). Kept in a table of the
# transaction's own, which every round of dealing reads.
# $1 = now, $2 = the contiguous-US zones, $3 = the instants (now first), $4-$6 the day
# blocks' numbers (`DAY_BLOCKS`).
REACH = """
INSERT INTO dispatch_reach (debtor_id, reach)
WITH dial AS (
    -- Every number's zones are read only for the few people without an address. A stated
    -- time on a clock the consumer named (`zone`) is left to the rule function: read here
    -- on another zone's clock it could block more than the rules do, never allowed.
    SELECT p.debtor_id, p.e164,
           jsonb_path_query_array(d.inconvenient_times, '$[*] ? (!exists(@.zone))') AS wishes,
           queue_dial_zones(coalesce(ad.zones, '{}'), p.time_zones,
                            CASE WHEN ad.zones IS NULL THEN
                                (SELECT coalesce(array_agg(DISTINCT z), '{}')
                                 FROM debtor_phone q, unnest(q.time_zones) z
                                 WHERE q.debtor_id = p.debtor_id)
                            END,
                            $2::varchar[]) AS zones
    FROM debtor_phone p
    JOIN debtor d ON d.id = p.debtor_id
    -- Every address's zone, of every client's profile of the person (sorted, so people
    -- with the same zones share a set below).
    LEFT JOIN (SELECT debtor_id, array_agg(DISTINCT time_zone ORDER BY time_zone) AS zones
               FROM debtor_address WHERE time_zone IS NOT NULL
               GROUP BY debtor_id) ad ON ad.debtor_id = p.debtor_id
    WHERE queue_phone_callable(p.status, p.employer_forbids_calls) AND NOT d.no_telephone
), zone_sets AS MATERIALIZED (
    SELECT z.zones, sum(CASE WHEN queue_hours_open(z.zones, i.t) THEN 1 << (i.k::int - 1)
                        ELSE 0 END)::integer AS open_mask
    FROM (SELECT DISTINCT zones FROM dial) z, unnest($3::timestamptz[]) WITH ORDINALITY i(t, k)
    GROUP BY z.zones
), hours AS (
    SELECT d.debtor_id, bit_or(s.open_mask) AS mask
    FROM dial d JOIN zone_sets s ON s.zones = d.zones
    GROUP BY d.debtor_id
), wished AS (
    SELECT DISTINCT debtor_id, wishes FROM dial WHERE wishes <> '[]'::jsonb
), {day_blocks}, held AS (
    SELECT coalesce(w.debtor_id, b.debtor_id) AS debtor_id, w.wishes, b.clear_at
    FROM wished w FULL JOIN blocked b ON b.debtor_id = w.debtor_id
), person_zone AS (
    SELECT debtor_id, min(zones[1]) AS zone FROM dial
    WHERE debtor_id IN (SELECT debtor_id FROM held) GROUP BY debtor_id
), allowed AS (
    -- The instants past each held person's day blocks and outside their stated times.
    SELECT e.debtor_id, coalesce(sum(1 << (i.k::int - 1)), 0)::integer AS mask
    FROM held e
    JOIN person_zone z ON z.debtor_id = e.debtor_id
    CROSS JOIN unnest($3::timestamptz[]) WITH ORDINALITY i(t, k)
    WHERE (e.clear_at IS NULL OR e.clear_at <= i.t)
      AND (e.wishes IS NULL OR NOT dispatch_inconvenient(e.wishes, z.zone, i.t))
    GROUP BY e.debtor_id
), masked AS (
    SELECT h.debtor_id,
           CASE WHEN e.debtor_id IS NULL THEN h.mask ELSE h.mask & coalesce(a.mask, 0) END
               AS mask
    FROM hours h
    LEFT JOIN held e ON e.debtor_id = h.debtor_id
    LEFT JOIN allowed a ON a.debtor_id = h.debtor_id
)
SELECT debtor_id, CASE WHEN mask & 1 = 1 THEN 0 WHEN mask > 0 THEN 1 ELSE 2 END
FROM masked
"""

# Regulation F's day blocks (server.queues.rules.frequency), for the people called in the
# last days the blocks span (two more for the zones' offsets): the instant each person's
# last block ends, when every open account of theirs is blocked. An account is blocked to
# the local midnight $4 (7) days after the date of its last conversation
# (1006.14(b)(2)(i)(B)), and while its $5 (7) most recent placed calls fall in $6 (7)
# days (1006.14(b)(2)(i)(A)). What the rules block, or less, never more: the dates are
# read on one zone (`dial`'s first: the address's, else a number's) of those the rules
# consider, and only calls about the account itself, to numbers still dialable and never
# found to be a stranger's, are counted; an account with a consent given on a call in
# those days (1006.14(b)(3)(i)) is taken as unblocked. Reads `dial`; $1 = now.
DAY_BLOCKS = """
recent AS (
    SELECT ca.account_id, c.debtor_id, c.started_at, c.outcome, c.direction, c.phone_e164,
           c.callback_at
    FROM call c JOIN call_account ca ON ca.call_id = c.id
    WHERE c.started_at > $1::timestamptz - make_interval(days => greatest($4::int, $6::int) + 2)
      AND c.started_at < $1
      AND NOT EXISTS (SELECT 1 FROM call n WHERE n.corrects_call_id = c.id)
), recent_zone AS (
    SELECT debtor_id, min(zones[1]) AS zone FROM dial
    WHERE debtor_id IN (SELECT debtor_id FROM recent) GROUP BY debtor_id
), dialable AS (
    SELECT DISTINCT debtor_id, e164 FROM dial WHERE debtor_id IN (SELECT debtor_id FROM recent)
), strangers AS (
    SELECT DISTINCT debtor_id, phone_e164 FROM recent WHERE outcome = 'wrong_number'
), counted AS (
    SELECT r.account_id, r.debtor_id, r.started_at, r.outcome, r.callback_at,
           r.direction = 'outbound' AND dn.e164 IS NOT NULL AND s.phone_e164 IS NULL
           AND r.outcome IN ('no_answer', 'left_message', 'third_party', 'right_party_contact',
                             'promise_to_pay', 'refused', 'dispute', 'cease_request',
                             'callback') AS placed
    FROM recent r
    LEFT JOIN dialable dn ON dn.debtor_id = r.debtor_id AND dn.e164 = r.phone_e164
    LEFT JOIN strangers s ON s.debtor_id = r.debtor_id AND s.phone_e164 = r.phone_e164
), per_account AS (
    SELECT r.account_id, z.zone,
           max((r.started_at AT TIME ZONE z.zone)::date) FILTER (
               WHERE r.outcome IN ('right_party_contact', 'promise_to_pay', 'refused',
                                   'dispute', 'cease_request', 'callback')) AS talked_on,
           (array_agg((r.started_at AT TIME ZONE z.zone)::date ORDER BY r.started_at DESC)
               FILTER (WHERE r.placed))[$5::int] AS seventh_on,
           bool_or(r.callback_at IS NOT NULL) AS consented
    FROM counted r JOIN recent_zone z ON z.debtor_id = r.debtor_id
    GROUP BY r.account_id, z.zone
), account_clear AS (
    SELECT account_id,
           (greatest(talked_on + $4::int, seventh_on + $6::int)::timestamp AT TIME ZONE zone)
               AS clear_at
    FROM per_account WHERE NOT consented
), blocked AS (
    SELECT a.debtor_id, min(coalesce(b.clear_at, '-infinity')) AS clear_at
    FROM account a LEFT JOIN account_clear b ON b.account_id = a.id
    WHERE a.debtor_id IN (SELECT debtor_id FROM recent) AND queue_status_callable(a.status)
    GROUP BY a.debtor_id
    HAVING min(coalesce(b.clear_at, '-infinity')) > $1
)
"""


REACH = REACH.replace("{day_blocks}", DAY_BLOCKS.strip())


async def work_out_reach(now: datetime, contiguous: list[str], soon: list[datetime]) -> None:
    await db.execute(
        "CREATE TEMP TABLE dispatch_reach (debtor_id uuid NOT NULL, reach smallint NOT NULL)"
        " ON COMMIT DROP"
    )
    await db.execute(
        REACH,
        now,
        contiguous,
        [now, *soon],
        frequency.CONVERSATION_QUIET_DAYS,
        frequency.REG_F_CAP.max_calls,
        frequency.REG_F_CAP.days,
    )
    await db.execute("ANALYZE dispatch_reach")


async def deal_round() -> int:
    status = await db.execute(DEAL)
    return int(status.split()[-1])


async def queued_count() -> int:
    return int(await db.fetchval("SELECT count(*) FROM queue_item"))


async def collector(user_id: UUID) -> asyncpg.Record | None:
    return await db.fetchrow(
        "SELECT id, capacity, active FROM app_user WHERE id = $1 AND role = 'collector'",
        user_id,
    )


QUEUE_ORDER = Keyset((("q.rank", "integer"), ("q.debtor_id", "uuid")), ascending=True)


async def queue_of(
    collector_id: UUID, after: tuple[int, UUID] | None = None, limit: int | None = None
) -> list[asyncpg.Record]:
    """The collector's queue in rank order, from after `after`, at most `limit` items
    (None: all of them)."""
    return await db.fetch(
        f"""
        SELECT q.debtor_id, q.rank, q.priority, q.best_score, q.account_ids, q.leased_until,
               q.leased_account_id, q.queued_at
        FROM queue_item q WHERE q.collector_id = $1 AND {QUEUE_ORDER.after(3)}
        {QUEUE_ORDER.order_by}
        LIMIT $2
        """,  # noqa: S608 - the keyset's SQL is the module's own constant
        collector_id,
        limit,
        *cursor_params(after),
    )


async def queue_depths(now: datetime) -> list[asyncpg.Record]:
    """Per collector: the people in their queue, and those leased to them at `now`."""
    return await db.fetch(
        """
        SELECT collector_id, count(*) AS queued,
               count(*) FILTER (WHERE leased_until > $1) AS leased
        FROM queue_item GROUP BY collector_id
        """,
        now,
    )


async def scores_of(account_ids: list[UUID]) -> list[asyncpg.Record]:
    return await db.fetch(
        """
        SELECT s.*, a.client_id, a.balance_cents FROM account_score s
        JOIN account a ON a.id = s.account_id
        WHERE s.account_id = ANY ($1::uuid[])
        """,
        account_ids,
    )


SCORE_OF_SQL = "SELECT * FROM account_score WHERE account_id = $1"


async def score_of(account_id: UUID) -> asyncpg.Record | None:
    return await db.fetchrow(SCORE_OF_SQL, account_id)
