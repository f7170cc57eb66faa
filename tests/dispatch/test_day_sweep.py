"""Work at every hour: a portfolio spread over every US zone, Alaska, Hawaii and Puerto Rico
included (and people whose numbers disagree with their address), with the clock started at
every 15 minutes of a day — an ordinary one and the day DST begins. At every step, after
the dispatcher's refill: `next` gives the collector someone whenever anyone in its
portfolio is callable, and never someone the rule function refuses."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest

from server.kit import clock
from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser, sign_in

MORNINGS = [{"weekdays": [], "start": "08:00", "end": "13:00"}]
# (address zone or None, the zones of each of the person's numbers — the first a mobile,
# the others home lines —, the times they said are inconvenient, what was said before
# the day: "talked" (a conversation two days before: Regulation F blocks the 7 days from
# it), "seven" (7 calls in the three days before: no more for days))
PEOPLE: list[tuple[str | None, list[list[str]], list[dict[str, Any]], str | None]] = [
    # Day-blocked people first, so that they owe the most and score highest: dealt by
    # score alone, they would fill the queue with people nobody may call.
    ("America/New_York", [["America/New_York"]], [], "talked"),
    ("America/Los_Angeles", [["America/Los_Angeles"]], [], "seven"),
    # Mornings and the lunch hour are inconvenient, every day, on a Chicago clock.
    ("America/Chicago", [["America/Chicago"]], MORNINGS, None),
    ("America/New_York", [["America/New_York"]], [], None),
    ("America/Chicago", [["America/Chicago"]], [], None),
    ("America/Denver", [["America/Denver"]], [], None),
    ("America/Phoenix", [["America/Phoenix"]], [], None),
    ("America/Los_Angeles", [["America/Los_Angeles"]], [], None),
    ("America/Anchorage", [["America/Anchorage"]], [], None),
    ("Pacific/Honolulu", [["Pacific/Honolulu"]], [], None),
    ("America/Puerto_Rico", [["America/Puerto_Rico"]], [], None),
    # A New York address and a Los Angeles mobile: hours hold in both.
    ("America/New_York", [["America/Los_Angeles"]], [], None),
    # A New York address, a Los Angeles mobile and a New York home line: early in the New
    # York morning only the home line may be called.
    ("America/New_York", [["America/Los_Angeles"], ["America/New_York"]], [], None),
    # No address, numbers in Honolulu and New York: hours hold in both.
    (None, [["Pacific/Honolulu"], ["America/New_York"]], [], None),
    # A Honolulu address and a number that says nothing about place.
    ("Pacific/Honolulu", [[]], [], None),
]
DAYS = [
    datetime(2027, 1, 13, tzinfo=UTC),  # an ordinary Wednesday
    datetime(2027, 3, 14, tzinfo=UTC),  # DST begins in the US (07:00Z in New York)
]
STEP = timedelta(minutes=15)
# Several people of each kind, the earlier kinds (the East) owing more and so scored
# higher, in a queue with room for fewer than all: dealt by score alone, the evening's
# queue would hold the East, whom nobody may call then, and leave out the West.
EACH = 3
CAPACITY = 16


async def _portfolio(
    owner_db: asyncpg.Connection, make_client: MakeClient, make_account: MakeAccount
) -> tuple[str, list[dict[str, Any]]]:
    client = await make_client()
    accounts = []
    for n, (address, numbers, wishes, said) in enumerate(PEOPLE * EACH):
        kind = n % len(PEOPLE)
        account = await make_account(
            client["client_id"],
            principal_cents=500_000 - 20_000 * kind - n,
            delinquency_date=date(2026, 10, 1),
            time_zone=address,
            phones=[
                ("mobile" if k == 0 else "home", f"+1614555{1000 + 10 * n + k}")
                for k in range(len(numbers))
            ],
        )
        phones = await owner_db.fetch(
            "SELECT id FROM debtor_phone WHERE debtor_id = $1 ORDER BY e164", account["debtor_id"]
        )
        for phone, zones in zip(phones, numbers, strict=True):
            await owner_db.execute(
                "UPDATE debtor_phone SET time_zones = $2 WHERE id = $1", phone["id"], zones
            )
        await owner_db.execute(
            "UPDATE debtor SET inconvenient_times = $2::jsonb WHERE id = $1",
            account["debtor_id"], json.dumps(wishes),
        )  # fmt: skip
        accounts.append(dict(account, said=said, wishes=wishes, phone=f"+1614555{1000 + 10 * n}"))
    return client["client_id"], accounts


async def _history(
    http: httpx.AsyncClient, collector_user: Caller, accounts: list[dict[str, Any]], day: datetime
) -> None:
    """What was said before the day, recorded as the collector would have."""
    for account in accounts:
        if account["said"] is None:
            continue
        talked = account["said"] == "talked"
        starts = (
            [day - timedelta(days=2) + timedelta(hours=18)]
            if talked
            else [day - timedelta(days=3) + timedelta(hours=20, minutes=7 * k) for k in range(7)]
        )
        with clock.running_from(day - timedelta(days=1)):
            collector = await _as(http, collector_user)
            for started in starts:
                response = await collector.post(
                    f"/api/v1/accounts/{account['id']}/calls",
                    json={"phone": account["phone"], "direction": "outbound",
                          "started_at": started.isoformat(), "duration_s": 60,
                          "outcome": "right_party_contact" if talked else "no_answer"},
                )  # fmt: skip
                assert response.status_code == 201, response.text


async def _dealt_as_blocked(
    owner_db: asyncpg.Connection,
    collector_user: Caller,
    blocked: set[UUID],
    wished: set[UUID],
    at: datetime,
) -> None:
    """The dealer knows the day blocks and the stated times: a blocked person is ranked
    as callable only later (rank = reach × 100000 + …), and so is one whose stated time
    holds for the whole next hour."""
    ranks = {
        row["debtor_id"]: row["rank"]
        for row in await owner_db.fetch(
            "SELECT debtor_id, rank FROM queue_item WHERE collector_id = $1",
            UUID(collector_user.user_id),
        )
    }
    chicago = at.astimezone(ZoneInfo("America/Chicago"))
    for person, rank in ranks.items():
        if person in blocked:
            assert rank >= 200_000, (at, person, rank)
        if person in wished and time(8) <= chicago.time() < time(12):
            assert rank >= 200_000, (at, person, rank)


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
    await _history(http, collector_user, accounts, day)
    blocked = {UUID(str(a["debtor_id"])) for a in accounts if a["said"]}
    wished = {UUID(str(a["debtor_id"])) for a in accounts if a["wishes"]}
    served, idle = 0, 0
    for step in range(24 * 60 // 15):
        at = day + STEP * step
        with clock.running_from(at):
            supervisor = await _as(http, supervisor_user)
            collector = await _as(http, collector_user)
            assert (await supervisor.post("/api/v1/dispatch/run")).status_code == 200
            await _dealt_as_blocked(owner_db, collector_user, blocked, wished, at)
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
            assert body["looked_at"] > 0, (at, body)
            assert body["blocked"], (at, body)
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
