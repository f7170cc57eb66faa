"""Promises to pay: what a promise must name, and when the money that came in keeps it or
the sweep breaks it. Every date is fixed (2025); the clock of the run never matters."""

from __future__ import annotations

from datetime import date
from typing import Any

import asyncpg
import pytest

from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser
from tests.settlements.conftest import Pay, reverse

# The call is on Monday 2025-06-02 at 14:30 in New York; the promise is $450.00 by 06-09.
CALL_AT = "2025-06-02T14:30:00-04:00"
DUE_ON = "2025-06-09"


class Desk:
    def __init__(self, client: dict[str, Any], collector: Caller, account_id: str) -> None:
        self.client = client
        self.collector = collector
        self.account_id = account_id

    async def promise(self, expect: int = 201, **fields: Any) -> dict[str, Any]:
        body = {"phone": "+16145550199", "direction": "outbound", "started_at": CALL_AT,
                "duration_s": 90, "outcome": "promise_to_pay",
                "promise_amount_cents": 45_000, "promise_due_on": DUE_ON}  # fmt: skip
        body.update(fields)
        body = {k: v for k, v in body.items() if v is not None}
        response = await self.collector.post(f"/api/v1/accounts/{self.account_id}/calls", json=body)
        assert response.status_code == expect, response.text
        return dict(response.json())


async def _desk(
    make_client: MakeClient, make_account: MakeAccount, make_user: MakeUser, **settings: Any
) -> Desk:
    client = await make_client(**settings)
    collector = await make_user("collector", client_ids=[client["client_id"]])
    account = await make_account(client["client_id"], principal_cents=100_000)
    return Desk(client, collector, str(account["id"]))


@pytest.fixture
async def desk(make_client: MakeClient, make_account: MakeAccount, make_user: MakeUser) -> Desk:
    return await _desk(make_client, make_account, make_user)


async def _status(owner_db: asyncpg.Connection, desk: Desk) -> str:
    return str(
        await owner_db.fetchval("SELECT status FROM promise WHERE account_id = $1", desk.account_id)
    )


async def _sweep(day: str) -> dict[str, int]:
    from server.settlements.services import promises

    return await promises.judge_lapsed_promises(date.fromisoformat(day))


# --- what a promise must name ----------------------------------------------------------------


async def test_a_promise_without_amount_or_date_names_both_fields(desk: Desk) -> None:
    refused = await desk.promise(422, promise_amount_cents=None, promise_due_on=None)
    fields = [d["field"] for d in refused["error"]["details"]]
    assert fields == ["promise_amount_cents", "promise_due_on"]


@pytest.mark.parametrize(
    ("due_on", "expect"),
    [
        ("2025-06-02", 201),  # the day of the call
        ("2025-08-31", 201),  # 90 days after it
        ("2025-09-01", 422),  # 91 days
        ("2025-05-31", 422),  # before the call, even in Samoa
    ],
)
async def test_a_promise_falls_from_the_day_of_the_call_to_90_days_after(
    desk: Desk, due_on: str, expect: int
) -> None:
    answer = await desk.promise(expect, promise_due_on=due_on)
    if expect == 422:
        assert answer["error"]["details"][0]["field"] == "promise_due_on"


async def test_the_day_of_the_call_is_the_consumers_in_the_west(desk: Desk) -> None:
    # 06:00 UTC on 06-02 is still 06-01 in American Samoa and Hawaii: "today" is 06-01.
    await desk.promise(201, started_at="2025-06-02T06:00:00Z", promise_due_on="2025-06-01")
    refused = await desk.promise(
        422, started_at="2025-06-02T06:00:00Z", promise_due_on="2025-05-31"
    )
    assert "2025-06-01" in refused["error"]["details"][0]["reason"]


# --- kept by the money, broken by the sweep --------------------------------------------------


