"""Dealing and claiming by who is callable when: the dealer reads the stated inconvenient
times and Regulation F's day blocks, queues stay even in count, and `next` finds whoever
of my queue or of my portfolios may be called now, or says why it found nobody."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

from server.kit import clock
from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser, sign_in

# Wednesday 13 January 2027, 08:30 in New York, 05:30 in Los Angeles.
MORNING = datetime(2027, 1, 13, 13, 30, tzinfo=UTC)
# 14:00 in New York.
AFTERNOON = datetime(2027, 1, 13, 19, 0, tzinfo=UTC)
NEW_YORK = "America/New_York"
NUMBERS = itertools.count(1000)


async def _as(http: httpx.AsyncClient, user: Caller) -> Caller:
    return Caller(http, await sign_in(http, user.username or ""), user.user_id, user.username)


async def _person(
    owner_db: asyncpg.Connection,
    make_account: MakeAccount,
    client_id: str,
    principal: int,
    *,
    zone: str | None = NEW_YORK,
    numbers: list[tuple[str, list[str]]] | None = None,
    wishes: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    numbers = numbers or [("mobile", [zone] if zone else [])]
    account = await make_account(
        client_id, principal_cents=principal, time_zone=zone,
        delinquency_date=date(2026, 10, 1),
        phones=[(kind, f"+1312555{next(NUMBERS):04d}") for kind, _ in numbers],
    )  # fmt: skip
    rows = await owner_db.fetch(
        "SELECT id, e164 FROM debtor_phone WHERE debtor_id = $1 ORDER BY e164",
        account["debtor_id"],
    )
    phones = []
    for row, (kind, zones) in zip(rows, numbers, strict=True):
        await owner_db.execute(
            "UPDATE debtor_phone SET time_zones = $2 WHERE id = $1", row["id"], zones
        )
        phones.append((kind, row["e164"]))
    await owner_db.execute(
        "UPDATE debtor SET inconvenient_times = $2::jsonb WHERE id = $1",
        account["debtor_id"], json.dumps(wishes or []),
    )  # fmt: skip
    return dict(account, phones=phones)


async def _called(
    http: httpx.AsyncClient,
    collector_user: Caller,
    account: dict[str, Any],
    starts: list[datetime],
    outcome: str,
) -> None:
    """Calls on the person's first number, started at `starts`, recorded after the last."""
    with clock.running_from(max(starts) + timedelta(minutes=5)):
        collector = await _as(http, collector_user)
        for at in starts:
            response = await collector.post(
                f"/api/v1/accounts/{account['id']}/calls",
                json={"phone": account["phones"][0][1], "direction": "outbound",
                      "started_at": at.isoformat(), "duration_s": 60, "outcome": outcome},
            )  # fmt: skip
            assert response.status_code == 201, response.text


async def _talked(
    http: httpx.AsyncClient, collector_user: Caller, account: dict[str, Any], at: datetime
) -> None:
    """A conversation at `at`, recorded then."""
    await _called(http, collector_user, account, [at], "right_party_contact")


async def _dispatch(http: httpx.AsyncClient, supervisor_user: Caller) -> None:
    supervisor = await _as(http, supervisor_user)
    assert (await supervisor.post("/api/v1/dispatch/run")).status_code == 200


async def _queued(owner_db: asyncpg.Connection, collector: Caller) -> list[str]:
    rows = await owner_db.fetch(
        "SELECT debtor_id FROM queue_item WHERE collector_id = $1 ORDER BY rank, debtor_id",
        UUID(collector.user_id),
    )
    return [str(row["debtor_id"]) for row in rows]


