"""Pre-call checks and call records over HTTP: rules applied as of each call's own time,
findings kept when calls arrive late, corrections, and who may do what."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser

NEW_YORK = ZoneInfo("America/New_York")
MOBILE = "+16145550101"
HOME = "+16145550102"
# Monday 2 June 2025, a week long past: calls may be recorded for it.
MONDAY = datetime(2025, 6, 2, tzinfo=NEW_YORK)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """`day` days after MONDAY, at a New York wall-clock time."""
    return (MONDAY + timedelta(days=day)).replace(hour=hour, minute=minute)


@dataclass
class Desk:
    """A client, its collector, and an account of a person in New York with two phones."""

    client: dict[str, Any]
    collector: Caller
    account: dict[str, Any]

    @property
    def account_id(self) -> str:
        return str(self.account["id"])

    async def call(
        self,
        at: datetime,
        outcome: str = "no_answer",
        *,
        phone: str = MOBILE,
        account_id: str | None = None,
        who: Caller | None = None,
        expect: int = 201,
        **extra: Any,
    ) -> dict[str, Any]:
        body = {"phone": phone, "direction": "outbound", "started_at": at.isoformat(),
                "duration_s": 60, "outcome": outcome, **extra}  # fmt: skip
        response = await (who or self.collector).post(
            f"/api/v1/accounts/{account_id or self.account_id}/calls", json=body
        )
        assert response.status_code == expect, response.text
        result: dict[str, Any] = response.json()
        return result

    async def check(
        self, at: datetime | None = None, phone: str | None = None, who: Caller | None = None
    ) -> httpx.Response:
        body: dict[str, Any] = {}
        if at is not None:
            body["at"] = at.isoformat()
        if phone is not None:
            body["phone"] = phone
        return await (who or self.collector).post(
            f"/api/v1/accounts/{self.account_id}/call-check", json=body
        )


def rules_of(recorded: dict[str, Any]) -> list[str]:
    return [v["rule"] for v in recorded["violations"]]


@pytest.fixture
async def desk(make_client: MakeClient, make_user: MakeUser, make_account: MakeAccount) -> Desk:
    client = await make_client()
    collector = await make_user("collector", client_ids=[client["client_id"]])
    account = await make_account(client["client_id"], phones=[("mobile", MOBILE), ("home", HOME)])
    return Desk(client, collector, account)


async def violations(caller: Caller, **params: Any) -> list[dict[str, Any]]:
    response = await caller.get("/api/v1/violations", params=params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


# -- the pre-call check -----------------------------------------------------------------------


async def test_call_check_at_the_opening_of_calling_hours(desk: Desk) -> None:
    early = await desk.check(local(0, 7, 59))
    assert early.status_code == 200, early.text
    body = early.json()
    assert body["allowed"] is False
    assert body["rule"] == "outside_calling_hours"
    assert datetime.fromisoformat(body["next_callable_at"]) == local(0, 8)
    # The consumer's own numbers first: the mobile is the best valid phone.
    assert body["phone"] == MOBILE
    # In words, with the time where the consumer is.
    assert body["zones"] == ["America/New_York"]
    assert body["local_times"] == {"America/New_York": "07:59"}
    assert body["message"].startswith(
        "It is 07:59 in New York; calls are allowed 08:00–21:00 in the consumer's local time"
    )
    assert body["message"].endswith("Next callable Mon Jun 2 at 08:00 in New York.")

    opening = (await desk.check(local(0, 8))).json()
    assert opening["allowed"] is True
    assert (opening["rule"], opening["reasons"]) == (None, [])
    assert opening["message"] == "It is 08:00 in New York: the call is allowed."


async def test_call_check_refuses_clients_and_collectors_of_other_portfolios(
    desk: Desk, make_user: MakeUser, make_client: MakeClient
) -> None:
    other = await make_client()
    outsider = await make_user("collector", client_ids=[other["client_id"]])
    assert (await desk.check(who=outsider)).status_code == 404
    await desk.call(local(0, 10), who=outsider, expect=404)
    client_user = await make_user("client", client_id=desk.client["client_id"])
    assert (await desk.check(who=client_user)).status_code == 403
    await desk.call(local(0, 10), who=client_user, expect=403)


# -- judging recorded calls -------------------------------------------------------------------


async def test_the_eighth_call_placed_in_seven_days_is_stored_and_flagged(desk: Desk) -> None:
    for day in range(7):
        assert rules_of(await desk.call(local(day, 10))) == []
    eighth = await desk.call(local(6, 15))
    assert rules_of(eighth) == ["reg_f_7_in_7"]
    # Calls that never connected are not calls placed: a busy signal is no breach.
    assert rules_of(await desk.call(local(6, 16), "busy")) == []
    [found] = await violations(desk.collector)
    assert found["call_id"] == eighth["call_id"]
    assert found["rules"] == ["reg_f_7_in_7"]


async def test_a_call_the_day_after_a_conversation_is_flagged_a_week_after_not(
    desk: Desk,
) -> None:
    assert rules_of(await desk.call(local(0, 10), "right_party_contact")) == []
    assert rules_of(await desk.call(local(1, 10))) == ["reg_f_after_conversation"]
    assert rules_of(await desk.call(local(6, 20, 59))) == ["reg_f_after_conversation"]
    assert rules_of(await desk.call(local(7, 9))) == []


async def test_a_callback_request_is_consent_for_that_day_only(desk: Desk) -> None:
    await desk.call(local(0, 10), "callback", callback_at=local(2, 12).isoformat())
    assert rules_of(await desk.call(local(2, 17))) == []
    assert rules_of(await desk.call(local(3, 10))) == ["reg_f_after_conversation"]


async def test_a_wrong_number_marks_the_phone_and_later_checks_refuse_it(
    desk: Desk, admin: Caller
) -> None:
    recorded = await desk.call(local(0, 10), "wrong_number")
    assert rules_of(recorded) == []
    account = (await admin.get(f"/api/v1/accounts/{desk.account_id}")).json()
    statuses = {p["e164"]: p["status"] for p in account["debtor"]["phones"]}
    assert statuses == {MOBILE: "wrong_number", HOME: "valid"}
    refused = (await desk.check(local(1, 10), phone=MOBILE)).json()
    assert (refused["allowed"], refused["rule"]) == (False, "phone_wrong_number")
    # With no number named, the check moves on to the one still valid.
    fallback = (await desk.check(local(1, 10))).json()
    assert (fallback["allowed"], fallback["phone"]) == (True, HOME)
    again = await desk.call(local(1, 11), phone=MOBILE)
    assert rules_of(again) == ["phone_wrong_number"]
    assert account["sections"]["contacts"]["recent_calls"][0]["outcome"] == "wrong_number"


async def test_a_dispute_on_a_call_marks_the_debt_disputed_and_leaves_calls_open(
    desk: Desk, admin: Caller
) -> None:
    """A dispute on a call is oral: it is recorded and marks the debt disputed, and blocks
    nothing (only a timely written one does: server.disputes.rules)."""
    recorded = await desk.call(local(0, 10), "dispute", direction="inbound")
    assert rules_of(recorded) == []
    account = (await admin.get(f"/api/v1/accounts/{desk.account_id}")).json()
    assert (account["status"], account["disputed"]) == ("active", True)
    assert account["status_history"][-1]["channel"] == "oral"
    [dispute] = account["sections"]["disputes"]
    assert (dispute["channel"], dispute["source"], dispute["blocks_collection"]) == (
        "oral", "call", False,
    )  # fmt: skip
    assert "status_disputed" not in (await desk.check()).json()["reasons"]
    assert "status_disputed" not in rules_of(await desk.call(local(8, 10)))


async def test_an_oral_stop_closes_the_telephone_but_not_the_account(
    desk: Desk, admin: Caller
) -> None:
    await desk.call(local(0, 10), "cease_request")
    account = (await admin.get(f"/api/v1/accounts/{desk.account_id}")).json()
    assert account["status"] == "active"
    assert account["debtor"]["no_telephone"] is True
    assert (await desk.check(phone=HOME)).json()["rule"] == "consumer_no_telephone"


async def test_a_call_in_the_future_is_refused(desk: Desk) -> None:
    later = datetime.now(UTC) + timedelta(minutes=5)
    refused = await desk.call(later, expect=422)
    assert refused["error"]["details"][0]["field"] == "started_at"


async def test_a_promise_to_pay_is_recorded(desk: Desk, owner_db: Any) -> None:
    recorded = await desk.call(
        local(0, 10), "promise_to_pay", promise_amount_cents=5000, promise_due_on="2025-06-09"
    )
    promise = await owner_db.fetchrow("SELECT amount_cents, due_on, status FROM promise")
    assert (promise["amount_cents"], str(promise["due_on"]), promise["status"]) == (
        5000, "2025-06-09", "open",
    )  # fmt: skip
    assert rules_of(recorded) == []


async def test_calls_cannot_be_changed_by_the_application(desk: Desk, owner_db: Any) -> None:
    recorded = await desk.call(local(0, 10))
    import asyncpg

    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await owner_db.execute(
            "UPDATE call SET outcome = 'busy' WHERE id = $1", recorded["call_id"]
        )


# -- calls recorded late, and corrections ----------------------------------------------------


HISTORY: list[tuple[datetime, str, dict[str, Any]]] = [
    (local(0, 9), "no_answer", {}),
    (local(0, 10), "right_party_contact", {}),
    (local(1, 10), "no_answer", {}),  # the day after a conversation
    (local(2, 7, 30), "busy", {}),  # never connected: no breach, even before 08:00
    (local(2, 21, 30), "left_message", {}),  # after 21:00 and after the conversation
    (local(7, 10), "callback", {"callback_at": local(8, 12).isoformat()}),
    (local(8, 12, 30), "no_answer", {}),  # asked for: consented
    (local(9, 10), "no_answer", {}),  # not asked for
    (local(15, 10), "wrong_number", {"phone": HOME}),
    (local(15, 11), "no_answer", {"phone": HOME}),  # a number known to be wrong
    *((local(16 + d // 3, 9 + d), "no_answer", {}) for d in range(9)),  # 9 in 3 days
    (local(27, 10), "dispute", {"direction": "inbound"}),
    (local(28, 10), "no_answer", {}),  # an oral dispute blocks nothing
    (local(29, 10), "cease_request", {"direction": "inbound"}),  # oral: no more calls
    (local(30, 10), "no_answer", {"phone": MOBILE}),
]


async def _record(desk: Desk, order: list[int]) -> list[tuple[str, tuple[str, ...]]]:
    for index in order:
        at, outcome, extra = HISTORY[index]
        await desk.call(at, outcome, **extra)
    found = await violations(desk.collector, limit=500)
    return sorted(
        (f["started_at"], tuple(f["rules"])) for f in found if f["account_id"] == desk.account_id
    )


async def test_the_same_history_in_any_order_has_the_same_violations(
    desk: Desk, make_account: MakeAccount
) -> None:
    as_it_happened = await _record(desk, list(range(len(HISTORY))))
    expected_rules = {rule for _, found in as_it_happened for rule in found}
    assert expected_rules == {
        "reg_f_after_conversation", "outside_calling_hours", "phone_wrong_number", "reg_f_7_in_7",
        "consumer_no_telephone",
    }  # fmt: skip
    for seed in (1, 2):
        order = list(range(len(HISTORY)))
        # First every call back-dated (newest first), then in a random order.
        order.reverse() if seed == 1 else random.Random(seed).shuffle(order)
        other = Desk(
            desk.client,
            desk.collector,
            await make_account(
                desk.client["client_id"], phones=[("mobile", MOBILE), ("home", HOME)]
            ),
        )
        assert await _record(other, order) == as_it_happened, f"order {order}"


async def test_a_back_dated_call_flags_the_stored_calls_it_puts_in_breach(desk: Desk) -> None:
    later = await desk.call(local(1, 10))
    assert rules_of(later) == []
    earlier = await desk.call(local(0, 10), "right_party_contact")
    assert rules_of(earlier) == []
    assert earlier["rejudged"] == [
        {"call_id": later["call_id"], "account_id": desk.account_id,
         "violations": ["reg_f_after_conversation"]},
    ]  # fmt: skip
    [found] = await violations(desk.collector)
    assert (found["call_id"], found["cause"]) == (later["call_id"], "rejudged")


async def test_a_correction_replaces_the_call_and_supersedes_its_findings(desk: Desk) -> None:
    first = await desk.call(local(0, 10))
    later = await desk.call(local(1, 10))
    # It was a conversation after all: the next day's call is now in breach.
    corrected = await desk.call(
        local(0, 10), "right_party_contact", corrects_call_id=first["call_id"]
    )
    assert corrected["chain_id"] == first["call_id"] != corrected["call_id"]
    assert [r["call_id"] for r in corrected["rejudged"]] == [later["call_id"]]
    assert [f["call_id"] for f in await violations(desk.collector)] == [later["call_id"]]
    # Only the newest version may be corrected.
    refused = await desk.call(local(0, 10), corrects_call_id=first["call_id"], expect=409)
    assert refused["error"]["code"] == "call_corrected"
    # Corrected back: the finding no longer holds and is superseded, not deleted.
    await desk.call(local(0, 10), "no_answer", corrects_call_id=corrected["call_id"])
    assert await violations(desk.collector) == []


async def test_calls_recorded_at_once_are_judged_against_each_other(desk: Desk) -> None:
    recorded = await asyncio.gather(*(desk.call(local(day % 7, 10 + day)) for day in range(8)))
    flagged = [r for r in recorded if r["violations"]] + [
        r for rec in recorded for r in rec["rejudged"] if r["violations"]
    ]
    assert len(flagged) == 1
    [found] = await violations(desk.collector)
    # The eighth in time is the one in breach, whichever request came first.
    assert datetime.fromisoformat(found["started_at"]) == local(6, 16)


# -- several accounts of one person -----------------------------------------------------------


async def test_a_call_counts_for_every_account_of_the_person_it_names(
    desk: Desk, make_account: MakeAccount
) -> None:
    sibling = await make_account(desk.client["client_id"], debtor_id=desk.account["debtor_id"])
    recorded = await desk.call(local(0, 21, 15), account_ids=[sibling["id"]])
    assert sorted((v["account_id"], v["rule"]) for v in recorded["violations"]) == sorted(
        [(desk.account_id, "outside_calling_hours"),
         (sibling["id"], "outside_calling_hours")]
    )  # fmt: skip


async def test_accounts_of_another_person_are_refused(
    desk: Desk, make_account: MakeAccount, owner_db: Any
) -> None:
    stranger = await make_account(desk.client["client_id"])
    refused = await desk.call(local(0, 10), account_ids=[stranger["id"]], expect=422)
    assert [d["field"] for d in refused["error"]["details"]] == ["account_ids"]
    assert await owner_db.fetchval("SELECT count(*) FROM call") == 0


# -- the violations list ----------------------------------------------------------------------


async def test_the_violations_list_filters_and_hides_other_portfolios(
    desk: Desk, make_client: MakeClient, make_user: MakeUser, make_account: MakeAccount,
    admin: Caller,
) -> None:  # fmt: skip
    other_client = await make_client()
    other_collector = await make_user("collector", client_ids=[other_client["client_id"]])
    other = Desk(other_client, other_collector, await make_account(other_client["client_id"]))
    mine = await desk.call(local(0, 22))
    theirs = await other.call(local(1, 22))
    late = await desk.call(local(3, 22), who=admin)

    def ids(items: list[dict[str, Any]]) -> list[str]:
        return [i["call_id"] for i in items]

    assert ids(await violations(admin)) == [late["call_id"], theirs["call_id"], mine["call_id"]]
    assert ids(await violations(desk.collector)) == [late["call_id"], mine["call_id"]]
    assert ids(await violations(desk.collector, client_id=other_client["client_id"])) == []
    assert ids(await violations(admin, collector_id=desk.collector.user_id)) == [mine["call_id"]]
    assert ids(await violations(admin, client_id=other_client["client_id"])) == [theirs["call_id"]]
    window = {"from": local(1, 0).isoformat(), "to": local(3, 0).isoformat()}
    assert ids(await violations(admin, **window)) == [theirs["call_id"]]
    first_page = (await admin.get("/api/v1/violations", params={"limit": 2})).json()
    rest = await violations(admin, cursor=first_page["next_cursor"])
    assert ids(first_page["items"]) + ids(rest) == ids(await violations(admin))
    client_user = await make_user("client", client_id=desk.client["client_id"])
    assert (await client_user.get("/api/v1/violations")).status_code == 403
