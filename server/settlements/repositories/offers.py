"""Offers (settlement arrangements) and their instalments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from server.kit import db
from server.kit.pagination import created_keyset, cursor_params, visible_param

LIVE_OFFER_STATUSES = ("pending_supervisor", "pending_client", "accepted")

_OFFER_COLUMNS = """
    o.id, o.client_id, o.account_id, o.kind, o.amount_cents, o.balance_cents, o.offered_on,
    o.band, o.band_reasons, o.status, o.reason, o.created_by, o.created_at, o.decided_by,
    o.decided_role, o.decided_at, o.decision_reason, o.accepted_at, o.due_on, o.closed_at,
    o.closed_reason, o.updated_at,
    COALESCE((SELECT json_agg(json_build_object('seq', i.seq, 'due_date', i.due_date,
                                                'amount_cents', i.amount_cents)
                              ORDER BY i.seq)::text
              FROM offer_installment i WHERE i.offer_id = o.id), '[]') AS installments,
    (SELECT COALESCE(sum(p.amount_cents), 0) - COALESCE(sum(r.amount_cents), 0)
     FROM payment p LEFT JOIN payment_reversal r ON r.payment_id = p.id
     WHERE p.offer_id = o.id) AS paid_cents
"""


async def count_pending_client(client_id: UUID) -> int:
    return int(
        await db.fetchval(
            "SELECT count(*) FROM offer WHERE client_id = $1 AND status = 'pending_client'",
            client_id,
        )
    )


async def insert_offer(values: dict[str, Any], installments: list[tuple[Any, int]]) -> UUID:
    offer_id: UUID = await db.fetchval(
        """
        INSERT INTO offer (id, client_id, account_id, kind, amount_cents, balance_cents,
            offered_on, band, status, created_by, created_at, accepted_at, due_on, updated_at,
            band_reasons, reason)
        VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8::text, $9,
            now(), -- clock-ok: when the offer was made
            CASE WHEN $8::text = 'accepted' THEN now() END, -- clock-ok: when accepted
            $10, now(), -- clock-ok: the row's write time
            $11::text[], $12)
        RETURNING id
        """,
        values["client_id"], values["account_id"], values["kind"], values["amount_cents"],
        values["balance_cents"], values["offered_on"], values["band"], values["status"],
        values["created_by"], values["due_on"], values["band_reasons"], values["reason"],
    )  # fmt: skip
    if installments:
        # One statement for the whole schedule, however long.
        await db.execute(
            """
            INSERT INTO offer_installment (id, client_id, offer_id, seq, due_date, amount_cents)
            SELECT gen_random_uuid(), $1, $2, s.seq, s.due_date, s.amount_cents
            FROM unnest($3::date[], $4::bigint[]) WITH ORDINALITY
                AS s(due_date, amount_cents, seq)
            """,
            values["client_id"], offer_id, [d for d, _ in installments],
            [a for _, a in installments],
        )  # fmt: skip
    return offer_id


async def offer(offer_id: UUID, *, for_update: bool = False) -> asyncpg.Record | None:
    if for_update:
        # Lock the row first: the columns computed from other tables are read after it.
        await db.execute("SELECT 1 FROM offer WHERE id = $1 FOR UPDATE", offer_id)
    return await db.fetchrow(
        f"SELECT {_OFFER_COLUMNS} FROM offer o WHERE o.id = $1",  # noqa: S608
        offer_id,
    )


async def accepted_offer_of(account_id: UUID) -> UUID | None:
    value: UUID | None = await db.fetchval(
        "SELECT id FROM offer WHERE account_id = $1 AND status = 'accepted'", account_id
    )
    return value


async def live_offer_of(account_id: UUID) -> UUID | None:
    value: UUID | None = await db.fetchval(
        "SELECT id FROM offer WHERE account_id = $1 AND status = ANY($2::text[])",
        account_id,
        list(LIVE_OFFER_STATUSES),
    )
    return value


_OFFERS_ORDER = created_keyset("o")


# $1 the clients visible (NULL: all), $2 a client, $3 an account, $4 a status (each NULL:
# any), $5-$6 the cursor, $7 the limit.
LIST_OFFERS_SQL = f"""
    SELECT {_OFFER_COLUMNS} FROM offer o
    WHERE ($1::uuid[] IS NULL OR o.client_id = ANY($1::uuid[]))
      AND ($2::uuid IS NULL OR o.client_id = $2::uuid)
      AND ($3::uuid IS NULL OR o.account_id = $3::uuid)
      AND ($4::text IS NULL OR o.status = $4::text)
      AND {_OFFERS_ORDER.after(5)}
    {_OFFERS_ORDER.order_by}
    LIMIT $7
