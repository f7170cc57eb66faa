"""The supervisors' views over a fixed week: Monday 2025-06-02 to Wednesday 06-04 in New
York. Calls, payments and promises are dated in it; the views are asked for its days, so
the run's own date never matters."""

from __future__ import annotations

from typing import Any

import pytest

from server.kit import clock
from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser, new_key, record_call


class Shop:
    def __init__(self, client: dict[str, Any], collector: Caller, account_id: str) -> None:
        self.client = client
        self.collector = collector
        self.account_id = account_id

    async def call(self, started_at: str, outcome: str = "no_answer", **extra: Any) -> None:
        await record_call(self.collector, self.account_id, started_at, outcome, **extra)

    async def pay(self, cents: int, received_at: str) -> None:
        response = await self.collector.post(
            f"/api/v1/accounts/{self.account_id}/payments",
            headers={"Idempotency-Key": new_key()},
            json={"amount_cents": cents, "method": "ach", "paid_to": "agency",
                  "received_at": received_at},
        )  # fmt: skip
        assert response.status_code == 201, response.text


@pytest.fixture
async def shop(make_client: MakeClient, make_user: MakeUser, make_account: MakeAccount) -> Shop:
    client = await make_client()
    collector = await make_user("collector", client_ids=[client["client_id"]], capacity=40)
    account = await make_account(client["client_id"], principal_cents=100_000)
    shop = Shop(client, collector, str(account["id"]))
    # Monday: no answer, a conversation, a promise; one call at 21:30, after hours.
    await shop.call("2025-06-02T10:00:00-04:00", "no_answer")
    await shop.call("2025-06-02T11:00:00-04:00", "busy")
    await shop.call("2025-06-02T14:00:00-04:00", "promise_to_pay",
                    promise_amount_cents=20_000, promise_due_on="2025-06-06")  # fmt: skip
    await shop.call("2025-06-02T21:30:00-04:00", "no_answer")
    return shop


def _mine(items: list[dict[str, Any]], key: str, value: str) -> dict[str, Any]:
    return next(item for item in items if item[key] == value)


async def test_a_collectors_day(shop: Shop, make_user: MakeUser) -> None:
    await shop.pay(5_000, "2025-06-02")
    supervisor = await make_user("supervisor")
    view = (await supervisor.get("/api/v1/supervision/collectors?day=2025-06-02")).json()
    assert view["day"] == "2025-06-02"
    mine = _mine(view["items"], "collector_id", shop.collector.user_id)
    assert mine["capacity"] == 40
    assert [p["client_id"] for p in mine["portfolios"]] == [shop.client["client_id"]]
    # The busy signal never connected: three calls placed, one conversation.
    assert mine["today"] == {
        "calls_placed": 3, "right_party_contacts": 1, "promises_made": 1, "promises_kept": 0,
        "payments": 1, "collected_cents": 5_000,
    }  # fmt: skip
    quiet = (await supervisor.get("/api/v1/supervision/collectors?day=2025-06-03")).json()
    assert (
        _mine(quiet["items"], "collector_id", shop.collector.user_id)["today"]["calls_placed"] == 0
    )


async def test_a_portfolios_day_and_week(shop: Shop, admin: Caller) -> None:
    offer = await shop.collector.post(
        f"/api/v1/accounts/{shop.account_id}/offers",
        json={"kind": "lump_sum", "amount_cents": 70_000},
    )
    assert offer.json()["status"] == "pending_supervisor", offer.text
    view = (await admin.get("/api/v1/supervision/portfolios?day=2025-06-04")).json()
    assert view["week_from"] == "2025-06-02"
    mine = _mine(view["items"], "client_id", shop.client["client_id"])
    assert mine["today"]["calls_placed"] == 0
    assert mine["week"]["calls_placed"] == 3
    [waiting] = mine["offers_awaiting_supervisor"]
    assert waiting["offer_id"] == offer.json()["offer_id"]
    assert waiting["percent_of_balance"] == 70
    assert waiting["client_account_number"]
    assert waiting["debtor"]
    # The 21:30 call: after hours, and within 7 days of Monday's conversation.
    late = _mine(mine["findings"], "started_at", "2025-06-03T01:30:00Z")
    assert late["rules"] == ["outside_calling_hours", "reg_f_after_conversation"]
    hours, after_talk = late["explanations"]
    assert "08:00–21:00" in hours
    assert "1006.14(b)(2)(i)(B)" in after_talk


async def test_promises_kept_count_on_the_day_they_were_kept(
    shop: Shop, admin: Caller, owner_db: Any
) -> None:
    await shop.pay(20_000, "2025-06-05")
    kept_at = await owner_db.fetchval("SELECT updated_at FROM promise WHERE status = 'kept'")
    day = clock.agency_date(kept_at)
    view = (await admin.get(f"/api/v1/supervision/portfolios?day={day}")).json()
    mine = _mine(view["items"], "client_id", shop.client["client_id"])
    assert mine["today"]["promises_kept"] == 1
    # Made on Monday 2025-06-02: not in the week the promise was kept.
    assert mine["week"]["promises_made"] == 0


@pytest.mark.parametrize("role", ["collector", "client"])
async def test_only_supervisors_and_admins_see_them(
    shop: Shop, make_user: MakeUser, role: str
) -> None:
    fields = {"client_id": shop.client["client_id"]} if role == "client" else {}
    other = await make_user(role, **fields)
    for view in ("collectors", "portfolios"):
        assert (await other.get(f"/api/v1/supervision/{view}")).status_code == 403


async def test_a_day_after_today_is_refused(admin: Caller) -> None:
    response = await admin.get("/api/v1/supervision/collectors?day=2999-01-01")
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "day"
