"""Payments over HTTP: what is recorded, idempotency, overpayment, clearing, who may post."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta

import asyncpg

from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser
from tests.settlements.conftest import NewAccount, Pay, payment_body


async def test_a_payment_lowers_the_balance_and_is_recorded_with_its_audit_line(
    admin: Caller, new_account: NewAccount, pay: Pay,
    owner_db: asyncpg.Connection,
) -> None:  # fmt: skip
    account = await new_account(10_000)
    response = await pay(
        admin, account["id"], amount_cents=2_500, method="card", processor_reference="ch_9Xa1"
    )
    assert response.status_code == 201, response.text
    payment = response.json()
    assert payment["account_id"] == account["id"]
    assert payment["client_id"] == account["client_id"]
    assert payment["amount_cents"] == 2_500
    assert payment["received_on"] == "2026-11-02"
    assert payment["cleared_on"] == "2026-11-03"  # card: 1 business day
    assert payment["processor_reference"] == "ch_9Xa1"
    assert (payment["applied_cents"], payment["credit_cents"]) == (2_500, 0)
    assert payment["refund_due"] is False
    assert (payment["balance_before_cents"], payment["balance_after_cents"]) == (10_000, 7_500)
    assert payment["fee_rate_bps"] == 2500
    assert payment["account_status"] == "active"
    assert payment["reversal"] is None

    detail = (await admin.get(f"/api/v1/accounts/{account['id']}")).json()
    assert detail["balance_cents"] == 7_500
    assert detail["last_payment_date"] == "2026-11-02"
    money = detail["sections"]["money"]
    assert money["paid_cents"] == 2_500
    assert money["credit_cents"] == 0
    assert [p["payment_id"] for p in money["payments"]] == [payment["payment_id"]]
    assert money["history"][0]["balance_after_cents"] == 7_500

    fetched = await admin.get(f"/api/v1/payments/{payment['payment_id']}")
    assert fetched.json() == payment
    audit = await owner_db.fetch(
        "SELECT action, client_id FROM audit_event WHERE entity = 'payment' AND entity_id = $1",
        payment["payment_id"],
    )
    assert [(a["action"], str(a["client_id"])) for a in audit] == [
        ("payment.create", account["client_id"])
    ]


async def test_the_idempotency_key_is_required_and_named(
    admin: Caller, new_account: NewAccount,
    owner_db: asyncpg.Connection,
) -> None:  # fmt: skip
    account = await new_account()
    response = await admin.post(f"/api/v1/accounts/{account['id']}/payments", json=payment_body())
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "Idempotency-Key"
    assert await owner_db.fetchval("SELECT count(*) FROM payment") == 0


async def test_the_same_key_and_body_return_the_first_answer(
    admin: Caller, new_account: NewAccount, pay: Pay,
    owner_db: asyncpg.Connection,
) -> None:  # fmt: skip
    account = await new_account(10_000)
    first = await pay(admin, account["id"], key="k-1", amount_cents=1_000)
    again = await pay(admin, account["id"], key="k-1", amount_cents=1_000)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.content == first.content
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert await owner_db.fetchval("SELECT count(*) FROM payment") == 1
    detail = (await admin.get(f"/api/v1/accounts/{account['id']}")).json()
    assert detail["balance_cents"] == 9_000


async def test_the_same_key_with_another_body_or_account_is_a_conflict(
    admin: Caller, new_account: NewAccount, make_account: MakeAccount, pay: Pay,
    owner_db: asyncpg.Connection,
) -> None:  # fmt: skip
    account = await new_account()
    other = await make_account(account["client_id"])
    assert (await pay(admin, account["id"], key="k-2", amount_cents=1_000)).status_code == 201
    changed = await pay(admin, account["id"], key="k-2", amount_cents=1_001)
    assert changed.status_code == 409
    assert changed.json()["error"]["code"] == "idempotency_key_reused"
    elsewhere = await pay(admin, other["id"], key="k-2", amount_cents=1_000)
    assert elsewhere.status_code == 409
    assert await owner_db.fetchval("SELECT count(*) FROM payment") == 1


async def test_keys_of_two_clients_do_not_collide(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount, make_user: MakeUser,
    pay: Pay, owner_db: asyncpg.Connection,
) -> None:  # fmt: skip
    payments = []
    for _ in range(2):
        client = await make_client()
        account = await make_account(client["client_id"])
        user = await make_user("client", client_id=client["client_id"])
        response = await pay(user, account["id"], key="daily-1", paid_to="client")
        assert response.status_code == 201, response.text
        payments.append(response.json()["payment_id"])
    # The agency's own key space is a third one.
    staff = await pay(admin, account["id"], key="daily-1", paid_to="client")
    assert staff.status_code == 201
    assert staff.json()["payment_id"] not in payments
    assert await owner_db.fetchval("SELECT count(*) FROM payment") == 3


async def test_concurrent_requests_with_one_key_make_one_payment(
    admin: Caller, new_account: NewAccount, pay: Pay,
    owner_db: asyncpg.Connection,
) -> None:  # fmt: skip
    account = await new_account(50_000)
    responses = await asyncio.gather(
        *(pay(admin, account["id"], key="same", amount_cents=1_000) for _ in range(8))
    )
    assert [r.status_code for r in responses] == [201] * 8
    assert len({r.content for r in responses}) == 1
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == 7
    assert await owner_db.fetchval("SELECT count(*) FROM payment") == 1
    balance = await owner_db.fetchval("SELECT balance_cents FROM account")
    assert balance == 49_000


async def test_concurrent_payments_on_one_account_all_land_exactly(
    admin: Caller, new_account: NewAccount, pay: Pay,
    owner_db: asyncpg.Connection,
) -> None:  # fmt: skip
    account = await new_account(100_000)
    amounts = [1_000 + i for i in range(12)]
    responses = await asyncio.gather(*(pay(admin, account["id"], amount_cents=a) for a in amounts))
    assert [r.status_code for r in responses] == [201] * len(amounts)
    assert await owner_db.fetchval(
        "SELECT balance_cents FROM account WHERE id = $1", account["id"]
    ) == 100_000 - sum(amounts)
    # Each payment saw the balance the one before it left: the steps form one chain.
    steps = sorted(
        (
            (p["balance_before_cents"], p["balance_after_cents"])
            for p in (r.json() for r in responses)
        ),
        reverse=True,
    )
    assert steps[0][0] == 100_000
    assert all(a[1] == b[0] for a, b in itertools.pairwise(steps))


async def test_an_overpayment_is_a_credit_due_back_and_pays_the_account_in_full(
    admin: Caller, new_account: NewAccount, pay: Pay,
    owner_db: asyncpg.Connection,
) -> None:  # fmt: skip
    account = await new_account(10_000)
    response = await pay(admin, account["id"], amount_cents=12_345)
    assert response.status_code == 201
    payment = response.json()
    assert (payment["applied_cents"], payment["credit_cents"]) == (10_000, 2_345)
    assert payment["refund_due"] is True
    assert payment["balance_after_cents"] == 0
    assert payment["account_status"] == "paid_in_full"
    detail = (await admin.get(f"/api/v1/accounts/{account['id']}")).json()
    assert detail["status"] == "paid_in_full"
    assert detail["balance_cents"] == 0
    assert detail["sections"]["money"]["credit_cents"] == 2_345
    assert detail["sections"]["money"]["refund_due"] is True
    change = detail["status_history"][-1]
    assert (change["action"], change["from_status"], change["to_status"]) == (
        "payment", "active", "paid_in_full"
    )  # fmt: skip
    assert "$123.45" in change["reason"]
    # A payment on a paid account is all credit.
    more = (await pay(admin, account["id"], amount_cents=500)).json()
    assert (more["applied_cents"], more["credit_cents"]) == (0, 500)
    detail = (await admin.get(f"/api/v1/accounts/{account['id']}")).json()
    assert detail["sections"]["money"]["credit_cents"] == 2_845
    assert len(detail["status_history"]) == 1


async def test_clearing_counts_business_days_past_thanksgiving(
    admin: Caller, new_account: NewAccount, pay: Pay
) -> None:
    account = await new_account(clearing_days={"ach": 5, "check": 10, "card": 1})
    response = await pay(admin, account["id"], method="ach", received_at="2026-11-25")
    assert response.status_code == 201, response.text
    # Thu 26 Nov is Thanksgiving: Fri 27, Mon 30, Tue 1, Wed 2, Thu 3.
    assert response.json()["cleared_on"] == "2026-12-03"
    # Counting weekends alone would give Wed 2 Dec (and 9 Dec for a check's 10 days): the
    # holiday is what moves both by a day.
    check = await pay(admin, account["id"], method="check", received_at="2026-11-25")
    assert check.json()["cleared_on"] == "2026-12-10"


async def test_a_received_time_is_dated_in_the_agency_zone_and_never_in_the_future(
    admin: Caller, new_account: NewAccount, pay: Pay,
    owner_db: asyncpg.Connection,
) -> None:  # fmt: skip
    account = await new_account()
    late = await pay(admin, account["id"], received_at="2026-11-03T03:30:00+00:00")
    assert late.status_code == 201
    assert late.json()["received_on"] == "2026-11-02"  # 22:30 in New York
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    soon = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    for value in (tomorrow, soon, "2026-11-02T10:00:00", "yesterday!", "1969-12-31"):
        response = await pay(admin, account["id"], received_at=value)
        assert response.status_code == 422, value
        assert response.json()["error"]["details"][0]["field"] == "received_at"
    for bad in ({"amount_cents": 0}, {"amount_cents": -5}, {"method": "wire"},
                {"paid_to": "collector"}):  # fmt: skip
        assert (await pay(admin, account["id"], **bad)).status_code == 422, bad
    assert await owner_db.fetchval("SELECT count(*) FROM payment") == 1


async def test_who_may_post_a_payment(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount, make_user: MakeUser,
    pay: Pay, owner_db: asyncpg.Connection,
) -> None:  # fmt: skip
    mine, theirs = await make_client(), await make_client()
    account = await make_account(mine["client_id"])
    foreign = await make_account(theirs["client_id"])
    client_user = await make_user("client", client_id=mine["client_id"])
    collector = await make_user("collector", client_ids=[mine["client_id"]])
    supervisor = await make_user("supervisor")

    assert (await pay(client_user, foreign["id"], paid_to="client")).status_code == 404
    assert (await pay(collector, foreign["id"])).status_code == 404
    assert (await pay(client_user, account["id"], paid_to="agency")).status_code == 403
    assert (await pay(client_user, account["id"], paid_to="client")).status_code == 201
    assert (await pay(collector, account["id"])).status_code == 201
    assert (await pay(supervisor, foreign["id"])).status_code == 201
    assert await owner_db.fetchval(
        "SELECT count(*) FROM payment WHERE account_id = $1", account["id"]
    ) == 2  # fmt: skip
    # Reading follows the same lines.
    listed = await client_user.get(f"/api/v1/accounts/{account['id']}/payments")
    assert len(listed.json()["items"]) == 2
    assert (await client_user.get(f"/api/v1/accounts/{foreign['id']}/payments")).status_code == 404
    foreign_payment = await owner_db.fetchval(
        "SELECT id FROM payment WHERE account_id = $1", foreign["id"]
    )
    assert (await client_user.get(f"/api/v1/payments/{foreign_payment}")).status_code == 404
    assert (await collector.get(f"/api/v1/payments/{foreign_payment}")).status_code == 404


async def test_payments_list_newest_first_in_pages(
    admin: Caller, new_account: NewAccount, pay: Pay
) -> None:
    account = await new_account()
    ids = [(await pay(admin, account["id"], amount_cents=100 + i)).json()["payment_id"]
           for i in range(3)]  # fmt: skip
    first = (await admin.get(f"/api/v1/accounts/{account['id']}/payments?limit=2")).json()
    assert [p["payment_id"] for p in first["items"]] == ids[::-1][:2]
    rest = await admin.get(
        f"/api/v1/accounts/{account['id']}/payments?limit=2&cursor={first['next_cursor']}"
    )
    assert [p["payment_id"] for p in rest.json()["items"]] == ids[:1]
    assert rest.json()["next_cursor"] is None


async def test_the_application_role_cannot_edit_payments(
    admin: Caller, new_account: NewAccount, pay: Pay
) -> None:
    import pytest

    from server.kit.settings import get_settings

    account = await new_account()
    assert (await pay(admin, account["id"])).status_code == 201
    conn = await asyncpg.connect(get_settings().connection_url())
    try:
        for statement in (
            "UPDATE payment SET amount_cents = 1",
            "DELETE FROM payment",
            "UPDATE payment_reversal SET amount_cents = 1",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute(statement)
    finally:
        await conn.close()


async def test_old_idempotency_keys_are_purged_after_thirty_days(
    admin: Caller, new_account: NewAccount, pay: Pay,
    owner_db: asyncpg.Connection,
) -> None:  # fmt: skip
    from server.settlements import service

    account = await new_account()
    for key in ("old", "recent"):
        assert (await pay(admin, account["id"], key=key)).status_code == 201
    await owner_db.execute(
        "UPDATE idempotency_key SET created_at = now() - interval '31 days' WHERE key = 'old'"
    )
    await owner_db.execute(
        "UPDATE idempotency_key SET created_at = now() - interval '29 days' WHERE key = 'recent'"
    )
    assert await service.purge_idempotency_keys() == 1
    assert await owner_db.fetchval("SELECT array_agg(key) FROM idempotency_key") == ["recent"]
    # A purged key never pays twice: the payment itself still holds it.
    again = await pay(admin, account["id"], key="old")
    assert again.status_code == 409
    assert await owner_db.fetchval("SELECT count(*) FROM payment") == 2


def test_the_purge_runs_from_the_worker(services: object) -> None:
    from server import worker
    from server.settlements import jobs

    assert set(jobs.JOBS.jobs) <= set(worker.DECLARED.jobs)
    assert set(jobs.JOBS.sweepers) <= set(worker.DECLARED.sweepers)
    assert "settlements.purge_idempotency_keys" in {spec.name for spec in worker.DECLARED.jobs}
    assert "settlements.idempotency_keys" in {s.name for s in worker.DECLARED.sweepers}
