"""The rescore's queries: the scores of the open accounts, computed set-based in SQL from
their facts, for every account (the daily pass) or only the people whose facts were
written since the last run (the marks the triggers leave)."""

from __future__ import annotations

from datetime import datetime

from server.dispatch import scoring
from server.kit import db

# scoring.score() in SQL, set-based over the accounts in scope: every account (the daily
# pass, `FULL_SCOPE`) or the accounts of the people marked since the last run
# (`MARKED_SCOPE`, the people in `dispatch_people`). $1 = as-of instant, then the weights
# in scoring.Weights field order. Each fact is one aggregate over its table, restricted to
# the scope's people, joined by hash (not a probe per account), and only scores that
# changed are written: a refill every few minutes rewrites few rows, so the narrow table
# does not bloat either. The fresh scores meet the stored ones in one hash join (an update
# of the changed, an insert of the new): an upsert would probe the index once per account,
# half the time at 1M. Both parts see the table as it was before the statement, so none is
# written twice.
RESCORE = """
WITH scope AS (
    SELECT id, debtor_id, balance_cents, delinquency_date, status FROM account {accounts}
), phones AS (
    SELECT debtor_id,
           bool_or(status = 'valid' AND cardinality(time_zones) > 0) AS zoned,
           bool_or(status = 'valid') AS valid,
           bool_or(status = 'wrong_number') AS wrong
    FROM debtor_phone {people} GROUP BY debtor_id
), addresses AS (
    -- Every client's profile of the person: an address known to any is known.
    SELECT debtor_id,
           bool_or(address_line1 IS NOT NULL AND zip5 IS NOT NULL
                   AND time_zone IS NOT NULL) AS full,
           bool_or(time_zone IS NOT NULL) AS zoned
    FROM debtor_address {people} GROUP BY debtor_id
), talked AS (
    SELECT DISTINCT ca.account_id FROM call_account ca JOIN call c ON c.id = ca.call_id
    WHERE c.outcome IN ('right_party_contact', 'promise_to_pay', 'refused', 'dispute',
                        'cease_request', 'callback') {and_call_accounts}
), due AS (
    SELECT DISTINCT account_id FROM follow_up WHERE status = 'open' AND due_at <= $1
    {and_accounts}
), broken AS (
    SELECT DISTINCT account_id FROM promise WHERE status = 'broken' {and_accounts}
), facts AS (
    SELECT a.id,
           greatest(a.balance_cents, 0)::float8 AS balance,
           greatest(($1::timestamptz)::date - a.delinquency_date, 0) / 7.0 AS weeks,
           d.ssn_hash IS NOT NULL AS ssn,
           coalesce(ad.full, false) AS address,
           coalesce(ph.zoned OR (ph.valid AND ad.zoned), false) AS phone,
           t.account_id IS NOT NULL AS rpc,
           coalesce(ph.wrong, false) AS wrong,
           du.account_id IS NOT NULL AS callback_due,
           b.account_id IS NOT NULL AS broken
    FROM scope a
    JOIN debtor d ON d.id = a.debtor_id
    LEFT JOIN phones ph ON ph.debtor_id = a.debtor_id
    LEFT JOIN addresses ad ON ad.debtor_id = a.debtor_id
    LEFT JOIN talked t ON t.account_id = a.id
    LEFT JOIN due du ON du.account_id = a.id
    LEFT JOIN broken b ON b.account_id = a.id
    WHERE a.status NOT IN ('recalled', 'paid_in_full', 'settled_in_full', 'closed')
), parts AS (
    SELECT id, balance,
           exp(-$3::float8 * weeks) AS age,
           (CASE WHEN ssn THEN $4::float8 ELSE 1 END)
           * (CASE WHEN address THEN $5::float8 ELSE 1 END)
           * (CASE WHEN phone THEN $6::float8 ELSE $7::float8 END)
           * (CASE WHEN rpc THEN $8::float8 ELSE 1 END)
           * (CASE WHEN wrong THEN $9::float8 ELSE 1 END) AS contact,
           $10::float8 / ($10::float8 + balance) AS size,
           CASE WHEN callback_due THEN 2 WHEN broken THEN 1 ELSE 0 END AS priority
    FROM facts
), expected AS (
    SELECT id, age, contact, size, priority,
           balance * least(1.0, $2::float8 * age * contact * size) AS cents
    FROM parts
), fresh AS MATERIALIZED (
    SELECT id AS account_id,
           greatest(0, least(1000, round(1000 * ln(1 + cents / 100)
                                         / ln(1 + $11::float8 / 100))))::smallint AS score,
           round(cents)::bigint AS expected_recovery_cents,
           round(age * 1000)::smallint AS age_permille,
           round(contact * 1000)::integer AS contact_permille,
           round(size * 1000)::smallint AS balance_permille,
           priority::smallint AS priority
    FROM expected
), changed AS (
    UPDATE account_score s SET
        score = f.score,
        expected_recovery_cents = f.expected_recovery_cents,
        age_permille = f.age_permille,
        contact_permille = f.contact_permille,
        balance_permille = f.balance_permille,
        priority = f.priority,
        scored_at = $1
    FROM fresh f
    WHERE s.account_id = f.account_id
      AND (s.score, s.expected_recovery_cents, s.age_permille, s.contact_permille,
           s.balance_permille, s.priority)
          IS DISTINCT FROM (f.score, f.expected_recovery_cents, f.age_permille,
           f.contact_permille, f.balance_permille, f.priority)
)
INSERT INTO account_score (account_id, score, expected_recovery_cents, age_permille,
    contact_permille, balance_permille, priority, scored_at)
SELECT f.account_id, f.score, f.expected_recovery_cents, f.age_permille, f.contact_permille,
       f.balance_permille, f.priority, $1
FROM fresh f
WHERE NOT EXISTS (SELECT FROM account_score s WHERE s.account_id = f.account_id)
"""
FULL_SCOPE = RESCORE.format(accounts="", people="", and_accounts="", and_call_accounts="")
MARKED_SCOPE = RESCORE.format(
    accounts="WHERE debtor_id IN (SELECT debtor_id FROM dispatch_people)",
    people="WHERE debtor_id IN (SELECT debtor_id FROM dispatch_people)",
    and_accounts="AND account_id IN (SELECT id FROM scope)",
    and_call_accounts="AND ca.account_id IN (SELECT id FROM scope)",
)

