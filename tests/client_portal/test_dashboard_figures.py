"""The dashboard's figures from the domain services: collections by vintage, month by month
since placement, net of reversals."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg

from server.auth.principal import SYSTEM
from server.settlements.services import reporting
from tests.fixtures import Caller, MakeAccount, MakeClient
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
