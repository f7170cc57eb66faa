"""Work at every hour: a portfolio spread over every US zone, Alaska, Hawaii and Puerto Rico
included (and people whose numbers disagree with their address), with the clock started at
every 15 minutes of a day — an ordinary one and the day DST begins. At every step, after
the dispatcher's refill: `next` gives the collector someone whenever anyone in its
portfolio is callable, and never someone the rule function refuses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

from server.kit import clock
from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser, sign_in

# (address zone or None, the zones of each of the person's numbers)
PEOPLE: list[tuple[str | None, list[list[str]]]] = [
    ("America/New_York", [["America/New_York"]]),
    ("America/Chicago", [["America/Chicago"]]),
    ("America/Denver", [["America/Denver"]]),
    ("America/Phoenix", [["America/Phoenix"]]),
    ("America/Los_Angeles", [["America/Los_Angeles"]]),
    ("America/Anchorage", [["America/Anchorage"]]),
    ("Pacific/Honolulu", [["Pacific/Honolulu"]]),
    ("America/Puerto_Rico", [["America/Puerto_Rico"]]),
    # A New York address and a Los Angeles mobile: hours hold in both.
    ("America/New_York", [["America/Los_Angeles"]]),
    # No address, numbers in Honolulu and New York: hours hold in both.
    (None, [["Pacific/Honolulu"], ["America/New_York"]]),
    # A Honolulu address and a number that says nothing about place.
    ("Pacific/Honolulu", [[]]),
]
DAYS = [
    datetime(2027, 1, 13, tzinfo=UTC),  # an ordinary Wednesday
    datetime(2027, 3, 14, tzinfo=UTC),  # DST begins in the US (07:00Z in New York)
]
STEP = timedelta(minutes=15)
# Several people of each kind, the earlier kinds (the East) owing more and so scored
# higher, in a queue with room for fewer than all: dealt by score alone, the evening's
# queue would hold the East, whom nobody may call then, and leave out the West.
EACH = 4
CAPACITY = 16


async def _portfolio(
    owner_db: asyncpg.Connection, make_client: MakeClient, make_account: MakeAccount
) -> tuple[str, list[dict[str, Any]]]:
    client = await make_client()
    accounts = []
    for n, (address, numbers) in enumerate(PEOPLE * EACH):
        kind = n % len(PEOPLE)
        account = await make_account(
            client["client_id"],
            principal_cents=500_000 - 20_000 * kind - n,
            delinquency_date=date(2026, 10, 1),
            time_zone=address,
            phones=[("mobile", f"+1614555{1000 + 10 * n + k}") for k in range(len(numbers))],
        )
        phones = await owner_db.fetch(
            "SELECT id FROM debtor_phone WHERE debtor_id = $1 ORDER BY e164", account["debtor_id"]
        )
        for phone, zones in zip(phones, numbers, strict=True):
            await owner_db.execute(
                "UPDATE debtor_phone SET time_zones = $2 WHERE id = $1", phone["id"], zones
            )
        accounts.append(dict(account))
    return client["client_id"], accounts


async def _as(http: httpx.AsyncClient, user: Caller) -> Caller:
    """The user signed in on the clock as it stands now."""
    return Caller(http, await sign_in(http, user.username or ""), user.user_id, user.username)


@pytest.mark.parametrize("day", DAYS, ids=lambda d: d.date().isoformat())
async def test_next_finds_whoever_is_callable_at_every_quarter_hour(
    http: httpx.AsyncClient,
    owner_db: asyncpg.Connection,
    make_client: MakeClient,
    make_account: MakeAccount,
    make_user: MakeUser,
    day: datetime,
) -> None:
    client_id, accounts = await _portfolio(owner_db, make_client, make_account)
    collector_user = await make_user("collector", client_ids=[client_id], capacity=CAPACITY)
    supervisor_user = await make_user("supervisor")
    served, idle = 0, 0
    for step in range(24 * 60 // 15):
        at = day + STEP * step
        with clock.running_from(at):
            supervisor = await _as(http, supervisor_user)
            collector = await _as(http, collector_user)
            assert (await supervisor.post("/api/v1/dispatch/run")).status_code == 200
            body = (await collector.post("/api/v1/queues/me/next")).json()
            claimed = body["account"]
            if claimed is not None:
                served += 1
                check = await collector.post(
                    f"/api/v1/accounts/{claimed['account_id']}/call-check",
                    json={"phone": claimed["phone"]},
                )
                assert check.json()["allowed"], (at, claimed, check.json())
                released = await collector.post(
                    "/api/v1/queues/me/release", json={"account_id": claimed["account_id"]}
                )
                assert released.status_code == 200
                continue
            idle += 1
            for account in accounts:
                check = await collector.post(
                    f"/api/v1/accounts/{account['id']}/call-check", json={}
                )
                assert not check.json()["allowed"], (at, account["debtor_id"], check.json())
            assert body["next_callable_at"] is not None, at
    # Someone is callable somewhere for most of a US day, and nobody at every hour.
    assert served > idle > 0
    await owner_db.execute(
        "DELETE FROM queue_item WHERE collector_id = $1", UUID(collector_user.user_id)
    )


async def test_dealing_looks_an_hour_ahead(
    http: httpx.AsyncClient,
    owner_db: asyncpg.Connection,
    make_client: MakeClient,
    make_account: MakeAccount,
    make_user: MakeUser,
) -> None:
    """At 07:30 in New York and 04:30 in Los Angeles nobody may be called; with room for
    one, the New Yorker, whose hours open within the hour (LOOKAHEAD, 60 minutes), is dealt
    before the Californian, whose open in three and a half, though the Californian owes
    more."""
    client = await make_client()
    for zone, principal in (("America/New_York", 10_000), ("America/Los_Angeles", 900_000)):
        account = await make_account(
            client["client_id"], principal_cents=principal, time_zone=zone,
            delinquency_date=date(2026, 10, 1),
        )  # fmt: skip
        await owner_db.execute(
            "UPDATE debtor_phone SET time_zones = $2 WHERE debtor_id = $1",
            account["debtor_id"], [zone],
        )  # fmt: skip
    await make_user("collector", client_ids=[client["client_id"]], capacity=1)
    supervisor_user = await make_user("supervisor")
    with clock.running_from(datetime(2027, 1, 13, 12, 30, tzinfo=UTC)):
        supervisor = await _as(http, supervisor_user)
        assert (await supervisor.post("/api/v1/dispatch/run")).status_code == 200
    dealt = await owner_db.fetch(
        "SELECT d.time_zone FROM queue_item q JOIN debtor_profile d ON d.debtor_id = q.debtor_id"
    )
    assert [row["time_zone"] for row in dealt] == ["America/New_York"]
