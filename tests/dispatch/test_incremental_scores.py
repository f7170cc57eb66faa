"""The dispatcher's incremental rescore equals a full one: after any sequence of writes to
the facts a score reads (made as plain SQL, which the triggers see as they see the API's
and the loader's writes) and of runs at later moments of the same day, the stored scores
are those a rescore of every open account would store at the last run's moment."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.dispatch import score_repository, scoring
from server.kit import db
from server.queues.rules.facts import ACCOUNT_STATUSES

# A fixed instant, not the clock: the runs are given their moments.
START = datetime(2027, 3, 10, 0, 30, tzinfo=UTC)
PEOPLE = 4
ACCOUNTS = 6
WEIGHTS = scoring.DEFAULT_WEIGHTS

SEED = """
INSERT INTO client (id, name, status, fee_rates_bps, remittance_cycle, remittance_method,
    clearing_days, authority, column_map, created_at, updated_at)
VALUES ('00000000-0000-0000-0000-0000000000c1', 'Prop client', 'active', '{"primary": 2500}',
    'monthly', 'net', '{}', '{}', '{}', now(), now());
INSERT INTO placement (id, client_id, kind, tier, file_name, sha256, byte_size, chunk_count,
    status, fee_rate_bps, rows_read, rows_accepted, created_at)
VALUES ('00000000-0000-0000-0000-0000000000f1', '00000000-0000-0000-0000-0000000000c1',
    'new_business', 'primary', 'p.csv', md5('p'), 0, 0, 'loaded', 2500, 0, 0, now());
INSERT INTO app_user (id, username, password_hash, role, capacity, active, created_at,
    updated_at)
VALUES ('00000000-0000-0000-0000-0000000000a1', 'prop.collector', 'x', 'collector', 10, true,
    now(), now());
INSERT INTO debtor (id, ssn_hash, inconvenient_times, no_telephone, created_at, updated_at)
SELECT pg_temp.person(g), CASE WHEN g % 2 = 0 THEN md5('ssn' || g) END, '[]', false, now(), now()
FROM generate_series(0, {people} - 1) g;
INSERT INTO debtor_phone (id, debtor_id, e164, kind, status, employer_forbids_calls,
    time_zones, created_at)
SELECT gen_random_uuid(), pg_temp.person(g), '+1614555' || lpad(g::text, 4, '0'), 'mobile', 'valid',
    false, ARRAY['America/New_York'], now()
FROM generate_series(0, {people} - 1) g;
INSERT INTO debtor_profile (id, debtor_id, client_id, first_name, last_name, address_line1,
    city, state, zip5, time_zone, emails, supplied_by_placement_id, created_at, updated_at)
SELECT gen_random_uuid(), pg_temp.person(g), '00000000-0000-0000-0000-0000000000c1', 'F', 'L' || g,
    '1 Main St', 'Columbus', 'OH', '43215', 'America/New_York', '{}',
    '00000000-0000-0000-0000-0000000000f1', now(), now()
FROM generate_series(0, {people} - 1) g;
INSERT INTO account (id, client_id, placement_id, debtor_id, client_account_number,
    original_creditor, tier, fee_rate_bps, principal_cents, interest_cents, fees_cents,
    placed_balance_cents, balance_cents, delinquency_date, status, status_since,
    created_at, updated_at)
SELECT pg_temp.account_no(g), '00000000-0000-0000-0000-0000000000c1',
    '00000000-0000-0000-0000-0000000000f1', pg_temp.person(g % {people}), 'P' || g, 'Bank',
    'primary', 2500, 10000 * (g + 1), 0, 0, 10000 * (g + 1), 10000 * (g + 1), '2026-06-01',
    'active', now(), now(), now()
FROM generate_series(0, {accounts} - 1) g;
"""

HELPERS = """
CREATE OR REPLACE FUNCTION pg_temp.person(n int) RETURNS uuid LANGUAGE sql IMMUTABLE AS
    $$ SELECT ('00000000-0000-0000-0000-' || lpad(to_hex(4096 + n), 12, '0'))::uuid $$;
CREATE OR REPLACE FUNCTION pg_temp.account_no(n int) RETURNS uuid LANGUAGE sql IMMUTABLE AS
    $$ SELECT ('00000000-0000-0000-0000-' || lpad(to_hex(8192 + n), 12, '0'))::uuid $$;
