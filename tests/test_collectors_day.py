"""A collector's and a supervisor's day over HTTP, every decision taken from the answers
alone: the queue says who may be called, the account detail says what to say and what may
be offered, the call and the consumer's wishes are recorded and judged at once, an offer
beyond the collector's band says why and waits for a supervisor, the payment settles it;
the supervisor's views count what the day did."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import asyncpg

from server.kit import clock
from tests.dispatch.test_work_queue import dispatch, everyone_in, zone_at
from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser, new_key

MOBILE = "+16145550141"
WORK = "+16145550142"


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def test_a_collectors_day_decided_from_the_answers(
    make_client: MakeClient, make_user: MakeUser, make_account: MakeAccount,
    owner_db: asyncpg.Connection,
) -> None:  # fmt: skip
    client = await make_client()
    collector = await make_user("collector", client_ids=[client["client_id"]], capacity=5)
    supervisor = await make_user("supervisor")
    placed = await make_account(
        client["client_id"], principal_cents=100_000, phones=[("mobile", MOBILE), ("work", WORK)]
    )
    await everyone_in(owner_db, zone_at(14))
    await dispatch(supervisor)

    # The queue says who may be called now; next leases that person.
    queue = ok(await collector.get("/api/v1/queues/me"))
    [item] = queue["items"]
    assert item["callable_now"] is True
    taken = ok(await collector.post("/api/v1/queues/me/next"))
    account_id = taken["account"]["account_id"]
    assert account_id == placed["id"] == item["accounts"][0]["account_id"]

    # The detail says the call is allowed, on which number, and what must be said.
    detail = ok(await collector.get(f"/api/v1/accounts/{account_id}"))
    call = detail["sections"]["call"]
    assert call["verdict"]["allowed"] is True
    dial = call["verdict"]["phone"]
    assert "initial_disclosure" in [c["code"] for c in call["cues"]]
    check = ok(
        await collector.post(f"/api/v1/accounts/{account_id}/call-check", json={"phone": dial})
    )
    assert check["allowed"] is True

    # The call: the consumer promises $150.00 next week, says calls at work are forbidden
    # and lunchtime is inconvenient.
    promise_on = (clock.agency_today() + timedelta(days=7)).isoformat()
    recorded = ok(await collector.post(f"/api/v1/accounts/{account_id}/calls", json={
        "phone": dial, "direction": "outbound", "started_at": clock.now().isoformat(),
        "duration_s": 240, "outcome": "promise_to_pay", "notes": "Promised on payday",
        "promise_amount_cents": 15_000, "promise_due_on": promise_on,
    }), 201)  # fmt: skip
    assert recorded["violations"] == []
    work = next(p for p in detail["debtor"]["phones"] if p["e164"] == WORK)
    ok(await collector.patch(f"/api/v1/accounts/{account_id}/phones/{work['phone_id']}", json={
        "employer_forbids_calls": True, "reason": "employer forbids calls", "channel": "oral",
    }))  # fmt: skip
    ok(await collector.request("PUT", f"/api/v1/accounts/{account_id}/inconvenient-times", json={
        "times": [{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "12:00", "to": "13:00"}],
        "channel": "oral",
    }))  # fmt: skip
    after = ok(await collector.get(f"/api/v1/accounts/{account_id}"))
    verdicts = {v["phone"]: v for v in after["sections"]["call"]["phones"]}
    assert "phone_employer_forbids" in verdicts[WORK]["reasons"]
    assert "reg_f_after_conversation" in after["sections"]["call"]["verdict"]["reasons"]
    assert after["debtor"]["inconvenient_times"], after["debtor"]
    assert "subsequent_disclosure" in [c["code"] for c in after["sections"]["call"]["cues"]]

    # An offer below the collector's band: the answer says which limit, and who decides.
    band = after["sections"]["authority"]["collector"]
    below = band["lowest_settlement_cents"] - 10_000
    offered = await collector.post(
        f"/api/v1/accounts/{account_id}/offers", json={"kind": "lump_sum", "amount_cents": below}
    )
    offer = ok(offered, 201)
    assert offer["status"] == "pending_supervisor"
    assert offer["band_reasons"] == [
        f"settles {below * 100 // 100_000} % of the balance (${below // 100:,}.00 of"
        " $1,000.00) < the collector's 80 %"
    ]
    # The call recorded was the queue item's work: it has left my queue with its lease.
    assert ok(await collector.get("/api/v1/queues/me"))["items"] == []

    # The supervisor finds it waiting, with the debtor and the account number, and accepts.
    views = ok(await supervisor.get("/api/v1/supervision/portfolios"))
    [portfolio] = [p for p in views["items"] if p["client_id"] == client["client_id"]]
    [waiting] = portfolio["offers_awaiting_supervisor"]
    assert (waiting["offer_id"], waiting["client_account_number"]) == (
        offer["offer_id"], placed["client_account_number"],
    )  # fmt: skip
    assert portfolio["today"]["calls_placed"] == 1
    assert portfolio["today"]["promises_made"] == 1
    accepted = ok(await supervisor.post(f"/api/v1/offers/{offer['offer_id']}/decision",
                                        json={"decision": "accept", "reason": "fair"}))  # fmt: skip
    assert accepted["status"] == "accepted"

    # The payment of the accepted offer settles the account: the rest is written off.
    paid = await collector.post(
        f"/api/v1/accounts/{account_id}/payments", headers={"Idempotency-Key": new_key()},
        json={"amount_cents": below, "method": "card", "paid_to": "agency",
              "received_at": clock.agency_today().isoformat(), "offer_id": offer["offer_id"]},
    )  # fmt: skip
    ok(paid, 201)
    settled = ok(await collector.get(f"/api/v1/accounts/{account_id}"))
    assert (settled["status"], settled["balance_cents"]) == ("settled_in_full", 0)
    day = ok(await supervisor.get("/api/v1/supervision/collectors"))
    [me] = [c for c in day["items"] if c["collector_id"] == collector.user_id]
    assert (me["today"]["calls_placed"], me["today"]["payments"]) == (1, 1)
    assert me["today"]["collected_cents"] == below


async def test_a_client_sees_none_of_the_calls_context(
    make_client: MakeClient, make_user: MakeUser, make_account: MakeAccount
) -> None:
    client = await make_client()
    placed = await make_account(client["client_id"])
    own: Caller = await make_user("client", client_id=client["client_id"])
    sections = ok(await own.get(f"/api/v1/accounts/{placed['id']}"))["sections"]
    assert sections["call"] is None
    assert sections["authority"] is None
