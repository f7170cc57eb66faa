"""The dashboard's figures from the domain services: collections by vintage, month by month
since placement, net of reversals."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg

from server.auth.principal import SYSTEM
from server.kit import clock
from server.settlements.services import reporting
from tests.client_portal.conftest import NewBrowser
from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser
from tests.settlements.conftest import new_key


def months_ago(months: int, day: int) -> date:
    today = datetime.now(ZoneInfo("America/New_York")).date()
    total = today.year * 12 + today.month - 1 - months
    return date(total // 12, total % 12 + 1, day)


async def pay(admin: Caller, account_id: str, cents: int, on: date) -> str:
    response = await admin.post(
        f"/api/v1/accounts/{account_id}/payments",
        headers={"Idempotency-Key": new_key()},
        json={"amount_cents": cents, "method": "ach", "paid_to": "agency",
              "received_at": on.isoformat()},
    )  # fmt: skip
    assert response.status_code == 201, response.text
    return str(response.json()["payment_id"])


async def test_liquidation_counts_each_month_since_placement_net_of_reversals(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount,
    owner_db: asyncpg.Connection,
) -> None:  # fmt: skip
    client = await make_client()
    old = await make_account(client["client_id"], principal_cents=100_000)
    new = await make_account(client["client_id"], principal_cents=50_000)
    placed = datetime.combine(months_ago(3, 5), datetime.min.time(), UTC).replace(hour=15)
    await owner_db.execute(
        "UPDATE account SET created_at = $2 WHERE id = $1", UUID(old["id"]), placed
    )
    await pay(admin, old["id"], 10_000, months_ago(3, 10))
    bounced = await pay(admin, old["id"], 5_000, months_ago(2, 10))
    returned = datetime.combine(months_ago(1, 10), datetime.min.time(), UTC).replace(hour=15)
    reversal = await admin.post(
        f"/api/v1/payments/{bounced}/reversal",
        json={"reason": "NSF", "returned_at": returned.isoformat()},
    )
    assert reversal.status_code == 201, reversal.text
    await pay(admin, new["id"], 2_500, months_ago(0, 1))

    vintages = await reporting.liquidation(SYSTEM, UUID(client["client_id"]))
    assert [(v.vintage, v.accounts, v.placed_balance_cents) for v in vintages] == [
        (months_ago(3, 1), 1, 100_000),
        (months_ago(0, 1), 1, 50_000),
    ]
    assert vintages[0].collected_cents == [10_000, 15_000, 10_000, 10_000]
    assert vintages[1].collected_cents == [2_500]
    assert await reporting.collected(SYSTEM, UUID(client["client_id"])) == 12_500


async def test_the_dashboard_explains_collected_remitted_pending_and_mature_recovery(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount,
    owner_db: asyncpg.Connection, make_user: MakeUser, browser: NewBrowser,
) -> None:  # fmt: skip
    zone = ZoneInfo("America/New_York")
    today = clock.agency_today()
    # ACH clears the day it is received; a check three business days after.
    client = await make_client(clearing_days={"ach": 0, "check": 3, "card": 1})
    client_id = UUID(client["client_id"])
    ninety = await make_account(client["client_id"], principal_cents=100_000,
                                client_account_number="OLD-90")  # fmt: skip
    younger = await make_account(client["client_id"], principal_cents=40_000,
                                 client_account_number="NEW-89")  # fmt: skip
    for account, age in ((ninety, 90), (younger, 89)):
        placed = datetime.combine(today - timedelta(days=age), time(9), zone)
        await owner_db.execute(
            "UPDATE account SET created_at = $2 WHERE id = $1", UUID(account["id"]), placed
        )
    await pay(admin, ninety["id"], 10_000, today)
    for account, cents, method, to in ((ninety, 3_000, "check", "agency"),
                                       (younger, 2_000, "ach", "client")):  # fmt: skip
        paid = await admin.post(
            f"/api/v1/accounts/{account['id']}/payments",
            headers={"Idempotency-Key": new_key()},
            json={"amount_cents": cents, "method": method, "paid_to": to,
                  "received_at": today.isoformat()},
        )  # fmt: skip
        assert paid.status_code == 201, paid.text
    flight = await reporting.money_in_flight(SYSTEM, client_id)
    assert (flight.cleared_cents, flight.clearing_cents, flight.direct_cents) == (
        10_000, 3_000, 2_000
    )  # fmt: skip
    mature = await reporting.mature_recovery(SYSTEM, client_id)
    # Placed 90 days ago counts; 89 days ago is left out, named on the page.
    assert mature.since == today - timedelta(days=reporting.RECOVERY_MIN_AGE_DAYS)
    assert (mature.placed_cents, mature.collected_cents) == (100_000, 13_000)
    assert (mature.young_accounts, mature.young_placed_cents) == (1, 40_000)

    user = await make_user("client", client_id=client["client_id"])
    signed_in = await browser()
    assert (await signed_in.sign_in(user.username or "")).status_code == 303
    page = (await signed_in.get("/portal/dashboard")).text
    assert "13.0%" in page  # 13,000 of 100,000 placed 90+ days ago
    assert "10.7%" in page  # 15,000 of 140,000 over all files
    assert "Pending: cleared" in page
    assert f"{mature.since:%b} {mature.since.day}, {mature.since.year}" in page
    export = (await signed_in.get("/portal/dashboard.csv")).text
    figures = {row["figure"]: row for row in csv.DictReader(io.StringIO(export))}
    assert figures["pending_cleared"]["cents"] == "10000"
    assert figures["pending_not_cleared"]["amount"] == "30.00"
    assert figures["recovery_rate_90_days_or_more"]["amount"] == "13.0%"
    assert figures["recovery_rate_all"]["amount"] == "10.7%"

    accounts = (await signed_in.get("/portal/accounts.csv")).text
    rows = {r["Client account number"]: r for r in csv.DictReader(io.StringIO(accounts))}
    assert set(rows) == {"OLD-90", "NEW-89"}
    assert (rows["OLD-90"]["payments"], rows["OLD-90"]["Collected $"]) == ("2", "130.00")
    assert rows["NEW-89"]["Balance $"] == "380.00"
    assert rows["OLD-90"]["Last payment received"] == today.isoformat()
    assert rows["OLD-90"]["Debtor"]
    birth = await owner_db.fetchval(
        "SELECT d.date_of_birth FROM debtor_profile d JOIN account a ON a.debtor_id = d.debtor_id"
        " AND a.client_id = d.client_id WHERE a.id = $1",
        UUID(ninety["id"]),
    )
    assert birth.isoformat() not in accounts
