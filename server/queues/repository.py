"""Every query of the queues domain."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

import asyncpg

from server.kit import clock, db, locks
from server.kit.pagination import Keyset, cursor_params, visible_param


async def lock_person(debtor_id: UUID) -> None:
    """Until the transaction ends, no one else records a call for this person: two calls
    recorded at once are each judged with the other in the history."""
    await db.execute(
        "SELECT pg_advisory_xact_lock($1, hashtext($2::uuid::text))", locks.PERSON_CALLS, debtor_id
    )


async def call_version(call_id: UUID) -> asyncpg.Record | None:
    """One version of a call, and whether a later version has replaced it."""
    return await db.fetchrow(
        """
        SELECT c.id, c.chain_id, c.debtor_id, c.started_at, c.duration_s, c.outcome,
               EXISTS (SELECT 1 FROM call n WHERE n.corrects_call_id = c.id) AS corrected,
               array_agg(ca.client_id) AS client_ids
        FROM call c JOIN call_account ca ON ca.call_id = c.id
        WHERE c.id = $1
        GROUP BY c.id
        """,
        call_id,
    )


@dataclass(frozen=True, slots=True)
class NewCall:
    id: UUID
    chain_id: UUID
    corrects_call_id: UUID | None
    account_id: UUID
    client_id: UUID
    debtor_id: UUID
    collector_id: UUID
    phone_e164: str
    direction: str
    started_at: datetime
    duration_s: int
    outcome: str
    notes: str | None
    callback_at: datetime | None


async def insert_call(call: NewCall, accounts: Sequence[tuple[UUID, UUID]]) -> None:
    """The call and the (account, client) pairs it was about."""
    await db.execute(
        """
        INSERT INTO call (id, chain_id, corrects_call_id, account_id, client_id, debtor_id,
            collector_id, phone_e164, direction, started_at, duration_s, outcome, notes,
            callback_at, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
            now()) -- clock-ok: when the call was recorded
        """,
        call.id, call.chain_id, call.corrects_call_id, call.account_id, call.client_id,
        call.debtor_id, call.collector_id, call.phone_e164, call.direction, call.started_at,
        call.duration_s, call.outcome, call.notes, call.callback_at,
    )  # fmt: skip
    await db.execute(
        """
        INSERT INTO call_account (id, call_id, account_id, client_id)
        SELECT gen_random_uuid(), $1, a.account_id, a.client_id
        FROM unnest($2::uuid[], $3::uuid[]) AS a(account_id, client_id)
        """,
        call.id,
        [a for a, _ in accounts],
        [c for _, c in accounts],
    )


async def current_evaluations(call_ids: Sequence[UUID]) -> dict[tuple[UUID, UUID], list[str]]:
    """The newest verdict of each (call version, account)."""
    rows = await db.fetch(
        """
        SELECT DISTINCT ON (call_id, account_id) call_id, account_id, violations
        FROM call_evaluation WHERE call_id = ANY($1::uuid[])
        ORDER BY call_id, account_id, evaluated_at DESC, id DESC
        """,
        list(call_ids),
    )
    return {(r["call_id"], r["account_id"]): list(r["violations"]) for r in rows}


@dataclass(frozen=True, slots=True)
class Evaluation:
    call_id: UUID
    chain_id: UUID
    account_id: UUID
    client_id: UUID
    debtor_id: UUID
    collector_id: UUID
    started_at: datetime
    violations: tuple[str, ...]


async def insert_evaluations(
    evaluations: Sequence[Evaluation], *, cause: str, caused_by: UUID
) -> None:
    """Set-based: one statement for every verdict of a recording. Rule codes hold no
    comma, so each list travels as one comma-joined string."""
    if not evaluations:
        return
    columns = list(zip(*(
        (e.call_id, e.chain_id, e.account_id, e.client_id, e.debtor_id, e.collector_id,
         e.started_at, ",".join(e.violations))
        for e in evaluations
    ), strict=True))  # fmt: skip
    await db.execute(
        """
        INSERT INTO call_evaluation (id, call_id, chain_id, account_id, client_id, debtor_id,
            collector_id, started_at, violations, cause, caused_by_call_id, evaluated_at)
        SELECT gen_random_uuid(), e.call_id, e.chain_id, e.account_id, e.client_id,
               e.debtor_id, e.collector_id, e.started_at,
               coalesce(string_to_array(nullif(e.violations, ''), ','), '{}'), $9, $10,
               clock_timestamp()
        FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::uuid[],
                    $7::timestamptz[], $8::text[])
             AS e(call_id, chain_id, account_id, client_id, debtor_id, collector_id,
                  started_at, violations)
        """,
        *(list(column) for column in columns),
        cause,
        caused_by,
    )


async def insert_promise(
    *,
    call_id: UUID,
    chain_id: UUID,
    account_id: UUID,
    client_id: UUID,
    debtor_id: UUID,
    amount_cents: int | None,
    due_on: date | None,
) -> None:
    await db.execute(
        """
        INSERT INTO promise (id, call_id, chain_id, account_id, client_id, debtor_id,
            amount_cents, due_on, status, created_at, updated_at)
        VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, 'open',
            now(), now()) -- clock-ok: the row's write time
        """,
        call_id, chain_id, account_id, client_id, debtor_id, amount_cents, due_on,
    )  # fmt: skip


async def insert_follow_up(
    *,
    call_id: UUID,
    chain_id: UUID,
    account_id: UUID,
    client_id: UUID,
    debtor_id: UUID,
    due_at: datetime,
) -> None:
    await db.execute(
        """
        INSERT INTO follow_up (id, call_id, chain_id, account_id, client_id, debtor_id, kind,
            due_at, status, created_at)
        VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, 'callback', $6, 'open',
            now()) -- clock-ok: the row's write time
        """,
        call_id, chain_id, account_id, client_id, debtor_id, due_at,
    )  # fmt: skip


async def complete_callbacks(account_ids: list[UUID], chain_id: UUID, until: datetime) -> None:
    """The open callbacks of these accounts asked by other calls, due by `until`, done."""
    await db.execute(
        """
        UPDATE follow_up SET status = 'done'
        WHERE account_id = ANY($1::uuid[]) AND status = 'open' AND chain_id <> $2
          AND due_at <= $3
        """,
        account_ids,
        chain_id,
        until,
    )


async def supersede_open_work(chain_id: UUID) -> None:
    """A corrected call's open promise and follow-up give way to the correction's own."""
    await db.execute(
        """
        UPDATE promise SET status = 'superseded',
            updated_at = now() -- clock-ok: the row's write time
        WHERE chain_id = $1 AND status = 'open'
        """,
        chain_id,
    )
    await db.execute(
        "UPDATE follow_up SET status = 'superseded' WHERE chain_id = $1 AND status = 'open'",
        chain_id,
    )


# Findings by the start of their call, newest first.
_VIOLATION_ORDER = Keyset((("e.started_at", "timestamptz"), ("e.id", "uuid")))


async def list_violations(
    *,
    visible: frozenset[UUID] | None,
    collector_id: UUID | None,
    client_id: UUID | None,
    started_from: datetime | None,
    started_to: datetime | None,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[asyncpg.Record]:
    """Current findings: the newest evaluation of each (current call version, account),
    when it names a rule. Newest call first."""
    return await db.fetch(
        f"""
        SELECT e.id AS evaluation_id, e.call_id, e.chain_id, e.account_id, e.client_id,
               e.collector_id, e.started_at, e.violations AS rules, e.cause, e.evaluated_at,
               c.phone_e164 AS phone, c.direction, c.outcome
        FROM call_evaluation e JOIN call c ON c.id = e.call_id
        WHERE cardinality(e.violations) > 0
          AND ($1::uuid[] IS NULL OR e.client_id = ANY($1::uuid[]))
          AND ($2::uuid IS NULL OR e.collector_id = $2)
          AND ($3::uuid IS NULL OR e.client_id = $3)
          AND ($4::timestamptz IS NULL OR e.started_at >= $4)
          AND ($5::timestamptz IS NULL OR e.started_at < $5)
          AND {_VIOLATION_ORDER.after(6)}
          AND NOT EXISTS (SELECT 1 FROM call n WHERE n.corrects_call_id = e.call_id)
          AND NOT EXISTS (
              SELECT 1 FROM call_evaluation later
              WHERE later.call_id = e.call_id AND later.account_id = e.account_id
                AND (later.evaluated_at, later.id) > (e.evaluated_at, e.id))
        {_VIOLATION_ORDER.order_by}
        LIMIT $8
        """,  # noqa: S608
        visible_param(visible),
        collector_id,
        client_id,
        started_from,
        started_to,
        *cursor_params(after),
        limit,
    )


# The current verdict of a call version `c` for the account of `ca` (empty: none).
_VERDICT_FOR_ACCOUNT = """
    coalesce((SELECT e.violations FROM call_evaluation e
              WHERE e.call_id = c.id AND e.account_id = ca.account_id
              ORDER BY e.evaluated_at DESC, e.id DESC LIMIT 1), '{}') AS violations