@dataclass
class Shop:
    """A client with a supervisor, and the means to add its people and collectors."""

    http: httpx.AsyncClient
    db: asyncpg.Connection
    make_account: MakeAccount
    make_user: MakeUser
    client_id: str
    supervisor: Caller

    async def person(self, principal: int, **fields: Any) -> dict[str, Any]:
        return await _person(self.db, self.make_account, self.client_id, principal, **fields)

    async def collector(self, capacity: int) -> Caller:
        return await self.make_user("collector", client_ids=[self.client_id], capacity=capacity)

    async def dispatch(self, at: datetime) -> None:
        with clock.running_from(at):
            await _dispatch(self.http, self.supervisor)

    async def queued(self, collector: Caller) -> list[str]:
        return await _queued(self.db, collector)


@pytest.fixture
async def shop(
    http: httpx.AsyncClient,
    owner_db: asyncpg.Connection,
    make_account: MakeAccount,
    make_user: MakeUser,
    make_client: MakeClient,
) -> Shop:
    client = await make_client()
    supervisor = await make_user("supervisor")
    return Shop(http, owner_db, make_account, make_user, str(client["client_id"]), supervisor)


async def test_a_person_talked_to_yesterday_is_dealt_after_one_callable_now(shop: Shop) -> None:
    """With room for one: the person who owes more but had a conversation yesterday
    (blocked for 7 days, 1006.14(b)(2)(i)(B)) is not dealt; the one callable now is."""
    talked = await shop.person(900_000)
    plain = await shop.person(10_000)
    collector = await shop.collector(1)
    await _talked(shop.http, collector, talked, AFTERNOON - timedelta(days=1))
    await shop.dispatch(AFTERNOON)
    assert await shop.queued(collector) == [plain["debtor_id"]]


async def test_seven_calls_in_seven_days_are_dealt_later(shop: Shop) -> None:
    """Seven placed calls in the last days: the eighth would break 1006.14(b)(2)(i)(A), so
    the person ranks as callable later; six leave them callable now."""
    seven = await shop.person(900_000)
    six = await shop.person(800_000)
    collector_user = await shop.collector(5)
    for account, count in ((seven, 7), (six, 6)):
        starts = [AFTERNOON - timedelta(days=2, hours=k) for k in range(count)]
        await _called(shop.http, collector_user, account, starts, "no_answer")
    await shop.dispatch(AFTERNOON)
    ranks = {
        str(person): rank
        for person, rank in await shop.db.fetch(
            "SELECT debtor_id, rank FROM queue_item WHERE collector_id = $1",
            UUID(collector_user.user_id),
        )
    }
    assert ranks[str(seven["debtor_id"])] >= 200_000
    assert ranks[str(six["debtor_id"])] < 100_000


async def test_a_stated_inconvenient_time_is_dealt_after_one_callable_now(shop: Shop) -> None:
    """Afternoons on Wednesdays (weekday 2) are inconvenient for the one who owes more."""
    busy = await shop.person(
        900_000,
        wishes=[{"weekdays": [2], "start": "12:00", "end": "18:00"}],
    )  # fmt: skip
    free = await shop.person(10_000)
    collector = await shop.collector(1)
    await shop.dispatch(AFTERNOON)
    assert await shop.queued(collector) == [free["debtor_id"]]
    # On Thursday the same hours are free again.
    await shop.dispatch(AFTERNOON + timedelta(days=1))
    assert await shop.queued(collector) == [busy["debtor_id"]]


async def test_a_stated_time_on_another_clock_is_left_to_the_rules(shop: Shop) -> None:
    """Wednesday 12:00-18:00 on the Los Angeles clock: at 14:00 in New York (11:00 there)
    the rules allow the call. The SQL does not read such a time on the home clock, where
    it would hold; so the one who owes more is dealt first."""
    named = await shop.person(
        900_000,
        wishes=[{"weekdays": [2], "start": "12:00", "end": "18:00",
                 "zone": "America/Los_Angeles"}],
    )  # fmt: skip
    await shop.person(10_000)
    collector = await shop.collector(1)
    await shop.dispatch(AFTERNOON)
    assert await shop.queued(collector) == [named["debtor_id"]]


