"""The account detail in one request carries what a collector needs before dialing: each
number's verdict as the pre-call check gives it, the frequency counters, the last
conversation's block, the cues and the authority band in dollars; a client user gets none
of it. Calls are placed relative to the clock, so the figures hold on any day."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from server.kit import clock
from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser

MOBILE = "+16145550111"
WORK = "+16145550112"


async def _call(collector: Caller, account_id: str, ago: timedelta, outcome: str) -> None:
    started = clock.now() - ago
    body = {"phone": MOBILE, "direction": "outbound", "started_at": started.isoformat(),
            "duration_s": 60, "outcome": outcome}  # fmt: skip
    response = await collector.post(f"/api/v1/accounts/{account_id}/calls", json=body)
    assert response.status_code == 201, response.text


async def _detail(caller: Caller, account_id: str) -> dict[str, Any]:
    response = await caller.get(f"/api/v1/accounts/{account_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_the_call_context_of_a_debt_spoken_about_two_days_ago(
    make_client: MakeClient, make_user: MakeUser, make_account: MakeAccount
) -> None:
    client = await make_client()
    collector = await make_user("collector", client_ids=[client["client_id"]])
    account = await make_account(
        client["client_id"], phones=[("mobile", MOBILE), ("work", WORK)], principal_cents=100_000
    )
    account_id = str(account["id"])
    fresh = (await _detail(collector, account_id))["sections"]["call"]
    assert [c["code"] for c in fresh["cues"]] == [
        "verify_right_party", "initial_disclosure", "validation_notice_due",
    ]  # fmt: skip
    assert fresh["frequency"][0]["calls_counted"] == 0
    assert (
        fresh["frequency"][0]["sentence"] == "Regulation F: 0 of 7 calls in 7 days placed; 7 left."
    )

    await _call(collector, account_id, timedelta(days=2), "right_party_contact")
    await _call(collector, account_id, timedelta(days=1), "no_answer")
    section = (await _detail(collector, account_id))["sections"]["call"]

    check = await collector.post(f"/api/v1/accounts/{account_id}/call-check", json={})
    assert check.status_code == 200, check.text
    expected = check.json()
    # The same verdict (the hour's rules aside: the two answers are read moments apart).
    for field in ("allowed", "phone", "next_callable_at", "zones"):
        assert section["verdict"][field] == expected[field], field
    # Spoken with two days ago: blocked for the seven days of 1006.14(b)(2)(i)(B).
    assert "reg_f_after_conversation" in section["verdict"]["reasons"]
    assert "reg_f_after_conversation" in expected["reasons"]
    assert [p["phone"] for p in section["phones"]] == [MOBILE, WORK]
    work = await collector.post(f"/api/v1/accounts/{account_id}/call-check", json={"phone": WORK})
    assert section["phones"][1]["next_callable_at"] == work.json()["next_callable_at"]

    [reg_f] = section["frequency"]
    assert (reg_f["rule"], reg_f["calls_counted"], reg_f["calls_left"]) == ("reg_f_7_in_7", 2, 5)
    talked = clock.now() - timedelta(days=2)
    assert section["last_conversation_at"] is not None
    assert abs(datetime.fromisoformat(section["last_conversation_at"]) - talked) < timedelta(
        minutes=5
    )
    first_day = clock.local_date(datetime.fromisoformat(section["last_conversation_at"]),
                                 "America/New_York") + timedelta(days=7)  # fmt: skip
    assert section["calls_resume_on"] == first_day.isoformat()
    assert [c["code"] for c in section["cues"]] == [
        "verify_right_party", "subsequent_disclosure", "validation_notice_due",
    ]  # fmt: skip

    authority = (await _detail(collector, account_id))["sections"]["authority"]
    assert authority["balance_cents"] == 100_000
    assert authority["collector"]["lowest_settlement_cents"] == 80_000
    assert authority["collector"]["sentence"].startswith(
        "A lump sum or a plan totalling at least $800.00 (80 % of $1,000.00)"
    )
    assert authority["supervisor"]["lowest_settlement_cents"] == 65_000

    client_user = await make_user("client", client_id=client["client_id"])
    theirs = (await _detail(client_user, account_id))["sections"]
    assert (theirs["call"], theirs["authority"]) == (None, None)


async def test_an_offer_beyond_the_band_says_which_limit_placed_it(
    make_client: MakeClient, make_user: MakeUser, make_account: MakeAccount
) -> None:
    client = await make_client()
    collector = await make_user("collector", client_ids=[client["client_id"]])
    account = await make_account(client["client_id"], principal_cents=100_000)
    made = await collector.post(
        f"/api/v1/accounts/{account['id']}/offers",
        json={"kind": "lump_sum", "amount_cents": 70_000},
    )
    assert made.status_code == 201, made.text
    assert made.json()["status"] == "pending_supervisor"
    assert made.json()["band_reasons"] == [
        "settles 70 % of the balance ($700.00 of $1,000.00) < the collector's 80 %"
    ]
    offers = (await _detail(collector, str(account["id"])))["sections"]["offers"]
    assert [o["offer_id"] for o in offers["items"]] == [made.json()["offer_id"]]
    # Pending: nothing is due yet.
    assert (offers["next_due_on"], offers["next_due_cents"]) == (None, None)


async def test_an_accepted_plan_and_a_promise_say_what_falls_due(
    make_client: MakeClient, make_user: MakeUser, make_account: MakeAccount
) -> None:
    client = await make_client()
    collector = await make_user("collector", client_ids=[client["client_id"]])
    account = await make_account(
        client["client_id"], principal_cents=100_000, phones=[("mobile", MOBILE)]
    )
    account_id = str(account["id"])
    today = clock.agency_today()
    first, second = today + timedelta(days=10), today + timedelta(days=40)
    plan = {"kind": "plan", "amount_cents": 90_000, "installments": [
        {"due_date": first.isoformat(), "amount_cents": 45_000},
        {"due_date": second.isoformat(), "amount_cents": 45_000},
    ]}  # fmt: skip
    made = await collector.post(f"/api/v1/accounts/{account_id}/offers", json=plan)
    assert made.status_code == 201, made.text
    assert (made.json()["status"], made.json()["band_reasons"]) == ("accepted", [])
    offers = (await _detail(collector, account_id))["sections"]["offers"]
    assert (offers["next_due_on"], offers["next_due_cents"]) == (first.isoformat(), 45_000)

    promised = today + timedelta(days=3)
    body = {"phone": MOBILE, "direction": "outbound", "started_at": clock.now().isoformat(),
            "duration_s": 60, "outcome": "promise_to_pay", "promise_amount_cents": 12_300,
            "promise_due_on": promised.isoformat()}  # fmt: skip
    called = await collector.post(f"/api/v1/accounts/{account_id}/calls", json=body)
    assert called.status_code == 201, called.text
    [promise] = (await _detail(collector, account_id))["sections"]["call"]["promises"]
    assert (promise["amount_cents"], promise["due_on"], promise["status"]) == (
        12_300, promised.isoformat(), "open",
    )  # fmt: skip


async def test_a_callback_asked_for_is_a_consent_window_until_the_next_conversation(
    make_client: MakeClient, make_user: MakeUser, make_account: MakeAccount
) -> None:
    client = await make_client()
    collector = await make_user("collector", client_ids=[client["client_id"]])
    account = await make_account(client["client_id"], phones=[("mobile", MOBILE)])
    account_id = str(account["id"])
    given = clock.now() - timedelta(hours=2)
    # Noon, the day after tomorrow on the consumer's clock (a 614 number, Columbus).
    day = clock.local_date(clock.now(), "America/New_York") + timedelta(days=2)
    asked = clock.start_of_day(day, "America/New_York") + timedelta(hours=12)
    body = {"phone": MOBILE, "direction": "outbound", "started_at": given.isoformat(),
            "duration_s": 60, "outcome": "callback", "callback_at": asked.isoformat()}  # fmt: skip
    called = await collector.post(f"/api/v1/accounts/{account_id}/calls", json=body)
    assert called.status_code == 201, called.text

    [window] = (await _detail(collector, account_id))["sections"]["call"]["consents"]
    assert window["days"] == {"America/New_York": day.isoformat()}
    assert datetime.fromisoformat(window["ends_at"]) - datetime.fromisoformat(
        window["given_at"]
    ) == timedelta(days=7)
    assert (window["covers_now"], window["spent_at"]) == (False, None)
    assert f"called on {day:%A %Y-%m-%d} (their time)" in window["sentence"]
    assert "not yet its day" in window["sentence"]

    await _call(collector, account_id, timedelta(hours=1), "right_party_contact")
    [window] = (await _detail(collector, account_id))["sections"]["call"]["consents"]
    assert window["spent_at"] is not None
    assert "spent by the conversation" in window["sentence"]