"""  # noqa: S608


async def list_offers(
    *,
    visible: frozenset[UUID] | None,
    client_id: UUID | None,
    account_id: UUID | None,
    status: str | None,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[asyncpg.Record]:
    return await db.fetch(
        LIST_OFFERS_SQL,
        visible_param(visible),
        client_id,
        account_id,
        status,
        *cursor_params(after),
        limit,
    )


async def decide_offer(
    offer_id: UUID,
    status: str,
    *,
    actor_id: UUID,
    role: str,
    reason: str | None,
    due_on: date | None,
) -> None:
    await db.execute(
        """
        UPDATE offer SET status = $2::text, decided_by = $3, decided_role = $4,
            decided_at = now(), decision_reason = $5, -- clock-ok: when the offer was decided
            accepted_at = CASE WHEN $2::text = 'accepted' THEN now() END, -- clock-ok: accepted
            due_on = $6, updated_at = now() -- clock-ok: the row's write time
        WHERE id = $1
        """,
        offer_id, status, actor_id, role, reason, due_on,
    )  # fmt: skip


async def extend_due_on(offer_id: UUID, due_on: date) -> asyncpg.Record | None:
    """Move an accepted offer's due date later (never earlier); the row before, or None
    when nothing moved."""
    return await db.fetchrow(
        """
        UPDATE offer o SET due_on = $2, updated_at = now() -- clock-ok: the row's write time
        FROM offer prior
        WHERE o.id = $1 AND prior.id = o.id AND o.status = 'accepted' AND o.due_on < $2
        RETURNING prior.due_on AS due_on_before, o.client_id
        """,
        offer_id, due_on,
    )  # fmt: skip


async def close_offer(offer_id: UUID, status: str, reason: str) -> None:
    await db.execute(
        """
        UPDATE offer SET status = $2,
            closed_at = now(), -- clock-ok: when the offer was closed
            closed_reason = $3, updated_at = now() -- clock-ok: the row's write time
        WHERE id = $1
        """,
        offer_id,
        status,
        reason,
    )


async def withdraw_live_offers(
    conn: db.Connection | None, account_ids: list[UUID], reason: str
) -> list[asyncpg.Record]:
    """Every live offer of the accounts withdrawn with `reason`, in one statement, on
    `conn` or the current transaction: (id, client_id, account_id, status before)."""
    sql = """
        WITH live AS (
            SELECT id, status FROM offer
            WHERE account_id = ANY ($1::uuid[]) AND status = ANY ($2::text[])
            FOR UPDATE
        )
        UPDATE offer o SET status = 'withdrawn',
            closed_at = now(), -- clock-ok: when the offer was closed
            closed_reason = $3, updated_at = now() -- clock-ok: the row's write time
        FROM live WHERE o.id = live.id
        RETURNING o.id, o.client_id, o.account_id, live.status AS status_before
    """
    args = (account_ids, list(LIVE_OFFER_STATUSES), reason)
    if conn is None:
        return await db.fetch(sql, *args)
    return list(await conn.fetch(sql, *args))


async def reopen_offer(offer_id: UUID, reason: str) -> None:
    """A fulfilled offer whose money was reversed is owed again."""
    await db.execute(
        """
        UPDATE offer SET status = 'accepted', closed_at = NULL, closed_reason = $2,
            updated_at = now() -- clock-ok: the row's write time
        WHERE id = $1
        """,
        offer_id,
        reason,
    )


async def lapsed_offers(today: date, only: UUID | None = None) -> list[asyncpg.Record]:
    """Accepted offers past their time, as (id, account_id, kind, missed_due_date,
    grace_days): a plan with an instalment unpaid more than the client's grace days after
    its due date (counting what was paid against the offer toward the instalments in
    order), a lump sum not paid in full by its due date. Set-based: the nightly sweep reads
    every accepted offer at once."""
    return await db.fetch(
        """
        WITH paid AS (
            SELECT p.offer_id, sum(p.amount_cents) - COALESCE(sum(r.amount_cents), 0) AS cents
            FROM payment p LEFT JOIN payment_reversal r ON r.payment_id = p.id
            WHERE p.offer_id IS NOT NULL
            GROUP BY p.offer_id
        ),
        owed AS (
            SELECT i.offer_id, i.due_date,
                   sum(i.amount_cents) OVER (PARTITION BY i.offer_id ORDER BY i.seq) AS cumulative
            FROM offer_installment i JOIN offer o ON o.id = i.offer_id
            WHERE o.status = 'accepted' AND o.kind = 'plan'
        )
        SELECT o.id, o.account_id, o.kind, min(w.due_date) AS missed_due_date, c.grace_days
        FROM offer o
        JOIN client c ON c.id = o.client_id
        JOIN owed w ON w.offer_id = o.id
        LEFT JOIN paid ON paid.offer_id = o.id
        WHERE w.due_date + c.grace_days < $1::date AND w.cumulative > COALESCE(paid.cents, 0)
          AND ($2::uuid IS NULL OR o.id = $2)
        GROUP BY o.id, o.account_id, o.kind, c.grace_days
        UNION ALL
        SELECT o.id, o.account_id, o.kind, o.due_on, c.grace_days
        FROM offer o JOIN client c ON c.id = o.client_id
        LEFT JOIN paid ON paid.offer_id = o.id
        WHERE o.status = 'accepted' AND o.kind = 'lump_sum' AND o.due_on < $1::date
          AND COALESCE(paid.cents, 0) < o.amount_cents AND ($2::uuid IS NULL OR o.id = $2)
        """,
        today,
        only,
    )
