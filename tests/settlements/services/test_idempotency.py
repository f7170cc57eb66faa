"""Idempotency keys over HTTP: required, replayed for the same body, refused for another,
scoped per client, safe under concurrency, purged after the retention."""

from __future__ import annotations

import asyncio

import asyncpg

from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser
from tests.settlements.conftest import NewAccount, Pay, payment_body


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


async def test_old_idempotency_keys_are_purged_after_thirty_days(
    admin: Caller, new_account: NewAccount, pay: Pay,
    owner_db: asyncpg.Connection,
) -> None:  # fmt: skip
    from server.settlements.services import idempotency

    account = await new_account()
    for key in ("old", "recent"):
        assert (await pay(admin, account["id"], key=key)).status_code == 201
    await owner_db.execute(
        "UPDATE idempotency_key SET created_at = now() - interval '31 days' WHERE key = 'old'"
    )
    await owner_db.execute(
        "UPDATE idempotency_key SET created_at = now() - interval '29 days' WHERE key = 'recent'"
    )
    assert await idempotency.purge_idempotency_keys() == 1
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
