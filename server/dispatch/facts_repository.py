"""The score's facts of one account, as the rescoring SQL (`score_repository.RESCORE`) reads
them for all: what the account detail explains the score with. Kept apart from the
set-based rescoring, which never reads one account."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from server.kit import db

# $1 the account, $2 now (a callback is due by then).
SCORE_FACTS_SQL = """
    SELECT a.balance_cents, a.delinquency_date,
           d.ssn_hash IS NOT NULL AS ssn_on_file,
           EXISTS (SELECT 1 FROM debtor_address ad WHERE ad.debtor_id = a.debtor_id
                     AND ad.address_line1 IS NOT NULL AND ad.zip5 IS NOT NULL
                     AND ad.time_zone IS NOT NULL) AS good_address,
           EXISTS (SELECT 1 FROM debtor_phone p WHERE p.debtor_id = a.debtor_id
                     AND p.status = 'valid' AND cardinality(p.time_zones) > 0)
           OR (EXISTS (SELECT 1 FROM debtor_phone p WHERE p.debtor_id = a.debtor_id
                         AND p.status = 'valid')
               AND EXISTS (SELECT 1 FROM debtor_address ad
                           WHERE ad.debtor_id = a.debtor_id
                             AND ad.time_zone IS NOT NULL)) AS phone_with_zone,
           EXISTS (SELECT 1 FROM call_account ca JOIN call c ON c.id = ca.call_id
                   WHERE ca.account_id = a.id
                     AND c.outcome IN ('right_party_contact', 'promise_to_pay', 'refused',
                                       'dispute', 'cease_request', 'callback'))
               AS right_party_contact,
           EXISTS (SELECT 1 FROM debtor_phone p WHERE p.debtor_id = a.debtor_id
                     AND p.status = 'wrong_number') AS wrong_number,
           EXISTS (SELECT 1 FROM follow_up f WHERE f.account_id = a.id
                     AND f.status = 'open' AND f.due_at <= $2) AS callback_due,
           EXISTS (SELECT 1 FROM promise pr WHERE pr.account_id = a.id
                     AND pr.status = 'broken') AS broken_promise
    FROM account a JOIN debtor d ON d.id = a.debtor_id
    WHERE a.id = $1
"""


async def score_facts(account_id: UUID, now: datetime) -> asyncpg.Record | None:
    return await db.fetchrow(SCORE_FACTS_SQL, account_id, now)