async def test_next_calls_on_the_number_the_rules_allow(shop: Shop) -> None:
    """A New York address, a Los Angeles mobile (the best number) and a New York home
    line: at 08:30 in New York, 05:30 in Los Angeles, only the home line may be called."""
    account = await shop.person(
        100_000,
        numbers=[("mobile", ["America/Los_Angeles"]), ("home", [NEW_YORK])],
    )  # fmt: skip
    collector_user = await shop.collector(5)
    with clock.running_from(MORNING):
        await _dispatch(shop.http, shop.supervisor)
        collector = await _as(shop.http, collector_user)
        body = (await collector.post("/api/v1/queues/me/next")).json()
    home = next(e164 for kind, e164 in account["phones"] if kind == "home")
    assert body["account"]["account_id"] == str(account["id"])
    assert body["account"]["phone"] == home


async def test_next_looks_past_a_page_of_refused_people_of_my_portfolios(shop: Shop) -> None:
    """My queue is empty (no refill yet): the ten best people of my portfolios (one
    claim's first look, TAKE_UNQUEUED) were talked to yesterday; `next` pages on to the
    eleventh and takes only that one into my queue."""
    blocked = [await shop.person(900_000 - n) for n in range(10)]
    callable_now = await shop.person(10_000)
    collector_user = await shop.collector(20)
    for account in blocked:
        await _talked(shop.http, collector_user, account, AFTERNOON - timedelta(days=1))
    with clock.running_from(AFTERNOON):
        await _dispatch(shop.http, shop.supervisor)
        await shop.db.execute(
            "DELETE FROM queue_item WHERE collector_id = $1", UUID(collector_user.user_id)
        )
        collector = await _as(shop.http, collector_user)
        body = (await collector.post("/api/v1/queues/me/next")).json()
    assert body["account"]["account_id"] == str(callable_now["id"])
    assert await shop.queued(collector_user) == [callable_now["debtor_id"]]


async def test_next_that_finds_nobody_says_why(shop: Shop) -> None:
    talked = await shop.person(100_000)
    collector_user = await shop.collector(5)
    await _talked(shop.http, collector_user, talked, AFTERNOON - timedelta(days=1))
    with clock.running_from(AFTERNOON):
        await _dispatch(shop.http, shop.supervisor)
        collector = await _as(shop.http, collector_user)
        body = (await collector.post("/api/v1/queues/me/next")).json()
    assert body["account"] is None
    assert body["looked_at"] == 1
    assert body["blocked"] == [{"rule": "reg_f_after_conversation", "people": 1}]
    # The block's 7 days count the conversation's date (12 January) as the first.
    assert body["next_callable_at"] == "2027-01-19T13:00:00Z"


async def test_queues_are_even_in_count_and_each_gets_its_share_of_the_callable(shop: Shop) -> None:
    """Three collectors with room for 20 each and 50 people, 20 of them callable now (New
    York, 09:00) and 30 only later (Honolulu, 04:00), the later owing more: every queue
    holds 16 or 17 (within 10 % of each other) and 6 or 7 of the callable, at the top."""
    for n in range(50):
        zone = NEW_YORK if n < 20 else "Pacific/Honolulu"
        await shop.person(200_000 + 1_000 * n, zone=zone)
    collectors = [await shop.collector(20) for _ in range(3)]
    await shop.dispatch(AFTERNOON - timedelta(hours=5))
    counts, callable_counts = [], []
    for collector in collectors:
        rows = await shop.db.fetch(
            "SELECT q.rank, d.time_zone FROM queue_item q"
            " JOIN debtor_profile d ON d.debtor_id = q.debtor_id"
            " WHERE q.collector_id = $1 ORDER BY q.rank",
            UUID(collector.user_id),
        )
        zones = [row["time_zone"] for row in rows]
        counts.append(len(rows))
        callable_counts.append(zones.count(NEW_YORK))
        assert zones == sorted(zones, key=lambda z: z != NEW_YORK)
    assert max(counts) <= 1.1 * min(counts), counts
    assert sum(counts) == 50
    assert sorted(callable_counts) == [6, 7, 7], callable_counts