"""


# $1 the account, $2 the limit.
RECENT_CALLS_OF_ACCOUNT_SQL = f"""
    SELECT c.id AS call_id, c.chain_id, c.collector_id, c.phone_e164 AS phone, c.direction,
           c.started_at, c.duration_s, c.outcome, c.callback_at, {_VERDICT_FOR_ACCOUNT}
    FROM call_account ca JOIN call c ON c.id = ca.call_id
    WHERE ca.account_id = $1
      AND NOT EXISTS (SELECT 1 FROM call n WHERE n.corrects_call_id = c.id)
    ORDER BY c.started_at DESC, c.id DESC
    LIMIT $2
"""  # noqa: S608


async def recent_calls_of_account(account_id: UUID, limit: int) -> list[asyncpg.Record]:
    """The newest current calls about an account, with their current verdict for it."""
    return await db.fetch(RECENT_CALLS_OF_ACCOUNT_SQL, account_id, limit)


# Every version of every call about the account, newest start first.
_CALLS_OF_ACCOUNT = Keyset((("c.started_at", "timestamptz"), ("c.id", "uuid")))


async def calls_of_account(
    account_id: UUID, after: tuple[datetime, UUID] | None, limit: int
) -> list[asyncpg.Record]:
    """Each version of each call about the account (a call about several accounts of the
    person is listed on each), with the version that corrected it and its current
    verdict for this account."""
    return await db.fetch(
        f"""
        SELECT c.id AS call_id, c.chain_id, c.corrects_call_id,
               (SELECT n.id FROM call n WHERE n.corrects_call_id = c.id) AS corrected_by_call_id,
               c.account_id AS recorded_on_account_id, c.collector_id,
               c.phone_e164 AS phone, c.direction, c.started_at, c.duration_s, c.outcome,
               c.notes, c.callback_at, c.created_at AS recorded_at, {_VERDICT_FOR_ACCOUNT}
        FROM call_account ca JOIN call c ON c.id = ca.call_id
        WHERE ca.account_id = $1 AND {_CALLS_OF_ACCOUNT.after(2)}
        {_CALLS_OF_ACCOUNT.order_by}
        LIMIT $4
        """,  # noqa: S608
        account_id,
        *cursor_params(after),
        limit,
    )


# --- for offers ---


async def close_open_promises(
    status: str, *, account_id: UUID | None = None, promise_id: UUID | None = None
) -> int:
    """Close the open promises of one account, or one promise; how many were closed. The
    time closed is the clock's: the supervisors count promises kept by it."""
    assert account_id is not None or promise_id is not None, "never every promise at once"
    result = await db.execute(
        """
        UPDATE promise SET status = $1, updated_at = $4
        WHERE status = 'open' AND ($2::uuid IS NULL OR account_id = $2)
          AND ($3::uuid IS NULL OR id = $3)
        """,
        status,
        account_id,
        promise_id,
        clock.now(),
    )
    return int(result.split()[-1])