"""

CALL = """
WITH made AS (
    INSERT INTO call (id, chain_id, account_id, client_id, debtor_id, collector_id, phone_e164,
        direction, started_at, duration_s, outcome, callback_at, created_at)
    SELECT $2, $2, a.id, a.client_id, a.debtor_id, '00000000-0000-0000-0000-0000000000a1',
        '+16145550000', 'outbound', $3, 60, $4, NULL, now()
    FROM account a WHERE a.id = pg_temp.account_no($1)
    RETURNING id, account_id, client_id
)
INSERT INTO call_account (id, call_id, account_id, client_id)
SELECT gen_random_uuid(), id, account_id, client_id FROM made
"""

FOLLOW_UP = """
INSERT INTO follow_up (id, call_id, chain_id, account_id, client_id, debtor_id, kind, due_at,
    status, created_at)
SELECT gen_random_uuid(), c.id, c.id, c.account_id, c.client_id, c.debtor_id, 'callback',
    $2, 'open', now()
FROM call c WHERE c.account_id = pg_temp.account_no($1)
ORDER BY c.started_at DESC LIMIT 1
"""

PROMISE = """
INSERT INTO promise (id, call_id, chain_id, account_id, client_id, debtor_id, status,
    created_at, updated_at)
SELECT gen_random_uuid(), c.id, c.id, c.account_id, c.client_id, c.debtor_id, $2, now(), now()
FROM call c WHERE c.account_id = pg_temp.account_no($1)
ORDER BY c.started_at DESC LIMIT 1
"""

# Each change: its SQL over $1 (which account, or person) and $2 (a number drawn), and, for
# the two that take one, $3 a status drawn from `CHOICES`.
CHANGES: dict[str, str] = {
    "balance": "UPDATE account SET balance_cents = $2::int * 137 WHERE id = pg_temp.account_no($1)",
    "status": "UPDATE account SET status = $3 WHERE id = pg_temp.account_no($1) AND $2::int >= 0",
    "delinquency": "UPDATE account SET delinquency_date = date '2026-06-01' - $2::int"
    " WHERE id = pg_temp.account_no($1)",
    "move": "UPDATE account SET debtor_id = pg_temp.person($2::int % {people})"
    " WHERE id = pg_temp.account_no($1)",
    # The hash names the person too: two people never share an SSN (debtor_ssn is unique).
    "ssn": "UPDATE debtor SET ssn_hash = CASE WHEN ssn_hash IS NULL"
    " THEN md5(($1 % {people}) || ':' || $2::int) END WHERE id = pg_temp.person($1 % {people})",
    "phone_status": "UPDATE debtor_phone SET status = $3"
    " WHERE debtor_id = pg_temp.person($1 % {people}) AND $2::int >= 0",
    "phone_zones": "UPDATE debtor_phone SET time_zones = CASE WHEN $2::int % 2 = 0 THEN '{}'"
    " ELSE ARRAY['America/Chicago'] END WHERE debtor_id = pg_temp.person($1 % {people})",
    "address": "UPDATE debtor_profile SET address_line1 = CASE WHEN $2::int % 2 = 0 THEN NULL"
    " ELSE '2 Elm St' END, time_zone = CASE WHEN $2::int % 3 = 0 THEN NULL"
    " ELSE 'America/New_York' END WHERE debtor_id = pg_temp.person($1 % {people})",
    "follow_up_done": "UPDATE follow_up SET status = 'done'"
    " WHERE account_id = pg_temp.account_no($1) AND status = 'open' AND $2::int >= 0",
    "promise_kept": "UPDATE promise SET status = 'kept'"
    " WHERE account_id = pg_temp.account_no($1) AND $2::int >= 0",
}
CHOICES = {
    "status": ACCOUNT_STATUSES,
    "phone_status": ("valid", "wrong_number", "not_in_service", "do_not_call"),
}
INSERTS = ("call", "follow_up", "promise", "new_account")
OUTCOMES = ("no_answer", "right_party_contact", "wrong_number", "promise_to_pay")

changes = st.lists(
    st.tuples(
        st.sampled_from(sorted(CHANGES) + list(INSERTS)),
        st.integers(0, ACCOUNTS - 1),
        st.integers(0, 300),
        st.booleans(),  # whether the dispatcher runs after this change
        st.integers(0, 90),  # minutes to that run
    ),
    max_size=12,
)


async def _apply(conn: asyncpg.Connection, change: tuple[str, int, int, bool, int],
                 at: datetime, serial: int) -> None:  # fmt: skip
    kind, n, value, _, _ = change
    if kind in CHANGES:
        args: list[Any] = [n, value]
        if kind in CHOICES:
            args.append(CHOICES[kind][value % len(CHOICES[kind])])
        await conn.execute(CHANGES[kind].replace("{people}", str(PEOPLE)), *args)
    elif kind in ("call", "follow_up", "promise"):
        # A callback and a promise are made on a call.
        call_id = f"00000000-0000-0000-0001-{serial:012x}"
        outcome = OUTCOMES[value % len(OUTCOMES)]
        await conn.execute(CALL, n, call_id, at - timedelta(minutes=value), outcome)
        if kind == "follow_up":
            # Due before or after the next runs: a callback coming due between two runs.
            await conn.execute(FOLLOW_UP, n, at + timedelta(minutes=value % 150 - 30))
        elif kind == "promise":
            await conn.execute(PROMISE, n, "broken" if value % 2 else "open")
    else:
        await conn.execute(
            """
            INSERT INTO account (id, client_id, placement_id, debtor_id, client_account_number,
                original_creditor, tier, fee_rate_bps, principal_cents, interest_cents,
                fees_cents, placed_balance_cents, balance_cents, delinquency_date, status,
                status_since, created_at, updated_at)
            SELECT gen_random_uuid(), client_id, placement_id, pg_temp.person($1::int % $3::int),
                'N' || $2::int::text, 'Bank', 'primary', 2500, 5000, 0, 0, 5000, 5000, '2026-01-15',
                'active', now(), now(), now()
            FROM account WHERE id = pg_temp.account_no(0)
            """,
            n,
            serial,
            PEOPLE,
        )


async def _rescore(at: datetime, *, full: bool) -> datetime | None:
    since = None if full else scoring.rescore_since(await score_repository.last_pass(), at, WEIGHTS)
    async with db.transaction():
        await score_repository.rescore(at, WEIGHTS, since=since)
    return since


async def _scores(conn: asyncpg.Connection) -> list[tuple[Any, ...]]:
    rows = await conn.fetch(
        "SELECT account_id, score, expected_recovery_cents, age_permille, contact_permille,"
        " balance_permille, priority FROM account_score ORDER BY account_id"
    )
    return [tuple(r) for r in rows]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(steps=changes)
async def test_incremental_scores_equal_a_full_rescore(
    app: Any, owner_db: asyncpg.Connection, _tables: list[str],  # noqa: PT019 - its value
    steps: list[tuple[str, int, int, bool, int]],
) -> None:  # fmt: skip
    await owner_db.execute(f"TRUNCATE {', '.join(_tables)} RESTART IDENTITY CASCADE")
    await owner_db.execute(HELPERS)
    await owner_db.execute(
        SEED.replace("{people}", str(PEOPLE)).replace("{accounts}", str(ACCOUNTS))
    )
    at = START
    assert await _rescore(at, full=False) is None  # the day's first run: every account
    for serial, step in enumerate(steps):
        await _apply(owner_db, step, at, serial)
        if step[3]:
            at += timedelta(minutes=step[4])
            assert await _rescore(at, full=False) is not None  # the same UTC day
    at += timedelta(minutes=1)
    assert await _rescore(at, full=False) is not None
    incremental = await _scores(owner_db)
    await _rescore(at, full=True)
    assert await _scores(owner_db) == incremental


async def test_the_first_run_of_a_day_and_other_weights_rescore_every_account() -> None:
    last = (START, WEIGHTS.as_json())
    assert scoring.rescore_since(None, START, WEIGHTS) is None
    assert scoring.rescore_since(last, START + timedelta(hours=23), WEIGHTS) == START
    next_day = datetime.combine(date(2027, 3, 11), datetime.min.time(), tzinfo=UTC)
    assert scoring.rescore_since(last, next_day, WEIGHTS) is None
    assert scoring.rescore_since(last, START - timedelta(seconds=1), WEIGHTS) is None
    other = scoring.Weights(base_rate=0.06)
    assert scoring.rescore_since(last, START + timedelta(minutes=5), other) is None
