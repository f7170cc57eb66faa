"""Debts serviced together under a single account number when obtained (student loans,
12 CFR 1006.14(b)(4)) are one debt for the call-frequency rules: the number comes from the
new-business file only, shows in the account detail, and the calls about any of them count
for each; accounts not serviced together keep their own counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from server.placements import ingest
from tests.fixtures import Caller, MakeClient, MakeUser
from tests.placements.test_ingest import HEADER, csv_bytes, good_row, upload_and_load

SERVICED_HEADER = list(dict.fromkeys([*HEADER, "serviced_account_number"]))
# Monday 2 June 2025, 10:00 in Columbus (the accounts' address).
MONDAY = datetime(2025, 6, 2, 14, tzinfo=UTC)
PHONE = "+16145550142"


def _person_row(number: int, serviced: str) -> dict[str, str]:
    # One person (one SSN) with several loans.
    return good_row(number, ssn="123-45-6789", serviced_account_number=serviced)


async def _accounts(
    admin: Caller, make_client: MakeClient, serviced: list[str]
) -> tuple[str, dict[str, dict[str, Any]]]:
    client = await make_client()
    rows = [_person_row(i, s) for i, s in enumerate(serviced)]
    placement = await upload_and_load(
        admin, client["client_id"], csv_bytes(rows, header=SERVICED_HEADER)
    )
    assert placement["rows_accepted"] == len(serviced), placement
    listed = (await admin.get("/api/v1/accounts", params={"client_id": client["client_id"]})).json()
    details = {}
    for item in listed["items"]:
        detail = (await admin.get(f"/api/v1/accounts/{item['account_id']}")).json()
        details[detail["client_account_number"]] = detail
    return client["client_id"], details


async def _call(caller: Caller, account_id: str, at: datetime, outcome: str = "no_answer") -> None:
    body = {"phone": PHONE, "direction": "outbound", "started_at": at.isoformat(),
            "duration_s": 30, "outcome": outcome}  # fmt: skip
    response = await caller.post(f"/api/v1/accounts/{account_id}/calls", json=body)
    assert response.status_code == 201, response.text


async def _check(caller: Caller, account_id: str, at: datetime) -> dict[str, Any]:
    response = await caller.post(
        f"/api/v1/accounts/{account_id}/call-check", json={"phone": PHONE, "at": at.isoformat()}
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_loans_serviced_under_one_number_are_one_debt_for_the_counts(
    admin: Caller, make_client: MakeClient, make_user: MakeUser
) -> None:
    client_id, accounts = await _accounts(admin, make_client, ["SL-1", "SL-1", "SL-2", ""])
    assert [accounts[f"AC-0000{i}"]["serviced_account_number"] for i in range(4)] == [
        "SL-1", "SL-1", "SL-2", None,
    ]  # fmt: skip
    assert len({a["debtor"]["debtor_id"] for a in accounts.values()}) == 1
    collector = await make_user("collector", client_ids=[client_id])
    first, together, apart, alone = (accounts[f"AC-0000{i}"]["account_id"] for i in range(4))

    # Seven calls placed about the first loan over the week.
    for day in range(7):
        await _call(collector, first, MONDAY + timedelta(days=day))
    later = MONDAY + timedelta(days=6, hours=2)
    assert (await _check(collector, together, later))["rule"] == "reg_f_7_in_7"
    assert (await _check(collector, apart, later))["allowed"] is True
    assert (await _check(collector, alone, later))["allowed"] is True


async def test_a_conversation_about_one_loan_blocks_the_loans_serviced_with_it(
    admin: Caller, make_client: MakeClient, make_user: MakeUser
) -> None:
    client_id, accounts = await _accounts(admin, make_client, ["SL-1", "SL-1", "SL-2"])
    collector = await make_user("collector", client_ids=[client_id])
    first, together, apart = (accounts[f"AC-0000{i}"]["account_id"] for i in range(3))
    await _call(collector, first, MONDAY, "right_party_contact")
    tomorrow = MONDAY + timedelta(days=1)
    assert (await _check(collector, together, tomorrow))["rule"] == "reg_f_after_conversation"
    assert (await _check(collector, apart, tomorrow))["allowed"] is True


async def test_a_maintenance_file_does_not_change_the_serviced_number(
    admin: Caller, make_client: MakeClient
) -> None:
    client_id, accounts = await _accounts(admin, make_client, ["SL-1"])
    body = (
        b"client_account_number,address_line1,city,state,zip,serviced_account_number\r\n"
        b"AC-00000,5 New Rd,Dayton,OH,45402,SL-9\r\n"
    )
    response = await admin.post(
        "/api/v1/placements",
        params={"client_id": client_id, "kind": "maintenance"},
        content=body,
        headers={"Content-Type": "text/csv"},
    )
    assert response.status_code == 202, response.text
    assert await ingest.load_placement(UUID(response.json()["placement_id"])) == "loaded"
    detail = (await admin.get(f"/api/v1/accounts/{accounts['AC-00000']['account_id']}")).json()
    assert detail["debtor"]["city"] == "Dayton"
    assert detail["serviced_account_number"] == "SL-1"
