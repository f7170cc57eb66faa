"""An account's payments are listed newest first by when they were received (then when
recorded, then id), and each "balance after" is the running balance in that order: the
payments list, the account detail's money section and its history agree, page by page."""

from __future__ import annotations

import csv
import io
import itertools
from typing import Any

import asyncpg
import httpx

from server.settlements.services.payments import PAYMENTS_CSV_HEADER
from tests.fixtures import Caller, MakeClient, MakeUser
from tests.placements.test_financial_files import (
    PLACED,
    financial,
    load_financial,
    place_accounts,
    row,
)
from tests.settlements.conftest import NewAccount, Pay, reverse


async def _paid(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _all_pages(caller: Caller, account_id: str, limit: int) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    cursor = None
    for _ in range(50):
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        page = await caller.get(f"/api/v1/accounts/{account_id}/payments", params=params)
        assert page.status_code == 200, page.text
        seen.extend(page.json()["items"])
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError("the pages never ended")


async def _csv(caller: Caller, account_id: str) -> list[dict[str, str]]:
    response = await caller.get(f"/api/v1/accounts/{account_id}/payments.csv")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def _as_listed(payment: dict[str, Any]) -> dict[str, str]:
    """A listed payment as its CSV row spells it."""
    reversal = payment["reversal"] or {}
    values = {**payment, "reversal_id": reversal.get("reversal_id"),
              "reversal_returned_at": reversal.get("returned_at")}  # fmt: skip
    return {k: _cell(values[k]) for k in PAYMENTS_CSV_HEADER}


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def _rows(payments: list[dict[str, Any]]) -> list[tuple[str, int, int]]:
    return [(p["received_on"], p["amount_cents"], p["balance_after_cents"]) for p in payments]


async def test_a_back_dated_payment_takes_its_place_and_the_balances_follow(
    admin: Caller, new_account: NewAccount, pay: Pay
) -> None:
    account = await new_account(100_000)
    # Recorded Oct 26, Nov 19, then a payment received Oct 7 that came in late.
    await _paid(await pay(admin, account["id"], amount_cents=2_000, received_at="2026-10-26"))
    await _paid(await pay(admin, account["id"], amount_cents=3_000, received_at="2026-11-19"))
    late = await _paid(
        await pay(admin, account["id"], amount_cents=1_000, received_at="2026-10-07")
    )
    # Read when it was recorded, the late one fits the list it belongs to.
    assert (late["balance_before_cents"], late["balance_after_cents"]) == (100_000, 99_000)

    expected = [("2026-11-19", 3_000, 94_000), ("2026-10-26", 2_000, 97_000),
                ("2026-10-07", 1_000, 99_000)]  # fmt: skip
    listed = await _all_pages(admin, account["id"], limit=50)
    assert _rows(listed) == expected
    assert _rows(await _all_pages(admin, account["id"], limit=1)) == expected
    for payment in listed:
        fetched = await admin.get(f"/api/v1/payments/{payment['payment_id']}")
        assert fetched.json() == payment

    assert await _csv(admin, account["id"]) == [_as_listed(p) for p in listed]

    detail = (await admin.get(f"/api/v1/accounts/{account['id']}")).json()
    assert detail["balance_cents"] == 94_000
    money = detail["sections"]["money"]
    assert money["payments"] == listed
    assert [(h["kind"], h["amount_cents"], h["balance_after_cents"]) for h in money["history"]] == [
        ("payment", 3_000, 94_000), ("payment", 2_000, 97_000), ("payment", 1_000, 99_000),
    ]  # fmt: skip


async def test_payments_received_at_one_moment_are_in_the_order_recorded(
    admin: Caller, new_account: NewAccount, pay: Pay
) -> None:
    account = await new_account(100_000)
    # One day given without a time (its start in the agency's zone), one time on it.
    first = await _paid(await pay(admin, account["id"], amount_cents=100, received_at="2026-11-02"))
    timed = await _paid(
        await pay(admin, account["id"], amount_cents=200, received_at="2026-11-02T15:00:00-05:00")
    )
    same = [
        await _paid(await pay(admin, account["id"], amount_cents=300 + i, received_at="2026-11-02"))
        for i in range(4)
    ]
    listed = await _all_pages(admin, account["id"], limit=2)
    newest_first = [timed, *reversed(same), first]
    assert [p["payment_id"] for p in listed] == [p["payment_id"] for p in newest_first]
    # Each one's balance after is the next older one's less its amount.
    assert listed[-1]["balance_before_cents"] == 100_000
    for newer, older in itertools.pairwise(listed):
        assert newer["balance_before_cents"] == older["balance_after_cents"]
        assert newer["balance_after_cents"] == older["balance_after_cents"] - newer["amount_cents"]
    assert listed[0]["balance_after_cents"] == 100_000 - sum(p["amount_cents"] for p in listed)


async def test_a_reversal_moves_the_running_balance_of_every_later_payment(
    admin: Caller, new_account: NewAccount, pay: Pay
) -> None:
    account = await new_account(100_000)
    await _paid(await pay(admin, account["id"], amount_cents=1_000, received_at="2026-10-07"))
    bounced = await _paid(
        await pay(admin, account["id"], amount_cents=2_000, received_at="2026-10-26")
    )
    await _paid(await pay(admin, account["id"], amount_cents=3_000, received_at="2026-11-19"))
    # The bank returned the Oct 26 payment on Nov 1, before the Nov 19 one came in.
    reversal = await reverse(admin, bounced["payment_id"], returned_at="2026-11-01T12:00:00Z")
    assert reversal.status_code == 201, reversal.text
    assert (reversal.json()["balance_before_cents"], reversal.json()["balance_after_cents"]) == (
        97_000, 99_000,
    )  # fmt: skip

    listed = await _all_pages(admin, account["id"], limit=50)
    assert _rows(listed) == [("2026-11-19", 3_000, 96_000), ("2026-10-26", 2_000, 97_000),
                             ("2026-10-07", 1_000, 99_000)]  # fmt: skip
    assert listed[1]["reversal"]["reversal_id"] == reversal.json()["reversal_id"]
    assert await _csv(admin, account["id"]) == [_as_listed(p) for p in listed]
    detail = (await admin.get(f"/api/v1/accounts/{account['id']}")).json()
    assert detail["balance_cents"] == 96_000
    money = detail["sections"]["money"]
    assert money["payments"] == listed
    assert [(h["kind"], h["amount_cents"], h["balance_after_cents"]) for h in money["history"]] == [
        ("payment", 3_000, 96_000), ("reversal", -2_000, 99_000), ("payment", 2_000, 97_000),
        ("payment", 1_000, 99_000),
    ]  # fmt: skip


async def test_a_payment_that_settles_answers_settled_with_nothing_left(
    admin: Caller, new_account: NewAccount, pay: Pay, make_user: MakeUser
) -> None:
    account = await new_account(100_000)
    collector = await make_user("collector", client_ids=[account["client_id"]])
    offer = await collector.post(
        f"/api/v1/accounts/{account['id']}/offers",
        json={"kind": "lump_sum", "amount_cents": 80_000},
    )
    assert offer.json()["status"] == "accepted", offer.text
    payment = await _paid(
        await pay(admin, account["id"], amount_cents=80_000, offer_id=offer.json()["offer_id"])
    )
    # The payment wrote the other 20,000 off: the account is settled, nothing left.
    assert (payment["account_status"], payment["balance_before_cents"],
            payment["balance_after_cents"]) == ("settled_in_full", 100_000, 0)  # fmt: skip
    detail = (await admin.get(f"/api/v1/accounts/{account['id']}")).json()
    assert (detail["status"], detail["balance_cents"]) == ("settled_in_full", 0)
    assert (await admin.get(f"/api/v1/payments/{payment['payment_id']}")).json() == payment
    assert detail["sections"]["money"]["payments"] == [payment]

    reversal = await reverse(admin, payment["payment_id"])
    assert reversal.status_code == 201, reversal.text
    # The reversal put back the payment and the write-off it caused.
    assert (reversal.json()["account_status"], reversal.json()["balance_before_cents"],
            reversal.json()["balance_after_cents"]) == ("active", 0, 100_000)  # fmt: skip
    detail = (await admin.get(f"/api/v1/accounts/{account['id']}")).json()
    assert (detail["status"], detail["balance_cents"]) == ("active", 100_000)
    again = (await admin.get(f"/api/v1/payments/{payment['payment_id']}")).json()
    # What the payment did stays as it was; only its reversal is added.
    assert {**again, "reversal": None} == payment


async def test_a_financial_files_acknowledgement_has_the_lists_balance_after(
    admin: Caller, make_client: MakeClient, pay: Pay, owner_db: asyncpg.Connection
) -> None:
    client = await make_client()
    await place_accounts(admin, client["client_id"], 1)
    account_id = str(await owner_db.fetchval("SELECT id FROM account"))
    await _paid(await pay(admin, account_id, amount_cents=3_000, received_at="2026-11-19"))
    # The client reports, later, a payment it received before that one.
    placement = await load_financial(
        admin, client["client_id"],
        financial([row(0, "payment", "10.00", payment_method="check", transaction_date="2026-10-07",
                       transaction_id="T-7")]),
    )  # fmt: skip
    listed = await _all_pages(admin, account_id, limit=50)
    assert _rows(listed) == [("2026-11-19", 3_000, PLACED - 4_000),
                             ("2026-10-07", 1_000, PLACED - 1_000)]  # fmt: skip
    ack = await admin.get(f"/api/v1/placements/{placement['placement_id']}/acknowledgement.csv")
    rows = list(csv.DictReader(io.StringIO(ack.text)))
    assert [(r["movement_id"], int(r["balance_after_cents"])) for r in rows] == [
        (listed[1]["payment_id"], PLACED - 1_000)
    ]