async def open_promises(account_id: UUID | None, due_before: date | None) -> list[asyncpg.Record]:
    return await db.fetch(
        """
        SELECT p.id, p.account_id, p.client_id, p.amount_cents, p.due_on,
               c.started_at AS made_at
        FROM promise p JOIN call c ON c.id = p.call_id
        WHERE p.status = 'open' AND p.amount_cents IS NOT NULL AND p.due_on IS NOT NULL
          AND ($1::uuid IS NULL OR p.account_id = $1)
          AND ($2::date IS NULL OR p.due_on < $2)
        ORDER BY p.due_on, p.id
        """,
        account_id,
        due_before,
    )


# $1 the account, $2 the limit.
PROMISES_OF_ACCOUNT_SQL = """
    SELECT p.id AS promise_id, p.amount_cents, p.due_on, p.status,
           c.started_at AS made_at
    FROM promise p JOIN call c ON c.id = p.call_id
    WHERE p.account_id = $1 AND p.status <> 'superseded'
    ORDER BY p.status <> 'open', p.due_on, c.started_at DESC, p.id
    LIMIT $2
"""


async def promises_of_account(account_id: UUID, limit: int) -> list[asyncpg.Record]:
    """The account's promises: the open ones soonest due first, then the latest closed."""
    return await db.fetch(PROMISES_OF_ACCOUNT_SQL, account_id, limit)


