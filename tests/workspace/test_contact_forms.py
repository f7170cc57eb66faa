"""The account screen's new number and new address, and the day each contact preference
was received: refusals in words next to their fields, nothing written by them, and the
addresses shown newest (current) first with the client's own."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import asyncpg

from server.kit import clock
from tests.workspace.conftest import Browser, Floor, NewBrowser


async def _collector(staff_browser: NewBrowser, floor: Floor) -> tuple[Browser, str]:
    b = await staff_browser()
    assert (await b.sign_in(floor.collector.username or "")).status_code == 303
    return b, f"/workspace/accounts/{floor.account['id']}"


async def test_a_phone_is_added_and_a_bad_one_named(
    staff_browser: NewBrowser, floor: Floor, owner_db: asyncpg.Connection
) -> None:
    b, url = await _collector(staff_browser, floor)
    before = await owner_db.fetchval("SELECT count(*) FROM debtor_phone")
    empty = await b.post_form(f"{url}/phones", {})
    assert empty.status_code == 422
    for said in ("Number: is required", "Kind: is required", "Channel: is required"):
        assert said in empty.text
    bad = await b.post_form(
        f"{url}/phones",
        {"number": "12", "kind": "mobile", "employer": "forbids", "channel": "oral"},
    )
    assert bad.status_code == 422
    assert "Number: &#39;12&#39; is not a phone number" in bad.text
    assert "Work number: only a work number&#39;s employer forbids calls" in bad.text
    assert 'value="12"' in bad.text
    assert await owner_db.fetchval("SELECT count(*) FROM debtor_phone") == before
    added = await b.post_form(
        f"{url}/phones",
        {"number": "(312) 939-7362", "kind": "work", "employer": "forbids", "channel": "oral"},
    )
    assert added.status_code == 303, added.text
    row = await owner_db.fetchrow(
        "SELECT kind, employer_forbids_calls, learned_on_account_id FROM debtor_phone"
        " WHERE e164 = '+13129397362'"
    )
    assert row is not None
    assert (row["kind"], row["employer_forbids_calls"]) == ("work", True)
    assert str(row["learned_on_account_id"]) == floor.account["id"]
    screen = (await b.get(added.headers["location"])).text
    assert "The number is added" in screen
    assert "+13129397362" in screen
    again = await b.post_form(
        f"{url}/phones", {"number": "3129397362", "kind": "work", "channel": "oral"}
    )
    assert again.status_code == 409
    assert "Not done: the number is already one of this person" in again.text


async def test_a_new_address_becomes_current_and_the_old_stays(
    staff_browser: NewBrowser, floor: Floor, owner_db: asyncpg.Connection
) -> None:
    b, url = await _collector(staff_browser, floor)
    screen = (await b.get(url)).text
    assert "the client's file" in screen
    bad = await b.post_form(
        f"{url}/address",
        {"address_line1": " ", "city": "Chicago", "state": "NY", "zip": "60601",
         "channel": "oral"},
    )  # fmt: skip
    assert bad.status_code == 422
    assert "Street: is required" in bad.text
    assert "Chicago" in bad.text
    wrong_state = await b.post_form(
        f"{url}/address",
        {"address_line1": "1 Main St", "city": "Chicago", "state": "NY", "zip": "60601",
         "channel": "oral"},
    )  # fmt: skip
    assert wrong_state.status_code == 422
    assert "State: &#39;NY&#39; is not the state of ZIP 60601 (IL)" in wrong_state.text
    assert await owner_db.fetchval("SELECT count(*) FROM debtor_learned_address") == 0
    day = clock.agency_today() - timedelta(days=2)
    for street, received in (("1 First St", day), ("2 Second Ave", clock.agency_today())):
        sent = await b.post_form(
            f"{url}/address",
            {"address_line1": street, "city": "Chicago", "zip": "60601-1234",
             "channel": "written", "received_on": received.isoformat()},
        )  # fmt: skip
        assert sent.status_code == 303, sent.text
    rows = await owner_db.fetch(
        "SELECT address_line1, received_at, time_zone FROM debtor_learned_address"
    )
    by_street = {r["address_line1"]: r for r in rows}
    assert by_street["1 First St"]["received_at"] == clock.start_of_day(day, clock.agency_zone())
    assert by_street["2 Second Ave"]["time_zone"] == "America/Chicago"
    screen = (await b.get(url)).text
    current = screen.index("Current</span> 2 Second Ave")
    assert current < screen.index("1 First St") < screen.index("the client's file")


async def test_each_preference_takes_the_day_it_was_received(
    staff_browser: NewBrowser, floor: Floor, owner_db: asyncpg.Connection
) -> None:
    b, url = await _collector(staff_browser, floor)
    today = clock.agency_today()
    phone_id = await owner_db.fetchval("SELECT id FROM debtor_phone WHERE e164 = $1", floor.phone)
    tomorrow = (today + timedelta(days=1)).isoformat()
    forms = {
        "phone-status": {"phone_id": str(phone_id), "status": "wrong_number", "reason": "x",
                         "channel": "oral"},
        "inconvenient-times": {"days": ["sat"], "from": "09:00", "to": "10:00",
                               "channel": "written"},
        "media-refusals": {"medium": "email", "channel": "written"},
    }  # fmt: skip
    before = await owner_db.fetchval("SELECT count(*) FROM audit_event")
    for path, fields in forms.items():
        later = await b.post_form(f"{url}/{path}", {**fields, "received_on": tomorrow})
        assert later.status_code == 422, path
        assert "Received on: must not be after today" in later.text
    assert await owner_db.fetchval("SELECT count(*) FROM audit_event") == before
    day = today - timedelta(days=4)
    for path, fields in forms.items():
        sent = await b.post_form(f"{url}/{path}", {**fields, "received_on": day.isoformat()})
        assert sent.status_code == 303, (path, sent.text)
    written = await owner_db.fetch(
        "SELECT action, after FROM audit_event WHERE entity = 'debtor' AND after IS NOT NULL"
    )
    received = {r["action"]: json.loads(r["after"])["received_at"] for r in written}
    assert len(received) == 3, received
    start = clock.start_of_day(day, clock.agency_zone())
    for action, moment in received.items():
        assert datetime.fromisoformat(moment) == start, action
