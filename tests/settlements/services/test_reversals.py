"""Reversals over HTTP: the balance and credit restored, paid accounts reopened, once only."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg

from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser
from tests.settlements.conftest import NewAccount, Pay, reverse


async def test_a_reversal_restores_the_balance(
    admin: Caller, new_account: NewAccount, pay: Pay,
    owner_db: asyncpg.Connection,
) -> None:  # fmt: skip
    account = await new_account(10_000)
    payment = (await pay(admin, account["id"], amount_cents=3_000)).json()
    response = await reverse(admin, payment["payment_id"], returned_at="2026-11-10T15:00:00Z")
    assert response.status_code == 201, response.text
    reversal = response.json()
    assert reversal["payment_id"] == payment["payment_id"]
    assert reversal["amount_cents"] == 3_000
    assert reversal["returned_at"].startswith("2026-11-10T15:00:00")
    assert (reversal["balance_before_cents"], reversal["balance_after_cents"]) == (7_000, 10_000)
    assert reversal["credit_removed_cents"] == 0
    assert reversal["account_status"] == "active"

    detail = (await admin.get(f"/api/v1/accounts/{account['id']}")).json()
    assert detail["balance_cents"] == 10_000
    assert detail["sections"]["money"]["paid_cents"] == 0
    kinds = [(h["kind"], h["amount_cents"]) for h in detail["sections"]["money"]["history"]]
    assert kinds == [("reversal", -3_000), ("payment", 3_000)]
    fetched = (await admin.get(f"/api/v1/payments/{payment['payment_id']}")).json()
    assert fetched["reversal"]["reversal_id"] == reversal["reversal_id"]
    assert fetched["reversal"]["reason"] == "NSF"
    assert await owner_db.fetchval(
        "SELECT count(*) FROM audit_event WHERE action = 'payment.reverse' AND entity_id = $1",
        reversal["reversal_id"],
    ) == 1  # fmt: skip


async def test_reversing_an_overpayment_removes_its_credit_and_reopens_the_account(
    admin: Caller, new_account: NewAccount, pay: Pay
) -> None:
    account = await new_account(10_000)
    payment = (await pay(admin, account["id"], amount_cents=12_000)).json()
    assert payment["account_status"] == "paid_in_full"
    reversal = (await reverse(admin, payment["payment_id"], reason="chargeback")).json()
    assert reversal["credit_removed_cents"] == 2_000
    assert (reversal["balance_before_cents"], reversal["balance_after_cents"]) == (0, 10_000)
    assert reversal["account_status"] == "active"
    detail = (await admin.get(f"/api/v1/accounts/{account['id']}")).json()
    assert (detail["status"], detail["balance_cents"]) == ("active", 10_000)
    assert detail["sections"]["money"]["credit_cents"] == 0
    assert detail["sections"]["money"]["refund_due"] is False
    reopened = detail["status_history"][-1]
    assert (reopened["action"], reopened["from_status"], reopened["to_status"]) == (
        "reversal", "paid_in_full", "active"
    )  # fmt: skip
    assert "chargeback" in reopened["reason"]


async def test_reversing_an_earlier_payment_turns_a_later_credit_into_payment(
    admin: Caller, new_account: NewAccount, pay: Pay
) -> None:
    account = await new_account(10_000)
    first = (await pay(admin, account["id"], amount_cents=8_000)).json()
    second = (await pay(admin, account["id"], amount_cents=5_000)).json()
    assert (second["applied_cents"], second["credit_cents"]) == (2_000, 3_000)
    reversal = (await reverse(admin, first["payment_id"])).json()
    # 5,000 paid on 10,000 owed: 5,000 still owed and nothing to refund.
    assert reversal["credit_removed_cents"] == 3_000
    assert reversal["balance_after_cents"] == 5_000
    detail = (await admin.get(f"/api/v1/accounts/{account['id']}")).json()
    assert (detail["status"], detail["balance_cents"]) == ("active", 5_000)
    assert detail["sections"]["money"]["credit_cents"] == 0
    assert detail["sections"]["money"]["paid_cents"] == 5_000


async def test_a_settled_account_reopens(
    admin: Caller, new_account: NewAccount, pay: Pay,
    owner_db: asyncpg.Connection,
) -> None:  # fmt: skip
    account = await new_account(10_000)
    payment = (await pay(admin, account["id"], amount_cents=7_000)).json()
    # What accepting and paying a settlement will leave (offers are not recorded yet).
    await owner_db.execute(
        "UPDATE account SET status = 'settled_in_full' WHERE id = $1", account["id"]
    )
    reversal = (await reverse(admin, payment["payment_id"])).json()
    assert reversal["account_status"] == "active"


async def test_a_payment_is_reversed_once(
    admin: Caller, new_account: NewAccount, pay: Pay,
    owner_db: asyncpg.Connection,
) -> None:  # fmt: skip
    account = await new_account(10_000)
    payment = (await pay(admin, account["id"], amount_cents=1_000)).json()
    assert (await reverse(admin, payment["payment_id"])).status_code == 201
    again = await reverse(admin, payment["payment_id"])
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "payment_already_reversed"
    # At once, too: exactly one lands and the balance moves once.
    other = (await pay(admin, account["id"], amount_cents=2_000)).json()
    responses = await asyncio.gather(*(reverse(admin, other["payment_id"]) for _ in range(6)))
    assert sorted(r.status_code for r in responses) == [201] + [409] * 5
    assert await owner_db.fetchval(
        "SELECT balance_cents FROM account WHERE id = $1", account["id"]
    ) == 10_000  # fmt: skip
    assert await owner_db.fetchval("SELECT count(*) FROM payment_reversal") == 2


async def test_the_return_date_is_checked(
    admin: Caller, new_account: NewAccount, pay: Pay,
    owner_db: asyncpg.Connection,
) -> None:  # fmt: skip
    account = await new_account()
    payment = (await pay(admin, account["id"], received_at="2026-11-02")).json()
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    for value in (future, "2026-11-01T12:00:00-05:00", "2026-11-03T10:00:00"):
        response = await reverse(admin, payment["payment_id"], returned_at=value)
        assert response.status_code == 422, value
        assert response.json()["error"]["details"][0]["field"].startswith("returned_at")
    assert (await reverse(admin, payment["payment_id"], reason="")).status_code == 422
    assert await owner_db.fetchval("SELECT count(*) FROM payment_reversal") == 0
    # Now, by default.
    reversal = (await reverse(admin, payment["payment_id"])).json()
    returned = datetime.fromisoformat(reversal["returned_at"])
    assert abs(returned - datetime.now(UTC)) < timedelta(minutes=1)


async def test_who_may_reverse(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount, make_user: MakeUser,
    pay: Pay,
) -> None:  # fmt: skip
    mine, theirs = await make_client(), await make_client()
    account = await make_account(mine["client_id"])
    foreign = await make_account(theirs["client_id"])
    client_user = await make_user("client", client_id=mine["client_id"])
    collector = await make_user("collector", client_ids=[mine["client_id"]])
    supervisor = await make_user("supervisor")
    to_agency = (await pay(admin, account["id"])).json()["payment_id"]
    direct = (await pay(client_user, account["id"], paid_to="client")).json()["payment_id"]
    elsewhere = (await pay(admin, foreign["id"], paid_to="client")).json()["payment_id"]

    assert (await reverse(client_user, elsewhere)).status_code == 404
    assert (await reverse(collector, elsewhere)).status_code == 404
    assert (await reverse(collector, to_agency)).status_code == 403
    assert (await reverse(client_user, to_agency)).status_code == 403
    assert (await reverse(client_user, direct)).status_code == 201
    assert (await reverse(supervisor, to_agency)).status_code == 201