# The people whose scores this run recomputes, taken before their facts are read: the marks
# the triggers left (dispatch migration 2026-12-07T16:10:10), deleted as they are read, and
# the people with a callback that came due since the last run ($2, exclusive, to $1): the
# clock, not a write, changed that fact. Deleting in a statement of its own is safe: a
# mark it sees was committed before it, so the rescore's later snapshot sees that write; a
# mark committed after it is not deleted and waits for the next run.
_TAKE_MARKED = """
CREATE TEMP TABLE dispatch_people ON COMMIT DROP AS
WITH marked AS (DELETE FROM score_stale RETURNING debtor_id)
SELECT debtor_id FROM marked
UNION
SELECT a.debtor_id FROM follow_up f JOIN account a ON a.id = f.account_id
WHERE f.status = 'open' AND f.due_at > $2 AND f.due_at <= $1
"""

_CLOSED = "('recalled', 'paid_in_full', 'settled_in_full', 'closed')"


async def last_pass() -> tuple[datetime, str] | None:
    """The last rescore's instant and weights."""
    row = await db.fetchrow("SELECT scored_at, weights FROM score_pass ORDER BY id DESC LIMIT 1")
    return None if row is None else (row["scored_at"], row["weights"])


async def rescore(as_of: datetime, weights: scoring.Weights, *, since: datetime | None) -> int:
    """Score the open accounts of the people marked since the run at `since` (None: every
    open account); returns how many open accounts have a score now."""
    await db.execute("DROP TABLE IF EXISTS dispatch_people")
    await db.execute(_TAKE_MARKED, as_of, since or as_of)
    if since is None:
        await db.execute(FULL_SCOPE, as_of, *weights.as_params())
        # Scores of accounts no longer open are stale: gone, so nothing reads them.
        await db.execute(
            f"DELETE FROM account_score s USING account a"  # noqa: S608 - constants
            f" WHERE a.id = s.account_id AND a.status IN {_CLOSED}"
        )
    else:
        await db.execute("ANALYZE dispatch_people")
        await db.execute(MARKED_SCOPE, as_of, *weights.as_params())
        await db.execute(
            f"DELETE FROM account_score s USING account a"  # noqa: S608 - constants
            f" WHERE a.id = s.account_id AND a.status IN {_CLOSED}"
            "   AND a.debtor_id IN (SELECT debtor_id FROM dispatch_people)"
        )
    await db.execute(
        "INSERT INTO score_pass (scored_at, full_pass, weights) VALUES ($1, $2, $3)",
        as_of,
        since is None,
        weights.as_json(),
    )
    return int(await db.fetchval("SELECT count(*) FROM account_score"))
