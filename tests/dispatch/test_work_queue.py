"""The dispatcher, the work queues and next account, over HTTP on a real database."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from server.dispatch import scoring
from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser


def zone_at(hour: int) -> str:
    """A fixed-offset zone where it is about `hour` o'clock now, so "callable now" holds
    (or not) for the length of a test whenever the suite runs (Etc/GMT signs are
    inverted)."""
    offset = (hour - datetime.now(UTC).hour + 12) % 24 - 12
    return f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"


async def everyone_in(owner_db: asyncpg.Connection, zone: str) -> None:
    await owner_db.execute("UPDATE debtor_profile SET time_zone = $1", zone)
    await owner_db.execute("UPDATE debtor_phone SET time_zones = ARRAY[$1]", zone)


async def in_calling_hours(owner_db: asyncpg.Connection) -> None:
    await everyone_in(owner_db, zone_at(14))


@dataclass
class Floor:
    """A client, a supervisor, and a way to add its collectors and accounts."""

    client_id: str
    supervisor: Caller
    make_user: MakeUser
    make_account: MakeAccount
    db: asyncpg.Connection

    async def collector(self, capacity: int = 10) -> Caller:
        return await self.make_user("collector", client_ids=[self.client_id], capacity=capacity)

    async def account(self, **fields: Any) -> dict[str, Any]:
        return await self.make_account(self.client_id, **fields)

    async def dispatch(self) -> dict[str, Any]:
        return await dispatch(self.supervisor)


@pytest.fixture
async def floor(
    make_user: MakeUser,
    make_client: MakeClient,
    make_account: MakeAccount,
    owner_db: asyncpg.Connection,
) -> Floor:
    client = await make_client()
    supervisor = await make_user("supervisor")
    return Floor(client["client_id"], supervisor, make_user, make_account, owner_db)


async def dispatch(caller: Caller) -> dict[str, Any]:
    response = await caller.post("/api/v1/dispatch/run")
    assert response.status_code == 200, response.text
    return dict(response.json())


async def queue_of(owner_db: asyncpg.Connection, collector: Caller) -> list[asyncpg.Record]:
    return await owner_db.fetch(
        "SELECT * FROM queue_item WHERE collector_id = $1 ORDER BY rank, debtor_id",
        UUID(collector.user_id),
    )


async def test_dispatch_deals_the_best_people_round_robin_up_to_capacity(
    floor: Floor, owner_db: asyncpg.Connection
) -> None:
    supervisor = floor.supervisor
    collectors = [await floor.collector(4) for _ in range(3)]
    accounts = [
        await floor.account(
            principal_cents=10_000 * (i + 1),
            delinquency_date=date(2026, 3, 1),
        )
        for i in range(14)
    ]
    result = await dispatch(supervisor)
    assert result == {"scored": 14, "queued": 12}
    queues = [await queue_of(owner_db, c) for c in collectors]
    assert [len(q) for q in queues] == [4, 4, 4]
    # The three best people are the heads of the three queues, one each.
    ranked = await owner_db.fetch(
        "SELECT a.debtor_id FROM account_score s JOIN account a ON a.id = s.account_id"
        " ORDER BY s.priority DESC, s.score DESC, a.debtor_id"
    )
    assert {q[0]["debtor_id"] for q in queues} == {r["debtor_id"] for r in ranked[:3]}
    # Nobody in two queues, and the two left out are the two worst.
    queued = {i["debtor_id"] for q in queues for i in q}
    assert len(queued) == 12
    assert queued.isdisjoint({r["debtor_id"] for r in ranked[-2:]})
    # Dealt in serpentine order, the queues are even in balance too.
    totals = [
        await owner_db.fetchval(
            "SELECT sum(a.balance_cents) FROM queue_item q JOIN account a"
            " ON a.id = ANY (q.account_ids) WHERE q.collector_id = $1",
            UUID(c.user_id),
        )
        for c in collectors
    ]
    assert totals == [340_000] * 3
    # A second run deals the same people again, nobody twice.
    assert (await dispatch(supervisor))["queued"] == 12
    assert len(accounts) == 14


async def test_a_person_is_in_one_queue_with_the_accounts_of_the_collectors_clients(
    make_user: MakeUser,
    make_client: MakeClient,
    make_account: MakeAccount,
    owner_db: asyncpg.Connection,
) -> None:
    first, second = await make_client(), await make_client()
    supervisor = await make_user("supervisor")
    both = await make_user(
        "collector", client_ids=[first["client_id"], second["client_id"]], capacity=5
    )
    one = await make_account(first["client_id"])
    other = await make_account(second["client_id"], debtor_id=UUID(one["debtor_id"]))
    await dispatch(supervisor)
    [item] = await queue_of(owner_db, both)
    assert set(map(str, item["account_ids"])) == {one["id"], other["id"]}
    # The constraint, not a hope: a second row for the person is refused.
    try:
        await owner_db.execute(
            "INSERT INTO queue_item (id, debtor_id, collector_id, rank, priority, best_score,"
            " account_ids) VALUES (gen_random_uuid(), $1, $2, 1, 0, 0, ARRAY[$3::uuid])",
            UUID(one["debtor_id"]), UUID(both.user_id), UUID(one["id"]),
        )  # fmt: skip
    except asyncpg.UniqueViolationError:
        pass
    else:
        raise AssertionError("a person was queued twice")


async def test_the_pre_filter_leaves_out_what_is_plainly_not_callable(
    floor: Floor, owner_db: asyncpg.Connection
) -> None:
    supervisor = floor.supervisor
    collector = await floor.collector(10)
    good = await floor.account()
    disputed = await floor.account(status="disputed")
    await floor.account(status="recalled")
    silent = await floor.account()
    await owner_db.execute(
        "UPDATE debtor SET no_telephone = true WHERE id = $1", UUID(silent["debtor_id"])
    )
    wrong = await floor.account()
    await owner_db.execute(
        "UPDATE debtor_phone SET status = 'wrong_number' WHERE debtor_id = $1",
        UUID(wrong["debtor_id"]),
    )
    result = await dispatch(supervisor)
    assert result["queued"] == 1
    [item] = await queue_of(owner_db, collector)
    assert str(item["debtor_id"]) == good["debtor_id"]
    # Open accounts are scored whether callable or not; finished ones are not.
    assert result["scored"] == 4
    assert disputed["id"] in {
        str(r["account_id"]) for r in await owner_db.fetch("SELECT account_id FROM account_score")
    }


async def test_accounts_that_stop_being_callable_leave_the_queue_at_once(
    floor: Floor, owner_db: asyncpg.Connection
) -> None:
    supervisor = floor.supervisor
    collector = await floor.collector(10)
    lone = await floor.account()
    pair = await floor.account()
    sibling = await floor.account(debtor_id=UUID(pair["debtor_id"]))
    bankrupt = await floor.account()
    stopped = await floor.account()
    await dispatch(supervisor)
    assert len(await queue_of(owner_db, collector)) == 4

    response = await collector.post(
        f"/api/v1/accounts/{lone['id']}/dispute",
        json={"reason": "not mine", "channel": "written"},  # timely: no notice mailed yet
    )
    assert response.status_code == 200, response.text
    response = await supervisor.post(
        f"/api/v1/accounts/{sibling['id']}/recall", json={"reason": "client recalled"}
    )
    assert response.status_code == 200, response.text
    response = await supervisor.post(
        f"/api/v1/accounts/{bankrupt['id']}/status",
        json={
            "reason": "chapter 7 filed",
            "status": "bankruptcy",
            "bankruptcy": {
                "chapter": 7,
                "case_number": "26-10432",
                "court": "Bankr. D. Mass.",
                "filing_date": "2020-01-06",
            },
        },
    )
    assert response.status_code == 200, response.text
    response = await collector.post(
        f"/api/v1/accounts/{stopped['id']}/cease",
        json={"reason": "stop calling", "channel": "oral"},
    )
    assert response.status_code == 200, response.text

    items = await queue_of(owner_db, collector)
    assert [str(i["debtor_id"]) for i in items] == [pair["debtor_id"]]
    assert [str(a) for a in items[0]["account_ids"]] == [pair["id"]]


async def test_next_leases_my_best_callable_person_and_release_and_calls_end_it(
    floor: Floor, owner_db: asyncpg.Connection
) -> None:
    supervisor = floor.supervisor
    collector = await floor.collector(10)
    for i in range(3):
        await floor.account(principal_cents=50_000 * (i + 1))
    await in_calling_hours(owner_db)
    await dispatch(supervisor)
    items = await queue_of(owner_db, collector)

    first = (await collector.post("/api/v1/queues/me/next")).json()
    assert first["account"]["debtor_id"] == str(items[0]["debtor_id"])
    assert first["lease_expires_at"]
    second = (await collector.post("/api/v1/queues/me/next")).json()
    assert second["account"]["debtor_id"] == str(items[1]["debtor_id"])

    # Released: mine again, first.
    response = await collector.post(
        "/api/v1/queues/me/release", json={"account_id": first["account"]["account_id"]}
    )
    assert response.status_code == 200, response.text
    again = (await collector.post("/api/v1/queues/me/next")).json()
    assert again["account"]["account_id"] == first["account"]["account_id"]
    response = await collector.post(
        "/api/v1/queues/me/release", json={"account_id": second["account"]["account_id"]}
    )
    assert response.status_code == 200
    response = await collector.post(
        "/api/v1/queues/me/release", json={"account_id": second["account"]["account_id"]}
    )
    assert response.status_code == 404

    # A call recorded on it ends the item.
    response = await collector.post(
        f"/api/v1/accounts/{first['account']['account_id']}/calls",
        json={"phone": first["account"]["phone"], "direction": "outbound",
              "started_at": datetime.now(UTC).isoformat(), "duration_s": 30,
              "outcome": "no_answer"},
    )  # fmt: skip
    assert response.status_code == 201, response.text
    left = {str(i["debtor_id"]) for i in await queue_of(owner_db, collector)}
    assert first["account"]["debtor_id"] not in left

    # An expired lease returns the person to work.
    third = (await collector.post("/api/v1/queues/me/next")).json()["account"]
    assert third is not None
    rest = (await collector.post("/api/v1/queues/me/next")).json()["account"]
    assert rest is not None
    # The person just called is in no queue now and the rules allow another call: a claim
    # that finds no one else takes them back into my queue (it has room).
    recalled = (await collector.post("/api/v1/queues/me/next")).json()["account"]
    assert recalled["debtor_id"] == first["account"]["debtor_id"]
    assert (await collector.post("/api/v1/queues/me/next")).json()["account"] is None
    await owner_db.execute(
        "UPDATE queue_item SET leased_until = now() - interval '1 second' WHERE debtor_id = $1",
        UUID(third["debtor_id"]),
    )
    back = (await collector.post("/api/v1/queues/me/next")).json()["account"]
    assert back["debtor_id"] == third["debtor_id"]

    mine = (await collector.get("/api/v1/queues/me")).json()
    assert len(mine["items"]) == 3
    assert all(i["leased_until"] for i in mine["items"])


async def test_next_answers_when_nothing_is_callable_now(
    floor: Floor, owner_db: asyncpg.Connection
) -> None:
    supervisor = floor.supervisor
    collector = await floor.collector(10)
    await floor.account()
    await everyone_in(owner_db, zone_at(2))  # the middle of the night
    await dispatch(supervisor)
    body = (await collector.post("/api/v1/queues/me/next")).json()
    assert body["account"] is None
    assert body["next_callable_at"] is not None
    assert datetime.fromisoformat(body["next_callable_at"]) > datetime.now(UTC)


async def test_a_claim_finds_whoever_in_my_queue_is_callable_now_however_far_down(
    floor: Floor, owner_db: asyncpg.Connection
) -> None:
    supervisor = floor.supervisor
    collector = await floor.collector(30)
    for _ in range(26):
        await floor.account()
    await everyone_in(owner_db, zone_at(2))  # the middle of the night
    await dispatch(supervisor)
    ranked = [item["debtor_id"] for item in await queue_of(owner_db, collector)]
    assert len(ranked) == 26

    async def callable_now(debtor_id: UUID) -> None:
        await owner_db.execute("UPDATE debtor_profile SET time_zone = $2 WHERE debtor_id = $1",
                               debtor_id, zone_at(14))  # fmt: skip
        await owner_db.execute(
            "UPDATE debtor_phone SET time_zones = ARRAY[$2] WHERE debtor_id = $1", debtor_id,
            zone_at(14),
        )  # fmt: skip

    # Nobody callable: nothing now, and no lease taken.
    body = (await collector.post("/api/v1/queues/me/next")).json()
    assert body["account"] is None
    assert not any(item["leased_until"] for item in await queue_of(owner_db, collector))
    # The last of 26, past the claim's first steps (3 and 22), in calling hours: found.
    await callable_now(ranked[25])
    body = (await collector.post("/api/v1/queues/me/next")).json()
    assert body["account"]["debtor_id"] == str(ranked[25])


async def test_many_collectors_claiming_at_once_never_lease_a_person_twice(
    services: Any,
    floor: Floor,
    owner_db: asyncpg.Connection,
) -> None:
    supervisor = floor.supervisor
    collectors = [await floor.collector(4) for _ in range(20)]
    for _ in range(80):
        await floor.account()
    await in_calling_hours(owner_db)
    assert (await dispatch(supervisor))["queued"] == 80

    # A second pool, as another API process would be, claiming from the same queues with
    # the same SKIP LOCKED statement while the HTTP claims run.
    pool = await asyncpg.create_pool(services.owner_url, min_size=4, max_size=8)
    collector_ids = [UUID(c.user_id) for c in collectors]

    async def bare_claim(collector_id: UUID) -> UUID | None:
        async with pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                """
                SELECT id, debtor_id FROM queue_item
                WHERE collector_id = $1 AND (leased_until IS NULL OR leased_until <= now())
                ORDER BY rank, debtor_id LIMIT 1 FOR UPDATE SKIP LOCKED
                """,
                collector_id,
            )
            if row is None:
                return None
            await conn.execute(
                "UPDATE queue_item SET leased_until = now() + interval '15 minutes' WHERE id = $1",
                row["id"],
            )
            return UUID(str(row["debtor_id"]))

    async def http_claim(collector: Caller) -> UUID | None:
        response = await collector.post("/api/v1/queues/me/next")
        assert response.status_code == 200, response.text
        account = response.json()["account"]
        return None if account is None else UUID(account["debtor_id"])

    try:
        claims = await asyncio.gather(
            *(http_claim(c) for c in collectors for _ in range(3)),
            *(bare_claim(c) for c in collector_ids for _ in range(2)),
        )
    finally:
        await pool.close()
    leased = [c for c in claims if c is not None]
    assert len(leased) == len(set(leased)), "a person was leased twice"
    # SKIP LOCKED: a claim may find everything left in its queue being claimed at that
    # moment and come back empty; claimed one after another, the rest are all there.
    for collector in collectors:
        while (claimed := await http_claim(collector)) is not None:
            leased.append(claimed)
    assert len(leased) == len(set(leased)) == 80
    assert (
        await owner_db.fetchval("SELECT count(*) FROM queue_item WHERE leased_until > now()") == 80
    )


async def test_supervisors_see_a_queue_with_its_score_parts_collectors_only_their_own(
    floor: Floor, owner_db: asyncpg.Connection
) -> None:
    supervisor = floor.supervisor
    collector = await floor.collector(10)
    other = await floor.collector(10)
    account = await floor.account()
    await dispatch(supervisor)
    response = await supervisor.get(f"/api/v1/queues/{collector.user_id}")
    assert response.status_code == 200, response.text
    queues = [response.json()]
    queues.append((await supervisor.get(f"/api/v1/queues/{other.user_id}")).json())
    [item] = [i for q in queues for i in q["items"]]
    [part] = item["scores"]
    assert part["account_id"] == account["id"]
    assert 0 <= part["score"] <= 1000
    assert (await collector.get(f"/api/v1/queues/{other.user_id}")).status_code == 403
    assert (await supervisor.get(f"/api/v1/queues/{supervisor.user_id}")).status_code == 404
    detail = (await supervisor.get(f"/api/v1/accounts/{account['id']}")).json()
    assert detail["sections"]["score"]["score"] == part["score"]


async def test_sql_scores_match_the_formula(floor: Floor, owner_db: asyncpg.Connection) -> None:
    supervisor = floor.supervisor
    plain = await floor.account(principal_cents=123_456,
                               delinquency_date=date(2025, 1, 15))  # fmt: skip
    rich = await floor.account(principal_cents=9_876_543,
                              delinquency_date=date(2026, 10, 1))  # fmt: skip
    await owner_db.execute(
        "UPDATE debtor SET ssn_hash = 'x' WHERE id = $1", UUID(rich["debtor_id"])
    )
    await dispatch(supervisor)
    today = await owner_db.fetchval("SELECT now()::date")
    for account, ssn in ((plain, False), (rich, True)):
        row = await owner_db.fetchrow(
            "SELECT * FROM account_score WHERE account_id = $1", UUID(account["id"])
        )
        expected = scoring.score(
            scoring.Facts(
                balance_cents=account["balance_cents"],
                delinquency_date=date(2025, 1, 15) if account is plain else date(2026, 10, 1),
                ssn_on_file=ssn, good_address=True, phone_with_zone=True,
                right_party_contact=False, wrong_number=False, callback_due=False,
                broken_promise=False,
            ),
            today,
        )  # fmt: skip
        assert abs(row["score"] - expected.score) <= 1
        assert abs(row["expected_recovery_cents"] - expected.expected_recovery_cents) <= 1
        assert row["age_permille"] == expected.age_permille
        assert row["contact_permille"] == expected.contact_permille
        # The detail explains the stored score with the same facts the SQL read.
        detail = (await supervisor.get(f"/api/v1/accounts/{account['id']}")).json()
        section = detail["sections"]["score"]
        parts = {p["part"]: p for p in section["parts"]}
        assert parts["contactability"]["value"] == row["contact_permille"] / 1000
        assert parts["age"]["value"] == row["age_permille"] / 1000
        assert parts["balance"]["value"] == row["balance_permille"] / 1000
        assert ("SSN on file ×2.00" in parts["contactability"]["sentence"]) is ssn


async def test_a_queue_a_screen_can_show(floor: Floor, owner_db: asyncpg.Connection) -> None:
    collector = await floor.collector(10)
    open_now = await floor.account(principal_cents=45_600)
    shut = await floor.account(principal_cents=12_300)
    await everyone_in(owner_db, zone_at(14))
    await owner_db.execute(
        "UPDATE debtor_profile SET time_zone = $1 WHERE debtor_id = $2",
        zone_at(3), UUID(shut["debtor_id"]),
    )  # fmt: skip
    await owner_db.execute(
        "UPDATE debtor_phone SET time_zones = ARRAY[$1] WHERE debtor_id = $2",
        zone_at(3), UUID(shut["debtor_id"]),
    )  # fmt: skip
    await floor.dispatch()
    page = await collector.get("/api/v1/queues/me", params={"limit": 1})
    assert page.status_code == 200, page.text
    first = page.json()
    assert len(first["items"]) == 1
    assert first["next_cursor"]
    rest = await collector.get("/api/v1/queues/me", params={"cursor": first["next_cursor"]})
    items = first["items"] + rest.json()["items"]
    assert rest.json()["next_cursor"] is None
    by_account = {i["accounts"][0]["account_id"]: i for i in items}
    assert set(by_account) == {open_now["id"], shut["id"]}
    now = by_account[open_now["id"]]
    assert now["callable_now"] is True
    assert (now["rule"], now["balance_cents"]) == (None, 45_600)
    line = now["accounts"][0]
    assert line["client_account_number"] == open_now["client_account_number"]
    assert line["debtor_name"].strip()
    later = by_account[shut["id"]]
    assert (later["callable_now"], later["rule"]) == (False, "outside_calling_hours")
    assert later["next_callable_at"] is not None
    refused = await collector.get("/api/v1/queues/me", params={"cursor": "not-a-cursor"})
    assert refused.status_code == 400
