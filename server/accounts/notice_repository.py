"""The queries of validation notices: the accounts due one, where a notice is mailed to,
and the dates the letter vendor's mailing sets."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

import asyncpg

from server.kit import db

# What a notice's itemization is made from (letters.service.notice_data).
_ITEMIZATION = """
    SELECT a.id AS account_id, a.client_id, a.client_account_number, a.original_creditor,
        a.principal_cents, a.interest_cents, a.fees_cents, a.placed_balance_cents,
        a.balance_cents, a.charge_off_date, a.last_payment_date, a.itemization_date,
        a.itemization_balance_cents, a.interest_since_itemization_cents,
        a.fees_since_itemization_cents, a.payments_since_itemization_cents,
        a.creditor_on_itemization_date, a.current_creditor,
        c.itemization_date AS client_itemization_date
    FROM account a JOIN client c ON c.id = a.client_id
"""


async def notice_candidates() -> list[asyncpg.Record]:
    """Accounts in collection with no validation period running: never noticed, or their
    last notice void or returned."""
    return await db.fetch(
        _ITEMIZATION
        + """
        WHERE a.status = 'active' AND a.validation_period_ends_on IS NULL
        ORDER BY a.created_at, a.id
        """
    )


async def itemization_facts(account_ids: Sequence[UUID]) -> list[asyncpg.Record]:
    """The same facts of these accounts, whatever their status (a verification letter
    itemizes the debt as the notice does)."""
    return await db.fetch(_ITEMIZATION + "WHERE a.id = ANY($1::uuid[])", list(account_ids))


async def mailing_addresses(account_ids: Sequence[UUID]) -> list[asyncpg.Record]:
    return await db.fetch(
        """
        SELECT a.id AS account_id, d.first_name, d.last_name,
            (CASE WHEN w.learned THEN l.address_line1 ELSE d.address_line1 END) AS address_line1,
            (CASE WHEN w.learned THEN l.address_line2 ELSE d.address_line2 END) AS address_line2,
            (CASE WHEN w.learned THEN l.city ELSE d.city END) AS city,
            (CASE WHEN w.learned THEN l.state ELSE d.state END) AS state,
            (CASE WHEN w.learned THEN l.zip5 ELSE d.zip5 END) AS zip5
        FROM account a
        -- The address the account's own client gave: a letter about its debt goes there,
        LEFT JOIN debtor_profile d ON d.debtor_id = a.debtor_id AND d.client_id = a.client_id
        -- unless the consumer gave the agency a newer one (on any of their accounts).
        LEFT JOIN LATERAL (
            SELECT * FROM debtor_learned_address n WHERE n.debtor_id = a.debtor_id
            ORDER BY n.received_at DESC, n.created_at DESC, n.id DESC LIMIT 1) l ON true
        CROSS JOIN LATERAL (
            SELECT l.id IS NOT NULL AND (d.id IS NULL OR l.received_at > d.updated_at)
                AS learned) w
        WHERE a.id = ANY($1::uuid[])
        """,
        list(account_ids),
    )


async def person_account_ids(account_id: UUID) -> list[UUID]:
    """Every account of the account's person, whichever client placed it."""
    rows = await db.fetch(
        """
        SELECT s.id FROM account a JOIN account s ON s.debtor_id = a.debtor_id
        WHERE a.id = $1 ORDER BY s.id
        """,
        account_id,
    )
    return [row["id"] for row in rows]


async def set_validation_notice(
    account_id: UUID, sent_on: date | None, ends_on: date | None, returned_on: date | None
) -> None:
    await db.execute(
        """
        UPDATE account SET validation_notice_sent_on = $2, validation_period_ends_on = $3,
            validation_notice_returned_on = $4, updated_at = now() -- clock-ok: write time
        WHERE id = $1
        """,
        account_id,
        sent_on,
        ends_on,
        returned_on,
    )


async def without_mailed_notice(account_ids: Sequence[UUID]) -> list[asyncpg.Record]:
    return await db.fetch(
        """
        SELECT id AS account_id, client_id, client_account_number, status FROM account
        WHERE id = ANY($1::uuid[]) AND validation_notice_sent_on IS NULL
        """,
        list(account_ids),
    )
