"""One person placed by two clients: each client sees and changes only what its own files
supplied; the agency (its staff and its contact rules) sees the person whole."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import asyncpg

from tests.fixtures import Caller, MakeClient, MakeUser
from tests.placements.test_change_files import _load
from tests.placements.test_ingest import csv_bytes, good_row, upload_and_load
from tests.queues.test_calls_across_zones import _check

SSN = "123-45-6789"
# What client 2 supplied; none of it may reach client 1.
FULL = good_row(
    1, client_account_number="TWO-1", first_name="Evangeline", last_name="Secretworth",
    ssn=SSN, date_of_birth="1961-09-17", address_line1="77 Hidden Way", city="Los Angeles",
    state="CA", zip="90012", phone_mobile="(213) 555-0177", email="evangeline@hidden.example",
)  # fmt: skip
SECRETS = ("Evangeline", "Secretworth", "1961-09-17", "Hidden Way", "Los Angeles", "90012",
           "2135550177", "hidden.example", "America/Los_Angeles")  # fmt: skip
# Client 1's row: the same SSN, a dummy name, a ZIP.
DUMMY = good_row(
    2, client_account_number="ONE-1", first_name="", last_name="Dummy", ssn=SSN,
    date_of_birth="", address_line1="", city="", state="", zip="43215", phone_mobile="",
    email="",
)  # fmt: skip


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


async def _account_of(caller: Caller, client_id: str, number: str) -> dict[str, Any]:
    listed = await caller.get("/api/v1/accounts", params={"client_id": client_id})
    assert listed.status_code == 200, listed.text
    found = [a for a in listed.json()["items"] if a["client_account_number"] == number]
    assert len(found) == 1, listed.text
    return dict(found[0])


async def test_an_ssn_and_a_dummy_name_show_nothing_another_client_supplied(
    admin: Caller, make_client: MakeClient, make_user: MakeUser, owner_db: asyncpg.Connection
) -> None:
    one, two = await make_client(), await make_client()
    await upload_and_load(admin, two["client_id"], csv_bytes([FULL]))
    await upload_and_load(admin, one["client_id"], csv_bytes([DUMMY]))
    # The agency knows it is one person ...
    assert await owner_db.fetchval("SELECT count(DISTINCT debtor_id) FROM account") == 1
    user = await make_user("client", client_id=one["client_id"])
    listed = await user.get("/api/v1/accounts", params={"client_id": one["client_id"]})
    mine = await _account_of(user, one["client_id"], "ONE-1")
    assert mine["debtor_name"] == "Dummy"
    detail = await user.get(f"/api/v1/accounts/{mine['account_id']}")
    assert detail.status_code == 200, detail.text
    # ... and client 1 sees only what client 1 supplied.
    for text in (listed.text, detail.text):
        assert not [s for s in SECRETS if s in text], text
    debtor = detail.json()["debtor"]
    assert (debtor["first_name"], debtor["last_name"], debtor["date_of_birth"]) == (
        None, "Dummy", None,
    )  # fmt: skip
    assert (debtor["zip5"], debtor["emails"], debtor["phones"]) == ("43215", [], [])
    assert debtor["profiles"] is None
    # Staff see the person whole, with who supplied what; the list shows the account's
    # own client's name and never a birth date.
    whole = (await admin.get(f"/api/v1/accounts/{mine['account_id']}")).json()["debtor"]
    suppliers = {p["client_id"]: p for p in whole["profiles"]}
    assert set(suppliers) == {one["client_id"], two["client_id"]}
    assert suppliers[two["client_id"]]["last_name"] == "Secretworth"
    assert suppliers[two["client_id"]]["date_of_birth"] == "1961-09-17"
    assert [(p["e164"], p["client_id"]) for p in whole["phones"]] == [
        ("+12135550177", two["client_id"])
    ]
    staff_list = await admin.get("/api/v1/accounts", params={"client_id": one["client_id"]})
    assert [a["debtor_name"] for a in staff_list.json()["items"]] == ["Dummy"]
    everyone = await admin.get("/api/v1/accounts")
    assert "1961-09-17" not in everyone.text


async def test_a_maintenance_file_changes_nothing_of_another_clients_accounts(
    admin: Caller, make_client: MakeClient, make_user: MakeUser, owner_db: asyncpg.Connection
) -> None:
    one, two = await make_client(), await make_client()
    await upload_and_load(admin, two["client_id"], csv_bytes([FULL]))
    await upload_and_load(admin, one["client_id"], csv_bytes([DUMMY]))
    theirs = await _account_of(admin, two["client_id"], "TWO-1")
    mine = await _account_of(admin, one["client_id"], "ONE-1")
    user = await make_user("client", client_id=two["client_id"])
    collector = await make_user("collector", client_ids=[two["client_id"]])
    # 08:30 in Los Angeles, 11:30 in New York.
    moment = utc(2026, 6, 3, 15, 30)

    async def their_view() -> tuple[Any, Any, Any]:
        seen = (await user.get(f"/api/v1/accounts/{theirs['account_id']}")).json()
        whole = (await admin.get(f"/api/v1/accounts/{theirs['account_id']}")).json()
        check = await _check(collector, theirs["account_id"], "+12135550177", moment)
        return seen, whole["debtor"]["profiles"][:1], check

    before = await their_view()
    assert before[0]["debtor"]["time_zone"] == "America/Los_Angeles"
    assert before[2]["allowed"] is True, before[2]
    # Client 1 says its consumer moved to Miami, with a new phone and e-mail.
    body = (
        b"client_account_number,address_line1,city,state,zip,phone_home,email\r\n"
        b"ONE-1,1 Elsewhere Rd,Miami,FL,33101,(305) 555-0111,new@one.example\r\n"
    )
    placement = await _load(admin, one["client_id"], body, "maintenance")
    assert placement["rows_accepted"] == 1
    # Client 2's accounts: address, phones, e-mails, zone and calling hours as they were.
    assert await their_view() == before
    moved = (await admin.get(f"/api/v1/accounts/{mine['account_id']}")).json()["debtor"]
    assert (moved["address_line1"], moved["city"], moved["time_zone"]) == (
        "1 Elsewhere Rd", "Miami", "America/New_York",
    )  # fmt: skip
    assert moved["emails"] == ["new@one.example"]
    assert {(p["e164"], p["client_id"]) for p in moved["phones"]} == {
        ("+13055550111", one["client_id"]), ("+12135550177", two["client_id"]),
    }  # fmt: skip
    profiles = await owner_db.fetch(
        "SELECT client_id, city, time_zone FROM debtor_profile ORDER BY city"
    )
    assert [(str(p["client_id"]), p["city"], p["time_zone"]) for p in profiles] == [
        (two["client_id"], "Los Angeles", "America/Los_Angeles"),
        (one["client_id"], "Miami", "America/New_York"),
    ]


async def test_calling_hours_hold_at_every_address_any_client_supplied(
    admin: Caller, make_client: MakeClient, make_user: MakeUser
) -> None:
    one, two = await make_client(), await make_client()
    ohio = {**DUMMY, "address_line1": "5 Oak St", "city": "Columbus", "state": "OH",
            "phone_mobile": "(614) 555-0142"}  # fmt: skip
    await upload_and_load(admin, one["client_id"], csv_bytes([ohio]))
    mine = await _account_of(admin, one["client_id"], "ONE-1")
    collector = await make_user("collector", client_ids=[one["client_id"]])
    # 09:30 in Columbus, 06:30 in Los Angeles.
    early = utc(2026, 6, 3, 13, 30)
    alone = await _check(collector, mine["account_id"], "+16145550142", early)
    assert alone["allowed"] is True, alone
    # Client 2 places the same person at a Los Angeles address: client 1 never sees it,
    # and client 1's account is not called before 08:00 there either.
    await upload_and_load(admin, two["client_id"], csv_bytes([FULL]))
    shared = await _check(collector, mine["account_id"], "+16145550142", early)
    assert shared["allowed"] is False, shared
    assert "outside_calling_hours" in shared["reasons"]
    # 08:00 in Los Angeles: callable again.
    later = await _check(collector, mine["account_id"], "+16145550142", utc(2026, 6, 3, 15))
    assert later["allowed"] is True, later


async def test_a_stop_calling_request_on_one_clients_account_binds_the_others(
    admin: Caller, make_client: MakeClient, make_user: MakeUser
) -> None:
    one, two = await make_client(), await make_client()
    await upload_and_load(admin, two["client_id"], csv_bytes([FULL]))
    ohio = {**DUMMY, "phone_mobile": "(614) 555-0142"}
    await upload_and_load(admin, one["client_id"], csv_bytes([ohio]))
    theirs = await _account_of(admin, two["client_id"], "TWO-1")
    mine = await _account_of(admin, one["client_id"], "ONE-1")
    collector = await make_user("collector", client_ids=[one["client_id"]])
    lawful = utc(2026, 6, 3, 18)  # 14:00 in New York, 11:00 in Los Angeles
    before = await _check(collector, mine["account_id"], "+16145550142", lawful)
    assert before["allowed"] is True, before
    response = await admin.post(
        f"/api/v1/accounts/{theirs['account_id']}/cease",
        json={
            "reason": "stop calling me",
            "channel": "oral",
            "received_at": "2026-06-01T16:00:00+00:00",
        },
    )
    assert response.status_code == 200, response.text
    stopped = await _check(collector, mine["account_id"], "+16145550142", lawful)
    assert stopped["allowed"] is False
    assert "consumer_no_telephone" in stopped["reasons"]
