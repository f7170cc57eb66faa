"""Money on accounts the client took back (recalled) or the agency closed: their live
offers end with them, nothing is written off, and money still received is recorded,
flagged and remitted, whether it comes through the API or a client's financial file."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg

from server.kit import clock
from server.kit.settings import get_settings
from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser, new_key
from tests.placements.test_change_files import _load as load_change_file
from tests.placements.test_financial_files import (
    balances,
    errors_of,
    financial,
    load_financial,
    place_accounts,
    row,
)
from tests.settlements.conftest import Pay, Shop
from tests.settlements.services.test_offers import make_offer


async def _offer(owner_db: asyncpg.Connection, offer_id: str) -> tuple[str, str | None]:
    found = await owner_db.fetchrow(
        "SELECT status, closed_reason FROM offer WHERE id = $1", UUID(offer_id)
    )
    return found["status"], found["closed_reason"]


async def test_a_recall_withdraws_the_accepted_offer_and_its_payment_writes_nothing_off(
    shop: Shop, admin: Caller, pay: Pay, owner_db: asyncpg.Connection
) -> None:
    """The finding: after a recall, paying the accepted 80 % offer wrote off the rest and
    marked the offer fulfilled."""
    account_id = await shop.account(100_000)
    offer = (
        await make_offer(shop.collector, account_id, kind="lump_sum", amount_cents=80_000)
    ).json()
    assert offer["status"] == "accepted"
    recalled = await shop.user.post(
        f"/api/v1/accounts/{account_id}/recall", json={"reason": "taken back"}
    )
    assert recalled.status_code == 200, recalled.text
    assert await _offer(owner_db, offer["offer_id"]) == ("withdrawn", "account_recalled")

    on_offer = await pay(admin, account_id, amount_cents=80_000, offer_id=offer["offer_id"])
    assert on_offer.status_code == 409, on_offer.text
    paid = await pay(admin, account_id, amount_cents=80_000)
    assert paid.status_code == 201, paid.text
    assert (paid.json()["left_collection"], paid.json()["account_status"]) == (
        "recalled", "recalled",
    )  # fmt: skip
    account = (await admin.get(f"/api/v1/accounts/{account_id}")).json()
    assert (account["status"], account["balance_cents"]) == ("recalled", 20_000)
    assert await owner_db.fetchval("SELECT count(*) FROM balance_adjustment") == 0
    assert await _offer(owner_db, offer["offer_id"]) == ("withdrawn", "account_recalled")
    withdrawn = await owner_db.fetchval(
        "SELECT count(*) FROM audit_event WHERE action = 'offer.withdraw' AND entity_id = $1",
        offer["offer_id"],
    )
    assert withdrawn == 1


async def test_closing_withdraws_a_pending_offer(
    shop: Shop, admin: Caller, owner_db: asyncpg.Connection
) -> None:
    account_id = await shop.account(100_000)
    offer = (
        await make_offer(shop.collector, account_id, kind="lump_sum", amount_cents=70_000)
    ).json()
    assert offer["status"] == "pending_supervisor"
    closed = await admin.post(
        f"/api/v1/accounts/{account_id}/status", json={"reason": "sold", "status": "closed"}
    )
    assert closed.status_code == 200, closed.text
    assert await _offer(owner_db, offer["offer_id"]) == ("withdrawn", "account_closed")
    decided = await admin.post(
        f"/api/v1/offers/{offer['offer_id']}/decision", json={"decision": "accept"}
    )
    assert decided.status_code == 409, decided.text


async def test_a_recall_file_withdraws_the_live_offers_of_the_accounts_it_names(
    admin: Caller, make_client: MakeClient, make_user: MakeUser, owner_db: asyncpg.Connection
) -> None:
    client = await make_client()
    await place_accounts(admin, client["client_id"], 2)
    collector = await make_user("collector", client_ids=[client["client_id"]])
    ids = dict(await owner_db.fetch("SELECT client_account_number, id FROM account"))
    offers = {}
    for number in ("AC-00000", "AC-00001"):
        made = await collector.post(
            f"/api/v1/accounts/{ids[number]}/offers",
            json={"kind": "lump_sum", "amount_cents": 100_000},
        )
        assert made.json()["status"] == "accepted", made.text
        offers[number] = made.json()["offer_id"]
    body = b"client_account_number,reason\r\nAC-00000,paid the client\r\n"
    await load_change_file(admin, client["client_id"], body, "recall")
    assert await _offer(owner_db, offers["AC-00000"]) == ("withdrawn", "account_recalled")
    assert await _offer(owner_db, offers["AC-00001"]) == ("accepted", None)
    # The direct payment the client then reports is recorded, and settles nothing.
    await load_financial(admin, client["client_id"], financial([row(0, "payment", "1,000.00")]))
    assert (await balances(owner_db, client["client_id"]))["AC-00000"] == (24_456, "recalled")
    assert await owner_db.fetchval("SELECT count(*) FROM balance_adjustment") == 0


async def test_a_payment_after_a_recall_or_close_is_recorded_by_the_api_and_a_file_alike(
    admin: Caller, make_client: MakeClient, owner_db: asyncpg.Connection
) -> None:
    """The finding: an API payment on a closed account was accepted while a financial
    file refused the same row (and a recalled account's was "not found")."""
    client = await make_client()
    await place_accounts(admin, client["client_id"], 2)
    ids = dict(await owner_db.fetch("SELECT client_account_number, id FROM account"))
    closed = await admin.post(
        f"/api/v1/accounts/{ids['AC-00000']}/status", json={"reason": "sold", "status": "closed"}
    )
    assert closed.status_code == 200, closed.text
    recalled = await admin.post(f"/api/v1/accounts/{ids['AC-00001']}/recall", json={"reason": "x"})
    assert recalled.status_code == 200, recalled.text
    placement = await load_financial(
        admin, client["client_id"],
        financial([row(0, "payment", "10.00", transaction_id="F-0"),
                   row(1, "payment", "20.00", transaction_id="F-1")]),
    )  # fmt: skip
    assert await errors_of(admin, placement) == []
    assert placement["rows_accepted"] == 2
    for number in ("AC-00000", "AC-00001"):
        response = await admin.post(
            f"/api/v1/accounts/{ids[number]}/payments", headers={"Idempotency-Key": new_key()},
            json={"amount_cents": 500, "method": "ach", "paid_to": "agency",
                  "received_at": clock.agency_today().isoformat()},
        )  # fmt: skip
        assert response.status_code == 201, response.text
    flagged = await owner_db.fetch(
        "SELECT a.client_account_number AS number, p.paid_to, p.left_collection"
        " FROM payment p JOIN account a ON a.id = p.account_id"
    )
    assert sorted(tuple(r.values()) for r in flagged) == [
        ("AC-00000", "agency", "closed"), ("AC-00000", "client", "closed"),
        ("AC-00001", "agency", "recalled"), ("AC-00001", "client", "recalled"),
    ]  # fmt: skip
    listed = (await admin.get(f"/api/v1/accounts/{ids['AC-00001']}/payments")).json()["items"]
    assert {p["left_collection"] for p in listed} == {"recalled"}
    assert await balances(owner_db, client["client_id"]) == {
        "AC-00000": (124_456 - 1_500, "closed"), "AC-00001": (124_456 - 2_500, "recalled"),
    }  # fmt: skip


async def test_a_payment_after_a_recall_is_on_the_next_statement_at_the_locked_rate(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount
) -> None:
    client = await make_client(
        remittance_cycle="daily", clearing_days={"ach": 0, "check": 0, "card": 0}
    )
    account = await make_account(client["client_id"], principal_cents=100_000, fee_rate_bps=3300)
    recalled = await admin.post(f"/api/v1/accounts/{account['id']}/recall", json={"reason": "x"})
    assert recalled.status_code == 200, recalled.text
    # The client's fee schedule changes after placement: the account's rate stays locked.
    changed = await admin.patch(
        f"/api/v1/clients/{client['client_id']}",
        json={"fee_rates_bps": {"primary": 1000, "secondary": 1000, "legal": 1000}},
    )
    assert changed.status_code == 200, changed.text
    day = clock.agency_today() - timedelta(days=2)
    paid = await admin.post(
        f"/api/v1/accounts/{account['id']}/payments", headers={"Idempotency-Key": new_key()},
        json={"amount_cents": 10_000, "method": "ach", "paid_to": "agency",
              "received_at": day.isoformat()},
    )  # fmt: skip
    assert paid.status_code == 201, paid.text
    zone = ZoneInfo(get_settings().agency_timezone)
    as_of = datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(days=1)
    run = await admin.post("/api/v1/remittance/run", json={"as_of": as_of.isoformat()})
    assert run.status_code == 200, run.text
    [statement] = [s for s in run.json()["statements"] if s["client_id"] == client["client_id"]]
    detail = (await admin.get(f"/api/v1/statements/{statement['statement_id']}")).json()
    lines: list[dict[str, Any]] = detail["lines"]
    assert [(line["payment_id"], line["fee_rate_bps"], line["fee_cents"], line["net_cents"])
            for line in lines] == [(paid.json()["payment_id"], 3300, 3_300, 6_700)]  # fmt: skip
