"""Values at the edge of what a type can hold are refused with a 422 naming the field,
never a 500: times far outside the agency's range (year 1 at +14:00 has no UTC date),
and money that is not an integer."""

from __future__ import annotations

import pytest

from tests.fixtures import Caller, new_key
from tests.settlements.conftest import NewAccount, Pay, payment_body

EDGES = ["0001-01-01T00:00:00+14:00", "1969-12-31T23:59:59Z", "9999-12-31T23:59:59-14:00"]


@pytest.mark.parametrize("received_at", EDGES)
async def test_a_payment_received_outside_the_range_is_refused(
    admin: Caller, new_account: NewAccount, pay: Pay, received_at: str
) -> None:
    account = await new_account()
    response = await pay(admin, str(account["id"]), received_at=received_at)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"][0]["field"] == "received_at"


@pytest.mark.parametrize("returned_at", EDGES)
async def test_a_reversal_returned_outside_the_range_is_refused(
    admin: Caller, new_account: NewAccount, pay: Pay, returned_at: str
) -> None:
    account = await new_account()
    payment = (await pay(admin, str(account["id"]))).json()
    response = await admin.post(
        f"/api/v1/payments/{payment['payment_id']}/reversal",
        json={"reason": "NSF", "returned_at": returned_at},
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"][0]["field"] == "returned_at"


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        ("100", "must be a whole number (an integer), not text or a decimal"),
        (1000.0, "must be a whole number (an integer), not text or a decimal"),
        (2500.5, "Expected `int`, got `float`"),
        (True, "Expected `int`, got `bool`"),
        ([100], "Expected `int`, got `array`"),
    ],
)
async def test_money_is_a_json_integer_and_nothing_else(
    admin: Caller, new_account: NewAccount, amount: object, reason: str
) -> None:
    account = await new_account()
    response = await admin.post(
        f"/api/v1/accounts/{account['id']}/payments",
        headers={"Idempotency-Key": new_key()},
        json=payment_body(amount_cents=amount),
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"] == [{"field": "amount_cents", "reason": reason}]
    listed = await admin.get(f"/api/v1/accounts/{account['id']}")
    assert listed.json()["balance_cents"] == 100_000


async def test_rates_in_a_map_and_nested_cents_are_integers_too(admin: Caller) -> None:
    response = await admin.post(
        "/api/v1/clients",
        json={
            "name": "Lenient Dental",
            "fee_rates_bps": {"primary": "2500", "secondary": 3500},
            "remittance_cycle": "monthly",
            "remittance_method": "net",
            "clearing_days": {"ach": 5},
            "authority": {"collector": {"min_installment_cents": 25.0}},
        },
    )
    assert response.status_code == 422, response.text
    [detail] = response.json()["error"]["details"]
    assert detail["field"] in ("fee_rates_bps", "authority.collector.min_installment_cents")
    assert detail["reason"] == "must be a whole number (an integer), not text or a decimal"
