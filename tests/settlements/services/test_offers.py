"""Offers over HTTP: the authority bands at their edges, decisions and who may make them,
and the lifecycle (fulfilled and settled, reopened by a reversal, broken, expired)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest

from server.kit.settings import get_settings
from server.settlements.authority import months_later
from tests.fixtures import Caller, MakeClient, MakeUser
from tests.settlements.conftest import Pay, Shop, reverse


def _today() -> date:
    return datetime.now(UTC).astimezone(ZoneInfo(get_settings().agency_timezone)).date()


def _schedule(*amounts: int, every_days: int = 28, first_in_days: int = 7) -> list[dict[str, Any]]:
    start = _today() + timedelta(days=first_in_days)
    return [
        {"due_date": (start + timedelta(days=every_days * i)).isoformat(), "amount_cents": a}
        for i, a in enumerate(amounts)
    ]


async def make_offer(caller: Caller, account_id: str, **body: Any) -> httpx.Response:
    return await caller.post(f"/api/v1/accounts/{account_id}/offers", json=body)


async def decide(caller: Caller, offer_id: str, decision: str, **body: Any) -> httpx.Response:
    return await caller.post(
        f"/api/v1/offers/{offer_id}/decision", json={"decision": decision, **body}
    )


# --- bands ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount_cents", "band", "status"),
    [
        (80_000, "collector", "accepted"),  # exactly 80 %
        (79_999, "supervisor", "pending_supervisor"),  # one cent below
        (65_000, "supervisor", "pending_supervisor"),  # exactly 65 %
        (64_999, "client", "pending_client"),
    ],
)
async def test_lump_sum_band_edges(shop: Shop, amount_cents: int, band: str, status: str) -> None:
    account_id = await shop.account(100_000)
    response = await make_offer(
        shop.collector, account_id, kind="lump_sum", amount_cents=amount_cents
    )
    assert response.status_code == 201, response.text
    offer = response.json()
    assert (offer["band"], offer["status"]) == (band, status)
    assert offer["balance_cents"] == 100_000
    assert offer["installments"] == []
    if status == "accepted":
        assert offer["accepted_at"] is not None
        assert offer["due_on"] == (_today() + timedelta(days=30)).isoformat()
    else:
        assert offer["accepted_at"] is None
        assert offer["due_on"] is None


@pytest.mark.parametrize(
    ("amounts", "balance", "band"),
    [
        ([15_000] * 6, 100_000, "collector"),  # 6 instalments
        ([13_000] * 7, 100_000, "supervisor"),  # the 7th
        ([2_500] * 4, 10_000, "collector"),  # smallest instalment 25.00
        ([2_499, 2_501, 2_500, 2_500], 10_000, "client"),  # 24.99
    ],
)
async def test_plan_band_edges(shop: Shop, amounts: list[int], balance: int, band: str) -> None:
    account_id = await shop.account(balance)
    response = await make_offer(
        shop.collector, account_id, kind="plan", amount_cents=sum(amounts),
        installments=_schedule(*amounts),
    )  # fmt: skip
    assert response.status_code == 201, response.text
    offer = response.json()
    assert offer["band"] == band
    assert [i["amount_cents"] for i in offer["installments"]] == amounts
    assert [i["seq"] for i in offer["installments"]] == list(range(1, len(amounts) + 1))


async def test_a_plan_longer_than_six_months_needs_a_supervisor(shop: Shop) -> None:
    start = _today()
    for last_due, band in (
        (months_later(start, 6), "collector"),
        (months_later(start, 6) + timedelta(days=1), "supervisor"),
    ):
        account_id = await shop.account(100_000)
        dates = [start + timedelta(days=d) for d in (30, 60, 90)] + [last_due]
        installments = [{"due_date": d.isoformat(), "amount_cents": 22_500} for d in dates]
        response = await make_offer(
            shop.collector, account_id, kind="plan", amount_cents=90_000,
            installments=installments,
        )  # fmt: skip
        assert response.status_code == 201, response.text
        assert response.json()["band"] == band


async def test_field_errors_name_the_instalment(shop: Shop) -> None:
    account_id = await shop.account()
    schedule = _schedule(30_000, 30_000, 30_000)
    schedule[2]["due_date"] = schedule[0]["due_date"]
    response = await make_offer(
        shop.collector, account_id, kind="plan", amount_cents=90_000, installments=schedule
    )
    assert response.status_code == 422, response.text
    fields = [d["field"] for d in response.json()["error"]["details"]]
    assert "installments[2].due_date" in fields

    response = await make_offer(
        shop.collector, account_id, kind="plan", amount_cents=90_001,
        installments=_schedule(30_000, 30_000, 30_000),
    )  # fmt: skip
    assert response.status_code == 422
    assert [d["field"] for d in response.json()["error"]["details"]] == ["installments"]

    for body in (
        {"kind": "plan", "amount_cents": 90_000},
        {"kind": "lump_sum", "amount_cents": 90_000, "installments": _schedule(90_000)},
    ):
        response = await make_offer(shop.collector, account_id, **body)
        assert response.status_code == 422, response.text
        assert response.json()["error"]["details"][0]["field"] == "installments"


async def test_one_live_offer_per_account_and_clients_do_not_make_offers(shop: Shop) -> None:
    account_id = await shop.account()
    first = await make_offer(shop.collector, account_id, kind="lump_sum", amount_cents=70_000)
    assert first.status_code == 201
    again = await make_offer(shop.collector, account_id, kind="lump_sum", amount_cents=90_000)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "offer_exists"
    by_client = await make_offer(shop.user, account_id, kind="lump_sum", amount_cents=90_000)
    assert by_client.status_code == 403


# --- decisions ------------------------------------------------------------------------------


async def test_a_supervisor_decides_and_it_is_recorded(
    shop: Shop, make_user: MakeUser, owner_db: asyncpg.Connection
) -> None:
    supervisor = await make_user("supervisor")
    account_id = await shop.account()
    offer = (
        await make_offer(shop.collector, account_id, kind="lump_sum", amount_cents=70_000)
    ).json()
    listed = await supervisor.get("/api/v1/offers", params={"status": "pending_supervisor"})
    assert [o["offer_id"] for o in listed.json()["items"]] == [offer["offer_id"]]

    response = await decide(supervisor, offer["offer_id"], "accept", reason="hardship")
    assert response.status_code == 200, response.text
    decided = response.json()
    assert decided["status"] == "accepted"
    assert decided["decided_role"] == "supervisor"
    assert decided["decision_reason"] == "hardship"
    assert decided["decided_at"] is not None
    assert decided["decided_by"] is not None
    assert decided["due_on"] == (_today() + timedelta(days=30)).isoformat()
    assert await owner_db.fetchval(
        "SELECT count(*) FROM audit_event WHERE action = 'offer.accept' AND entity_id = $1",
        offer["offer_id"],
    ) == 1  # fmt: skip

    again = await decide(supervisor, offer["offer_id"], "reject")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "offer_not_pending"
    fetched = (await shop.user.get(f"/api/v1/offers/{offer['offer_id']}")).json()
    assert fetched["status"] == "accepted"


async def test_the_client_decides_beyond_the_supervisor(
    shop: Shop, make_user: MakeUser, make_client: MakeClient
) -> None:
    supervisor = await make_user("supervisor")
    account_id = await shop.account()
    offer = (
        await make_offer(shop.collector, account_id, kind="lump_sum", amount_cents=50_000)
    ).json()
    assert offer["status"] == "pending_client"
    assert (await decide(supervisor, offer["offer_id"], "accept")).status_code == 403

    other = await make_client()
    stranger = await make_user("client", client_id=other["client_id"])
    assert (await decide(stranger, offer["offer_id"], "accept")).status_code == 404
    assert (await stranger.get(f"/api/v1/offers/{offer['offer_id']}")).status_code == 404
    strangers_list = await stranger.get("/api/v1/offers", params={"status": "pending_client"})
    assert strangers_list.json()["items"] == []

    mine = await shop.user.get("/api/v1/offers", params={"status": "pending_client"})
    assert [o["offer_id"] for o in mine.json()["items"]] == [offer["offer_id"]]
    response = await decide(shop.user, offer["offer_id"], "reject", reason="too low")
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["decided_role"]) == ("rejected", "client")


async def test_a_collector_cannot_decide_its_own_offer(shop: Shop) -> None:
    account_id = await shop.account()
    offer = (
        await make_offer(shop.collector, account_id, kind="lump_sum", amount_cents=70_000)
    ).json()
    response = await decide(shop.collector, offer["offer_id"], "accept")
    assert response.status_code == 403
    assert "own offer" in response.json()["error"]["message"]
    fetched = (await shop.collector.get(f"/api/v1/offers/{offer['offer_id']}")).json()
    assert fetched["status"] == "pending_supervisor"


async def test_withdrawing_a_pending_offer(shop: Shop, make_user: MakeUser, admin: Caller) -> None:
    account_id = await shop.account()
    offer = (
        await make_offer(shop.collector, account_id, kind="lump_sum", amount_cents=70_000)
    ).json()
    colleague = await make_user("collector", client_ids=[shop.client["client_id"]])
    url = f"/api/v1/offers/{offer['offer_id']}/withdraw"
    assert (await colleague.post(url, json={})).status_code == 403
    response = await shop.collector.post(url, json={"reason": "debtor changed mind"})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "withdrawn"
    assert (await shop.collector.post(url, json={})).status_code == 409
    assert (await decide(admin, offer["offer_id"], "accept")).status_code == 409
    # The account is free for a new arrangement.
    second = await make_offer(shop.collector, account_id, kind="lump_sum", amount_cents=90_000)
    assert second.status_code == 201


async def test_two_decisions_at_once_leave_one_outcome(
    shop: Shop, make_user: MakeUser, admin: Caller, owner_db: asyncpg.Connection
) -> None:
    supervisor = await make_user("supervisor")
    for _ in range(3):
        account_id = await shop.account()
        offer = (
            await make_offer(shop.collector, account_id, kind="lump_sum", amount_cents=70_000)
        ).json()
        responses = await asyncio.gather(
            decide(supervisor, offer["offer_id"], "accept"),
            decide(admin, offer["offer_id"], "reject"),
        )
        codes = sorted(r.status_code for r in responses)
        assert codes == [200, 409], [r.text for r in responses]
        winner = next(r for r in responses if r.status_code == 200).json()
        stored = await owner_db.fetchval(
            "SELECT status FROM offer WHERE id = $1", offer["offer_id"]
        )
        assert stored == winner["status"]
        assert await owner_db.fetchval(
            "SELECT count(*) FROM audit_event WHERE entity_id = $1"
            " AND action IN ('offer.accept', 'offer.reject')",
            offer["offer_id"],
        ) == 1  # fmt: skip


# --- lifecycle ------------------------------------------------------------------------------


async def test_a_paid_lump_sum_settles_and_its_reversal_reopens(
    shop: Shop, admin: Caller, pay: Pay, owner_db: asyncpg.Connection
) -> None:
    account_id = await shop.account(100_000)
    offer = (
        await make_offer(shop.collector, account_id, kind="lump_sum", amount_cents=80_000)
    ).json()
    payment = await pay(admin, account_id, amount_cents=80_000, offer_id=offer["offer_id"])
    assert payment.status_code == 201, payment.text
    assert payment.json()["offer_id"] == offer["offer_id"]

    fetched = (await admin.get(f"/api/v1/offers/{offer['offer_id']}")).json()
    assert (fetched["status"], fetched["paid_cents"]) == ("fulfilled", 80_000)
    account = (await admin.get(f"/api/v1/accounts/{account_id}")).json()
    assert (account["status"], account["balance_cents"]) == ("settled_in_full", 0)
    write_off = await owner_db.fetchrow(
        "SELECT kind, amount_cents, balance_after_cents FROM balance_adjustment"
        " WHERE account_id = $1",
        account_id,
    )
    assert dict(write_off) == {
        "kind": "settlement_write_off", "amount_cents": -20_000, "balance_after_cents": 0,
    }  # fmt: skip
    with pytest.raises(asyncpg.PostgresError):
        await owner_db.execute("DELETE FROM balance_adjustment WHERE account_id = $1", account_id)

    reversal = await reverse(admin, payment.json()["payment_id"])
    assert reversal.status_code == 201, reversal.text
    account = (await admin.get(f"/api/v1/accounts/{account_id}")).json()
    assert (account["status"], account["balance_cents"]) == ("active", 100_000)
    kinds = await owner_db.fetch(
        "SELECT kind, amount_cents FROM balance_adjustment WHERE account_id = $1"
        " ORDER BY created_at",
        account_id,
    )
    assert [(k["kind"], k["amount_cents"]) for k in kinds] == [
        ("settlement_write_off", -20_000), ("write_off_undone", 20_000),
    ]  # fmt: skip
    history = account["sections"]["money"]["history"]
    assert [(h["kind"], h["amount_cents"], h["balance_after_cents"]) for h in history] == [
        ("write_off_undone", -20_000, 100_000), ("reversal", -80_000, 80_000),
        ("settlement_write_off", 20_000, 0), ("payment", 80_000, 20_000),
    ]  # fmt: skip
    fetched = (await admin.get(f"/api/v1/offers/{offer['offer_id']}")).json()
    assert (fetched["status"], fetched["paid_cents"]) == ("accepted", 0)


async def test_payments_name_only_an_accepted_offer_of_the_account(
    shop: Shop, admin: Caller, pay: Pay
) -> None:
    account_id = await shop.account()
    other_account = await shop.account()
    pending = (
        await make_offer(shop.collector, account_id, kind="lump_sum", amount_cents=70_000)
    ).json()
    response = await pay(admin, account_id, offer_id=pending["offer_id"])
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "offer_not_payable"
    response = await pay(admin, other_account, offer_id=pending["offer_id"])
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "offer_id"


async def test_a_plan_paid_in_instalments_is_fulfilled(shop: Shop, admin: Caller, pay: Pay) -> None:
    account_id = await shop.account(100_000)
    offer = (
        await make_offer(
            shop.collector, account_id, kind="plan", amount_cents=90_000,
            installments=_schedule(45_000, 45_000),
        )
    ).json()  # fmt: skip
    assert offer["status"] == "accepted"
    await pay(admin, account_id, amount_cents=45_000, offer_id=offer["offer_id"])
    assert (await admin.get(f"/api/v1/offers/{offer['offer_id']}")).json()["status"] == "accepted"
    await pay(admin, account_id, amount_cents=45_000, offer_id=offer["offer_id"])
    fetched = (await admin.get(f"/api/v1/offers/{offer['offer_id']}")).json()
    assert (fetched["status"], fetched["paid_cents"]) == ("fulfilled", 90_000)
    account = (await admin.get(f"/api/v1/accounts/{account_id}")).json()
    assert (account["status"], account["balance_cents"]) == ("settled_in_full", 0)


async def _promise(shop: Shop, account_id: str) -> None:
    response = await shop.collector.post(
        f"/api/v1/accounts/{account_id}/calls",
        json={"phone": "+16145550199", "direction": "outbound",
              "started_at": "2025-06-02T14:30:00-04:00", "duration_s": 90,
              "outcome": "promise_to_pay", "promise_amount_cents": 45_000,
              "promise_due_on": "2025-06-09"},
    )  # fmt: skip
    assert response.status_code == 201, response.text


async def test_a_missed_instalment_breaks_the_plan_after_five_days_of_grace(
    shop: Shop, admin: Caller, pay: Pay, owner_db: asyncpg.Connection
) -> None:
    from server.settlements.services import offers

    account_id = await shop.account(100_000)
    await _promise(shop, account_id)
    schedule = _schedule(45_000, 45_000)
    offer = (
        await make_offer(
            shop.collector, account_id, kind="plan", amount_cents=90_000, installments=schedule
        )
    ).json()
    first, second = (date.fromisoformat(i["due_date"]) for i in schedule)
    # The first instalment paid; the second falls due and is not.
    await pay(admin, account_id, amount_cents=45_000, offer_id=offer["offer_id"])
    assert await offers.close_lapsed_offers(first + timedelta(days=30)) == {
        "broken": 0, "expired": 0,
    }  # fmt: skip
    # Five days after the due date it is still within the grace period ...
    assert (await offers.close_lapsed_offers(second + timedelta(days=5)))["broken"] == 0
    fetched = (await admin.get(f"/api/v1/offers/{offer['offer_id']}")).json()
    assert fetched["status"] == "accepted"
    # ... on the sixth it is missed.
    assert (await offers.close_lapsed_offers(second + timedelta(days=6)))["broken"] == 1
    fetched = (await admin.get(f"/api/v1/offers/{offer['offer_id']}")).json()
    assert fetched["status"] == "broken"
    assert second.isoformat() in fetched["closed_reason"]
    statuses = await owner_db.fetch("SELECT status FROM promise WHERE account_id = $1", account_id)
    assert [s["status"] for s in statuses] == ["broken"]
    # Again changes nothing; a broken plan takes no more payments against it.
    assert (await offers.close_lapsed_offers(second + timedelta(days=7)))["broken"] == 0
    late = await pay(admin, account_id, amount_cents=45_000, offer_id=offer["offer_id"])
    assert late.status_code == 409


async def test_a_clients_own_grace_days_hold_its_plans(
    make_client: MakeClient, make_account: Any, make_user: MakeUser, admin: Caller, pay: Pay
) -> None:
    from server.settlements.services import offers

    client = await make_client(grace_days=2)
    collector = await make_user("collector", client_ids=[client["client_id"]])
    account_id = str((await make_account(client["client_id"], principal_cents=100_000))["id"])
    schedule = _schedule(45_000, 45_000)
    offer = (
        await make_offer(
            collector, account_id, kind="plan", amount_cents=90_000, installments=schedule
        )
    ).json()
    first = date.fromisoformat(schedule[0]["due_date"])
    assert (await offers.close_lapsed_offers(first + timedelta(days=2)))["broken"] == 0
    assert (await offers.close_lapsed_offers(first + timedelta(days=3)))["broken"] == 1
    fetched = (await admin.get(f"/api/v1/offers/{offer['offer_id']}")).json()
    assert "within 2 days" in fetched["closed_reason"]


async def test_an_unpaid_lump_sum_expires(shop: Shop, admin: Caller) -> None:
    from server.settlements import offer_terms
    from server.settlements.services import offers

    account_id = await shop.account(100_000)
    offer = (
        await make_offer(shop.collector, account_id, kind="lump_sum", amount_cents=85_000)
    ).json()
    due = date.fromisoformat(offer["due_on"])
    assert due == _today() + timedelta(days=offer_terms.LUMP_SUM_DAYS)
    assert (await offers.close_lapsed_offers(due))["expired"] == 0
    assert (await offers.close_lapsed_offers(due + timedelta(days=1)))["expired"] == 1
    fetched = (await admin.get(f"/api/v1/offers/{offer['offer_id']}")).json()
    assert fetched["status"] == "expired"


async def test_fulfilling_an_offer_keeps_the_promise(
    shop: Shop, admin: Caller, pay: Pay, owner_db: asyncpg.Connection
) -> None:
    account_id = await shop.account(100_000)
    await _promise(shop, account_id)
    offer = (
        await make_offer(shop.collector, account_id, kind="lump_sum", amount_cents=90_000)
    ).json()
    await pay(admin, account_id, amount_cents=90_000, offer_id=offer["offer_id"])
    statuses = await owner_db.fetch("SELECT status FROM promise WHERE account_id = $1", account_id)
    assert [s["status"] for s in statuses] == ["kept"]


async def test_the_nightly_job_is_registered_and_swept_daily(shop: Shop) -> None:
    from server.settlements import jobs
    from server.worker import DECLARED

    declared_jobs = {spec.name: spec.function for spec in DECLARED.jobs}
    sweepers = {sweeper.name: sweeper.function for sweeper in DECLARED.sweepers}
    assert declared_jobs[jobs.BREAK_MISSED_PLANS] is jobs.break_missed_plans
    assert sweepers["settlements.lapsed_offers"] is jobs.schedule_break_missed_plans
    account_id = await shop.account(100_000)
    await make_offer(shop.collector, account_id, kind="lump_sum", amount_cents=85_000)
    # Run today, nothing is due yet.
    assert await jobs.break_missed_plans({}) == {"broken": 0, "expired": 0}


def test_the_break_and_expire_job_has_a_daily_cron_of_its_own() -> None:
    from server.settlements import jobs
    from server.worker import WorkerSettings

    crons = {c.name: c for c in WorkerSettings.cron_jobs}
    entry = crons[f"{jobs.BREAK_MISSED_PLANS}.cron"]
    assert entry.coroutine is jobs.break_missed_plans
    # Once a day: one hour, one minute, one second.
    assert (entry.hour, entry.minute, entry.second) == (9, 15, 0)
    assert entry.unique


async def test_an_offer_on_an_account_disputed_since_cannot_be_accepted(
    shop: Shop, admin: Caller
) -> None:
    account_id = await shop.account()
    offer = (
        await make_offer(shop.collector, account_id, kind="lump_sum", amount_cents=70_000)
    ).json()
    disputed = await admin.post(
        f"/api/v1/accounts/{account_id}/dispute", json={"reason": "not mine", "channel": "written"}
    )
    assert disputed.status_code == 200, disputed.text
    response = await decide(admin, offer["offer_id"], "accept")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "account_not_settleable"
    assert (await decide(admin, offer["offer_id"], "reject")).json()["status"] == "rejected"
    again = await make_offer(shop.collector, account_id, kind="lump_sum", amount_cents=90_000)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "account_not_settleable"


async def test_an_offer_recorded_after_the_fact_runs_from_its_own_date(
    make_client: Any, make_account: Any
) -> None:
    from server.auth.principal import SYSTEM
    from server.kit.errors import InvalidInput
    from server.settlements import offer_terms
    from server.settlements.schemas import OfferCreate
    from server.settlements.services import offers

    client = await make_client()
    account = await make_account(client["client_id"], principal_cents=100_000)
    lump = OfferCreate(kind="lump_sum", amount_cents=90_000)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="offered_on: must not be in the future"):
        await offers.create_offer(
            SYSTEM, UUID(account["id"]), lump, offered_on=_today() + timedelta(days=1)
        )
    offered_on = _today() - timedelta(days=40)
    made = await offers.create_offer(SYSTEM, UUID(account["id"]), lump, offered_on=offered_on)
    assert (made.offered_on, made.due_on) == (
        offered_on, offered_on + timedelta(days=offer_terms.LUMP_SUM_DAYS),
    )  # fmt: skip
    assert await offers.close_lapsed_offers(_today()) == {"broken": 0, "expired": 1}


# --- four eyes ------------------------------------------------------------------------------

# Of a balance of 1,000.00: 700.00 needs a supervisor (65-79 %), 100.00 the client.
_NEEDS = {"pending_supervisor": 70_000, "pending_client": 10_000}
# Who may decide what, when they did not make it themselves.
_DECIDES = {
    "pending_supervisor": {"supervisor", "admin"},
    "pending_client": {"client"},
}


@pytest.mark.parametrize("status", sorted(_NEEDS))
@pytest.mark.parametrize("maker", ["collector", "supervisor", "admin"])
async def test_nobody_decides_an_offer_they_made_and_each_band_has_its_deciders(
    shop: Shop, make_user: MakeUser, admin: Caller, status: str, maker: str
) -> None:
    staff = {
        "collector": shop.collector,
        "supervisor": await make_user("supervisor"),
        "admin": await make_user("admin"),
    }
    makers_offer = await make_offer(
        staff[maker], await shop.account(100_000), kind="lump_sum", amount_cents=_NEEDS[status]
    )
    assert makers_offer.status_code == 201, makers_offer.text
    assert makers_offer.json()["status"] == status
    offer_id = makers_offer.json()["offer_id"]
    if maker != "collector":
        own = await decide(staff[maker], offer_id, "accept")
        assert own.status_code == 403, own.text
        assert "made" in own.json()["error"]["message"]
    others = {
        "another supervisor": ("supervisor", await make_user("supervisor")),
        "another admin": ("admin", admin),
        "the client": ("client", shop.user),
        "a collector": (
            "collector",
            await make_user("collector", client_ids=[shop.client["client_id"]]),
        ),
    }
    for who, (role, caller) in others.items():
        answer = await decide(caller, offer_id, "reject", reason="checked by four eyes")
        if role in _DECIDES[status]:
            assert answer.status_code == 200, (who, answer.text)
            assert answer.json()["status"] == "rejected"
            return
        assert answer.status_code == 403, (who, answer.text)
        # A refusal changes nothing.
        still = (await admin.get(f"/api/v1/offers/{offer_id}")).json()
        assert still["status"] == status
    raise AssertionError("nobody could decide the offer")
