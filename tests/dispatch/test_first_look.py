"""Next account's first look: the one statement that leases my best person in calling hours
as it reads them, and what happens when the rules then refuse them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg

from tests.dispatch.test_work_queue import Floor, dispatch, floor, in_calling_hours, queue_of
from tests.fixtures import MakeClient, MakeUser

__all__ = ["floor"]  # the fixture, used by name

# "Every day, all day" (an interval whose end equals its start lasts the whole day): what
# the consumer says only the rule function reads, never the SQL's calling hours.
NEVER_CONVENIENT = [{"weekdays": [], "start": "00:00", "end": "00:00"}]


async def test_a_person_the_rules_refuse_keeps_the_lease_they_had_and_the_next_is_leased(
    floor: Floor, owner_db: asyncpg.Connection
) -> None:
    collector = await floor.collector(10)
    for i in range(2):
        await floor.account(principal_cents=90_000 - 40_000 * i)
    await in_calling_hours(owner_db)
    await dispatch(floor.supervisor)
    best, second = await queue_of(owner_db, collector)
    # The best person was leased before and the lease ran out; now they say no time suits.
    expired_at = datetime.now(UTC) - timedelta(minutes=20)
    await owner_db.execute(
        """
        UPDATE queue_item SET leased_at = $2,
            leased_until = $2::timestamptz + interval '15 minutes',
            leased_account_id = account_ids[1]
        WHERE id = $1
        """,
        best["id"],
        expired_at,
    )
    await owner_db.execute(
        "UPDATE debtor SET inconvenient_times = $2::jsonb WHERE id = $1",
        best["debtor_id"],
        json.dumps(NEVER_CONVENIENT),
    )

    body = (await collector.post("/api/v1/queues/me/next")).json()
    assert body["account"]["debtor_id"] == str(second["debtor_id"])
    assert body["account"]["account_id"] == str(second["account_ids"][0])
    after = {item["id"]: item for item in await queue_of(owner_db, collector)}
    refused = after[best["id"]]
    assert refused["leased_at"] == expired_at
    assert refused["leased_until"] == expired_at + timedelta(minutes=15)
    assert refused["leased_account_id"] == best["account_ids"][0]
    leased = after[second["id"]]
    assert leased["leased_until"] == datetime.fromisoformat(body["lease_expires_at"])
    assert leased["leased_account_id"] == UUID(body["account"]["account_id"])

    # Nobody else: the answer says which rule blocked whom, and nothing more is leased.
    none = (await collector.post("/api/v1/queues/me/next")).json()
    assert none["account"] is None
    assert [b["rule"] for b in none["blocked"]] == ["inconvenient_time"]
    assert (await queue_of(owner_db, collector))[0]["leased_at"] == expired_at


async def test_the_lease_names_the_account_the_rules_allow_when_it_is_not_the_first(
    floor: Floor, make_client: MakeClient, make_user: MakeUser, owner_db: asyncpg.Connection
) -> None:
    other = (await make_client())["client_id"]
    collector = await make_user("collector", client_ids=[floor.client_id, other], capacity=10)
    first = await floor.account(principal_cents=90_000)
    await floor.make_account(other, principal_cents=10_000, debtor_id=UUID(first["debtor_id"]))
    await in_calling_hours(owner_db)
    await dispatch(floor.supervisor)
    (item,) = await queue_of(owner_db, collector)
    assert item["account_ids"][0] == UUID(first["id"])
    # The first account's client leaves the collector's portfolio: its account is no longer
    # theirs to call, the other one of the person still is.
    await owner_db.execute(
        "DELETE FROM collector_portfolio WHERE user_id = $1 AND client_id = $2",
        UUID(collector.user_id),
        UUID(floor.client_id),
    )

    body = (await collector.post("/api/v1/queues/me/next")).json()
    allowed = item["account_ids"][1]
    assert body["account"]["account_id"] == str(allowed)
    (leased,) = await queue_of(owner_db, collector)
    assert leased["leased_account_id"] == allowed
    assert leased["leased_until"] == datetime.fromisoformat(body["lease_expires_at"])