# Work that falls due, soonest first.
_WORK_ORDER = Keyset((("w.due_at", "timestamptz"), ("w.id", "uuid")), ascending=True)


async def work_due(
    collector_id: UUID,
    visible: list[UUID] | None,
    zone: str,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[asyncpg.Record]:
    """The callbacks a collector's calls were asked for and the promises they took, still
    open, on accounts of clients the reader may see. A promise falls due at the start of
    its date in the agency's zone."""
    return await db.fetch(
        f"""
        SELECT w.* FROM (
            SELECT f.id, 'callback' AS kind, f.due_at, NULL::date AS due_on,
                   NULL::bigint AS amount_cents, f.account_id, f.client_id, f.call_id
            FROM follow_up f JOIN call c ON c.id = f.call_id
            WHERE f.status = 'open' AND c.collector_id = $1
            UNION ALL
            SELECT p.id, 'promise', p.due_on::timestamp AT TIME ZONE $3, p.due_on,
                   p.amount_cents, p.account_id, p.client_id, p.call_id
            FROM promise p JOIN call c ON c.id = p.call_id
            WHERE p.status = 'open' AND p.due_on IS NOT NULL AND c.collector_id = $1
        ) w
        WHERE ($2::uuid[] IS NULL OR w.client_id = ANY($2::uuid[])) AND {_WORK_ORDER.after(4)}
        {_WORK_ORDER.order_by}
        LIMIT $6
        """,  # noqa: S608
        collector_id,
        visible,
        zone,
        *cursor_params(after),
        limit,
    )


# --- the supervisors' figures ---

# What the figures are grouped by: whitelisted column names, never a caller's text.
ACTIVITY_GROUPS = {"collector": "c.collector_id", "client": "c.client_id"}


async def call_activity(
    group: str,
    since: datetime,
    until: datetime,
    visible: list[UUID] | None,
    placed: list[str],
    conversations: list[str],
) -> list[asyncpg.Record]:
    """Per collector or client: the calls (current versions) started in [since, until),
    those placed, those that reached the consumer, the promises made on them, and the
    promises kept in the period (judged kept then)."""
    key = ACTIVITY_GROUPS[group]
    return await db.fetch(
        f"""
        WITH made AS (
            SELECT {key} AS key,
                   count(*) FILTER (WHERE c.direction = 'outbound'
                                    AND c.outcome = ANY($4::text[])) AS calls_placed,
                   count(*) FILTER (WHERE c.outcome = ANY($5::text[])) AS right_party_contacts,
                   count(*) FILTER (WHERE c.outcome = 'promise_to_pay') AS promises_made
            FROM call c
            WHERE c.started_at >= $1 AND c.started_at < $2
              AND ($3::uuid[] IS NULL OR c.client_id = ANY($3::uuid[]))
              AND NOT EXISTS (SELECT 1 FROM call n WHERE n.corrects_call_id = c.id)
            GROUP BY 1
        ), kept AS (
            SELECT {key} AS key, count(*) AS promises_kept
            FROM promise p JOIN call c ON c.id = p.call_id
            WHERE p.status = 'kept' AND p.updated_at >= $1 AND p.updated_at < $2
              AND ($3::uuid[] IS NULL OR p.client_id = ANY($3::uuid[]))
            GROUP BY 1
        )
        SELECT COALESCE(made.key, kept.key) AS key,
               COALESCE(calls_placed, 0) AS calls_placed,
               COALESCE(right_party_contacts, 0) AS right_party_contacts,
               COALESCE(promises_made, 0) AS promises_made,
               COALESCE(promises_kept, 0) AS promises_kept
        FROM made FULL JOIN kept ON kept.key = made.key
        """,  # noqa: S608
        since,
        until,
        visible,
        placed,
        conversations,
    )


async def first_conversations_before(
    outcomes: Sequence[str], before: datetime
) -> list[asyncpg.Record]:
    """The accounts whose first call of these outcomes (current versions only) began
    before `before`, and when."""
    return await db.fetch(
        """
        SELECT ca.account_id, min(c.started_at) AS first_at
        FROM call c JOIN call_account ca ON ca.call_id = c.id
        WHERE c.outcome = ANY($1::text[])
          AND NOT EXISTS (SELECT 1 FROM call n WHERE n.corrects_call_id = c.id)
        GROUP BY ca.account_id
        HAVING min(c.started_at) < $2
        """,
        list(outcomes),
        before,
    )