async def test_payments_within_the_date_and_grace_keep_the_promise(
    desk: Desk, admin: Caller, pay: Pay, owner_db: asyncpg.Connection
) -> None:
    await desk.promise()
    # Part of it by the date: still open.
    assert (
        await pay(admin, desk.account_id, amount_cents=20_000, received_at="2025-06-05")
    ).status_code == 201
    assert await _status(owner_db, desk) == "open"
    # The rest on the fifth day of grace (06-09 + 5 = 06-14): kept at once.
    assert (
        await pay(admin, desk.account_id, amount_cents=25_000, received_at="2025-06-14")
    ).status_code == 201
    assert await _status(owner_db, desk) == "kept"
    audited = await owner_db.fetchval(
        "SELECT after->>'paid_cents' FROM audit_event WHERE action = 'promise.keep'"
    )
    assert audited == "45000"
    assert await _sweep("2025-06-30") == {"kept": 0, "broken": 0}


async def test_money_a_day_after_the_grace_does_not_keep_it(
    desk: Desk, admin: Caller, pay: Pay, owner_db: asyncpg.Connection
) -> None:
    await desk.promise()
    await pay(admin, desk.account_id, amount_cents=45_000, received_at="2025-06-15")
    assert await _status(owner_db, desk) == "open"
    # The window's last day is 06-14: judged on 06-14 it is still open, on 06-15 broken.
    assert await _sweep("2025-06-14") == {"kept": 0, "broken": 0}
    assert await _status(owner_db, desk) == "open"
    assert await _sweep("2025-06-15") == {"kept": 0, "broken": 1}
    assert await _status(owner_db, desk) == "broken"
    assert await _sweep("2025-06-16") == {"kept": 0, "broken": 0}


async def test_money_taken_back_does_not_count(
    desk: Desk, admin: Caller, pay: Pay, owner_db: asyncpg.Connection
) -> None:
    await desk.promise()
    bounced = await pay(admin, desk.account_id, amount_cents=30_000, received_at="2025-06-04")
    assert (
        await reverse(admin, bounced.json()["payment_id"], returned_at="2025-06-06T15:00:00Z")
    ).status_code == 201
    await pay(admin, desk.account_id, amount_cents=15_000, received_at="2025-06-07")
    assert await _status(owner_db, desk) == "open"
    assert await _sweep("2025-06-15") == {"kept": 0, "broken": 1}


async def test_a_payment_recorded_late_but_dated_in_time_keeps_it(
    desk: Desk, admin: Caller, pay: Pay, owner_db: asyncpg.Connection
) -> None:
    # Nobody swept the night the window closed; the payment reported afterwards was
    # received in time, so the promise was kept.
    await desk.promise()
    await pay(admin, desk.account_id, amount_cents=45_000, received_at="2025-06-10")
    assert await _status(owner_db, desk) == "kept"


async def test_the_clients_grace_days_set_the_window(
    make_client: MakeClient,
    make_account: MakeAccount,
    make_user: MakeUser,
    admin: Caller,
    pay: Pay,
    owner_db: asyncpg.Connection,
) -> None:
    strict = await _desk(make_client, make_account, make_user, grace_days=0)
    assert strict.client["grace_days"] == 0
    await strict.promise()
    await pay(admin, strict.account_id, amount_cents=45_000, received_at="2025-06-10")
    assert await _status(owner_db, strict) == "open"
    assert await _sweep("2025-06-10") == {"kept": 0, "broken": 1}


@pytest.mark.parametrize(("grace_days", "expect"), [(-1, 422), (0, 200), (30, 200), (31, 422)])
async def test_a_clients_grace_days_are_0_to_30(
    make_client: MakeClient, admin: Caller, grace_days: int, expect: int
) -> None:
    client = await make_client()
    assert client["grace_days"] == 5
    response = await admin.patch(
        f"/api/v1/clients/{client['client_id']}", json={"grace_days": grace_days}
    )
    assert response.status_code == expect, response.text
    if expect == 422:
        assert "grace_days" in response.text
