"""The current version of every call about some people: what the contact rules judge by.

Kept apart from the recording of calls (`server.queues.repository`): read on every check
and every claim, alone or composed into a statement of a domain above
(`calls_by_person_sql`).
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from server.kit import db

_CURRENT_CALLS = """
    SELECT c.id, c.chain_id, c.collector_id, c.phone_e164, c.direction, c.started_at,
           c.duration_s, c.outcome, c.callback_at, c.debtor_id,
           array_agg(ca.account_id ORDER BY ca.account_id) AS account_ids,
           array_agg(ca.client_id ORDER BY ca.account_id) AS client_ids
    FROM call c JOIN call_account ca ON ca.call_id = c.id
    WHERE {where}
      AND NOT EXISTS (SELECT 1 FROM call n WHERE n.corrects_call_id = c.id)
    GROUP BY c.id
"""


CALL_FIELDS = (
    "id", "chain_id", "collector_id", "phone_e164", "direction", "started_at", "duration_s",
    "outcome", "callback_at", "debtor_id", "account_ids", "client_ids",
)  # fmt: skip


def calls_by_person_sql(people: str) -> str:
    """Per person of `people` (an SQL expression of a uuid[]) with calls, `calls`: the
    current version of each as one array of records of CALL_FIELDS, for a domain above
    that reads them within a statement of its own."""
    current = _CURRENT_CALLS.format(where=f"c.debtor_id = ANY ({people})")
    return f"""
    SELECT k.debtor_id, array_agg(ROW({", ".join(f"k.{f}" for f in CALL_FIELDS)})) AS calls
    FROM ({current}) k GROUP BY k.debtor_id
    """  # noqa: S608 - the module's own SQL around the caller's own expression


async def current_calls_of_people(debtor_ids: Sequence[UUID]) -> list[asyncpg.Record]:
    """The current version of every call about these people, with the accounts of each."""
    return await db.fetch(
        _CURRENT_CALLS.format(where="c.debtor_id = ANY ($1::uuid[])"), list(debtor_ids)
    )
