"""The dispatcher's SQL pre-filter never admits a person the rule function refuses.

The pre-filter is the SQL the dispatcher runs (queue_status_callable,
queue_phone_callable and the no-telephone flag); for any status, any numbers (kind,
status, employer's ban) and the no-telephone wish, if it admits the person then
`rules.evaluator.check_call` allows at least one of their numbers at a lawful moment with no calls
on record. It may refuse more than the rules (it is only a pre-filter), never less.
"""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.queues.rules.evaluator import check_call
from server.queues.rules.facts import (
    ACCOUNT_STATUSES,
    CALLABLE_STATUSES,
    PHONE_KINDS,
    AccountState,
    Consumer,
    Phone,
)

# Wednesday 3 June 2026, 12:00 in New York: inside calling hours in every US zone.
LAWFUL = datetime(2026, 6, 3, 16, 0, tzinfo=UTC)
ZONE = "America/New_York"
PHONE_STATUSES = ("valid", "wrong_number", "not_in_service", "do_not_call")

PRE_FILTER = """
SELECT queue_status_callable($1) AND NOT $2
       AND EXISTS (SELECT 1 FROM unnest($3::text[], $4::boolean[]) AS p(status, forbids)
                   WHERE queue_phone_callable(p.status, p.forbids))
"""

phones = st.lists(
    st.tuples(
        st.sampled_from(sorted(PHONE_KINDS)),
        st.sampled_from(PHONE_STATUSES),
        st.booleans(),
    ),
    max_size=4,
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    status=st.sampled_from(ACCOUNT_STATUSES),
    no_telephone=st.booleans(),
    numbers=phones,
)
async def test_the_pre_filter_admits_nothing_the_rules_refuse(
    owner_db: asyncpg.Connection,
    status: str,
    no_telephone: bool,
    numbers: list[tuple[str, str, bool]],
) -> None:
    admitted = await owner_db.fetchval(
        PRE_FILTER,
        status,
        no_telephone,
        [s for _, s, _ in numbers],
        [f for _, _, f in numbers],
    )
    consumer = Consumer(
        address_zone=ZONE,
        address_state="OH",
        phones=tuple(
            Phone(e164=f"+1614555{1000 + i}", kind=kind, status=phone_status,  # type: ignore[arg-type]
                  employer_forbids_calls=forbids, zones=(ZONE,))
            for i, (kind, phone_status, forbids) in enumerate(numbers)
        ),
        no_telephone=no_telephone,
    )  # fmt: skip
    account = AccountState("a", status)  # type: ignore[arg-type]
    allowed = [check_call(account, consumer, p.e164, LAWFUL, ()).allowed for p in consumer.phones]
    if admitted:
        assert any(allowed), (status, no_telephone, numbers)
    # The status test is exactly the rules' list of callable statuses.
    assert await owner_db.fetchval("SELECT queue_status_callable($1)", status) == (
        status in CALLABLE_STATUSES
    )


# --- calling hours in SQL -----------------------------------------------------------------
# The dispatcher deals, and the claim orders, by the calling hours its SQL works out
# (queue_dial_zones, queue_hours_open): for any address, numbers and instant they agree
# with the zones the rule function considers and its hours rule.

ZONE_POOL = (
    "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
    "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "America/Puerto_Rico",
)  # fmt: skip
HOURS_IN_SQL = "SELECT queue_hours_open(queue_dial_zones($1, $2, $3, $4), $5)"


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    # The zones of every address of the person (one per client that supplied one).
    addresses=st.lists(st.sampled_from(ZONE_POOL), max_size=3, unique=True),
    zone_lists=st.lists(st.lists(st.sampled_from(ZONE_POOL), max_size=2), min_size=1, max_size=3),
    at=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
    ),
)
async def test_calling_hours_in_sql_are_the_rules_hours(
    owner_db: asyncpg.Connection, addresses: list[str], zone_lists: list[list[str]], at: datetime
) -> None:
    from server.queues.local_time import CONTIGUOUS_US_ZONES, zone
    from server.queues.rules.hours import CALLING_HOURS_END, CALLING_HOURS_START, zones_considered

    numbers = tuple(
        Phone(e164=f"+1614555{n:04d}", kind="mobile", zones=tuple(dict.fromkeys(z)))
        for n, z in enumerate(zone_lists)
    )
    consumer = Consumer(
        address_zone=addresses[0] if addresses else None,
        address_state=None,
        phones=numbers,
        other_address_zones=tuple(addresses[1:]),
    )
    everyone = sorted({z for p in numbers for z in p.zones})
    for phone in numbers:
        expected = all(
            CALLING_HOURS_START <= at.astimezone(zone(z)).time() < CALLING_HOURS_END
            for z in zones_considered(consumer, phone.e164)
        )
        in_sql = await owner_db.fetchval(
            HOURS_IN_SQL, addresses, list(phone.zones), everyone, list(CONTIGUOUS_US_ZONES), at
        )
        assert in_sql == expected, (addresses, phone.zones, at)
