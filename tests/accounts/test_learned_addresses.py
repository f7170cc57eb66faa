"""The address a consumer gives the agency's staff: learned on one client's account, it is
that client's to see and no other's; the newest binds the contact rules of every account
of the person at once (its ZIP's zone), the older stay as history, and letters go to it
while it is newer than what the account's client last sent. A wrong one names every
wrong field and writes nothing."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from server.accounts import validation_notices
from tests.accounts.test_contact_preferences import audited, check, person

__all__ = ["person"]

DENVER = {"address_line1": "1600 Glenarm Pl", "address_line2": "Apt 4", "city": "Denver",
          "zip": "80202-4101", "channel": "oral"}  # fmt: skip
HONOLULU = {"address_line1": "500 Ala Moana Blvd", "city": "Honolulu", "state": "hi",
            "zip": "96813", "channel": "written"}  # fmt: skip


async def _move(person: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    url = f"/api/v1/accounts/{person['account']['id']}/address"
    answer = await person["collector"].request("PUT", url, json=body)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def test_a_new_address_binds_every_account_at_once_and_the_old_stays_as_history(
    person: dict[str, Any], owner_db: asyncpg.Connection
) -> None:
    account_id, other_id = str(person["account"]["id"]), str(person["other"]["id"])
    before = await check(person["collector"], account_id)
    assert "America/Denver" not in before["zones"]
    profile = (await person["collector"].get(f"/api/v1/accounts/{account_id}")).json()["debtor"]

    moved = await _move(person, DENVER)
    [learned] = moved["debtor"]["learned_addresses"]
    assert (learned["address_line1"], learned["address_line2"], learned["city"]) == (
        "1600 Glenarm Pl", "Apt 4", "Denver",
    )  # fmt: skip
    # The ZIP+4 is read for its five digits; the ZIP names the state and the zone.
    assert (learned["zip5"], learned["state"], learned["time_zone"]) == (
        "80202", "CO", "America/Denver",
    )  # fmt: skip
    assert (learned["current"], learned["channel"]) == (True, "oral")
    assert learned["learned_on_account_id"] == account_id
    # The client's own profile is what its file said: unchanged.
    assert moved["debtor"]["zip5"] == profile["zip5"]
    # The rules read it at once, on the account and on the other client's account.
    assert "America/Denver" in (await check(person["collector"], account_id))["zones"]
    b_collector = person["b_collector"]
    assert "America/Denver" in (await check(b_collector, other_id))["zones"]

    moved = await _move(person, HONOLULU)
    newest, older = moved["debtor"]["learned_addresses"]
    assert (newest["city"], newest["state"], newest["current"]) == ("Honolulu", "HI", True)
    assert (older["city"], older["current"]) == ("Denver", False)
    zones = (await check(person["collector"], account_id))["zones"]
    assert "Pacific/Honolulu" in zones
    assert "America/Denver" not in zones

    [first, second] = await audited(owner_db, "debtor.address.change")
    assert (first["zip5"], first["channel"]) == ("80202", "oral")
    assert (second["time_zone"], second["channel"]) == ("Pacific/Honolulu", "written")


async def test_only_the_client_of_the_account_it_was_learned_on_sees_it(
    person: dict[str, Any],
) -> None:
    await _move(person, DENVER)
    account_id, other_id = person["account"]["id"], person["other"]["id"]
    seen_by_a = (await person["a_user"].get(f"/api/v1/accounts/{account_id}")).json()
    assert [a["city"] for a in seen_by_a["debtor"]["learned_addresses"]] == ["Denver"]
    seen_by_b = (await person["b_user"].get(f"/api/v1/accounts/{other_id}")).json()
    assert seen_by_b["debtor"]["learned_addresses"] == []
    assert "Denver" not in str(seen_by_b)
    # The agency's people see it on either account.
    seen_by_staff = (await person["b_collector"].get(f"/api/v1/accounts/{other_id}")).json()
    assert [a["city"] for a in seen_by_staff["debtor"]["learned_addresses"]] == ["Denver"]


async def test_letters_go_to_the_address_the_consumer_gave_while_it_is_the_newest(
    person: dict[str, Any], owner_db: asyncpg.Connection
) -> None:
    account_id, other_id = UUID(person["account"]["id"]), UUID(person["other"]["id"])
    before = await validation_notices.mailing_addresses([account_id, other_id])
    await _move(person, DENVER)
    after = await validation_notices.mailing_addresses([account_id, other_id])
    for each in (account_id, other_id):
        assert after[each].lines == ("1600 Glenarm Pl", "Apt 4", "Denver, CO 80202")
        # The name is still the one the account's client gave.
        assert after[each].name == before[each].name
    # A file of the client's that changes its profile afterwards is newer: its address.
    await owner_db.execute(
        "UPDATE debtor_profile SET updated_at = now() + interval '1 minute'"  # clock-ok: test
        " WHERE debtor_id = $1 AND client_id = $2",
        person["account"]["debtor_id"], person["a"]["client_id"],
    )  # fmt: skip
    again = await validation_notices.mailing_addresses([account_id, other_id])
    assert again[account_id] == before[account_id]
    assert again[other_id].lines == ("1600 Glenarm Pl", "Apt 4", "Denver, CO 80202")


async def test_a_wrong_address_names_every_wrong_field_and_writes_nothing(
    person: dict[str, Any], owner_db: asyncpg.Connection
) -> None:
    url = f"/api/v1/accounts/{person['account']['id']}/address"
    wrong = {"address_line1": "  ", "city": "Denver", "state": "IL", "zip": "80202",
             "channel": "oral"}  # fmt: skip
    answer = await person["collector"].request("PUT", url, json=wrong)
    assert answer.status_code == 422, answer.text
    fields = {d["field"]: d["reason"] for d in answer.json()["error"]["details"]}
    assert fields == {
        "address_line1": "must not be blank",
        "state": "'IL' is not the state of ZIP 80202 (CO)",
    }
    for zip_, reason in (("8020", "is not a ZIP code"), ("00000", "is not a US ZIP code")):
        answer = await person["collector"].request("PUT", url, json={**DENVER, "zip": zip_})
        assert answer.status_code == 422, answer.text
        [detail] = answer.json()["error"]["details"]
        assert detail["field"] == "zip", detail
        assert reason in detail["reason"], detail
    answer = await person["collector"].request("PUT", url, json={**DENVER, "channel": "pigeon"})
    assert answer.status_code == 422, answer.text
    assert "channel" in answer.text
    count = await owner_db.fetchval("SELECT count(*) FROM debtor_learned_address")
    assert count == 0
