"""Contact rules where the consumer's place is uncertain, over HTTP: with no address the
rules hold in the zones of every number on file and read each date in all of them; a
number that says nothing about place adds no zone; a consent excuses calls under the
Massachusetts caps too."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID

import asyncpg
import pytest

from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser

NEW_YORK_NUMBER = "+12125550101"
JUNEAU_NUMBER = "+19075550102"
HONOLULU_NUMBER = "+18085550103"
TOLL_FREE = "+18005550104"
NEW_YORK_AND_HONOLULU = {
    NEW_YORK_NUMBER: ["America/New_York"],
    HONOLULU_NUMBER: ["Pacific/Honolulu"],
}


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


class Person(Protocol):
    async def __call__(
        self,
        phones: dict[str, list[str]],
        *,
        time_zone: str | None = None,
        state: str = "OH",
        zip5: str = "43215",
    ) -> tuple[Caller, str]: ...


@pytest.fixture
def person(
    owner_db: asyncpg.Connection,
    make_client: MakeClient,
    make_user: MakeUser,
    make_account: MakeAccount,
) -> Person:
    """A collector and an account whose person has these numbers (e164 -> zones) and the
    address zone given (None: no address on file)."""

    async def make(
        phones: dict[str, list[str]],
        *,
        time_zone: str | None = None,
        state: str = "OH",
        zip5: str = "43215",
    ) -> tuple[Caller, str]:
        return await _person(
            owner_db, make_client, make_user, make_account, phones, time_zone, state, zip5
        )

    return make


async def _person(
    owner_db: asyncpg.Connection,
    make_client: MakeClient,
    make_user: MakeUser,
    make_account: MakeAccount,
    phones: dict[str, list[str]],
    time_zone: str | None,
    state: str,
    zip5: str,
) -> tuple[Caller, str]:
    client = await make_client()
    collector = await make_user("collector", client_ids=[client["client_id"]])
    account = await make_account(
        client["client_id"], phones=[("mobile", e164) for e164 in phones], state=state, zip5=zip5
    )
    debtor_id = UUID(account["debtor_id"])
    await owner_db.execute(
        "UPDATE debtor_profile SET time_zone = $2::varchar, address_line1 = CASE WHEN $2 IS NULL"
        " THEN NULL ELSE address_line1 END WHERE debtor_id = $1",
        debtor_id,
        time_zone,
    )
    for e164, zones in phones.items():
        await owner_db.execute(
            "UPDATE debtor_phone SET time_zones = $3 WHERE debtor_id = $1 AND e164 = $2",
            debtor_id,
            e164,
            zones,
        )
    return collector, str(account["id"])


async def _call(caller: Caller, account_id: str, phone: str, at: datetime, outcome: str,
                **extra: Any) -> None:  # fmt: skip
    body = {"phone": phone, "direction": "outbound", "started_at": at.isoformat(),
            "duration_s": 60, "outcome": outcome, **extra}  # fmt: skip
    response = await caller.post(f"/api/v1/accounts/{account_id}/calls", json=body)
    assert response.status_code == 201, response.text


async def _check(caller: Caller, account_id: str, phone: str, at: datetime) -> dict[str, Any]:
    response = await caller.post(
        f"/api/v1/accounts/{account_id}/call-check", json={"phone": phone, "at": at.isoformat()}
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_consent_day_is_the_asked_date_in_every_zone_considered(person: Person) -> None:
    collector, account_id = await person(
        {NEW_YORK_NUMBER: ["America/New_York"], JUNEAU_NUMBER: ["America/Juneau"]}
    )
    # Monday 22 September 2025, 14:00 in New York: "call me back on Sunday the 28th".
    await _call(collector, account_id, NEW_YORK_NUMBER, utc(2025, 9, 22, 18), "callback",
                callback_at=utc(2025, 9, 28, 16).isoformat())  # fmt: skip
    # 00:30 Sunday in New York, but still Saturday 20:30 in Juneau: day 6 of the block
    # after the conversation, and not the day consented to in every zone.
    found = await _check(collector, account_id, JUNEAU_NUMBER, utc(2025, 9, 28, 4, 30))
    assert found["allowed"] is False
    assert "reg_f_after_conversation" in found["reasons"]
    # With no address, New York's hours hold on the Juneau number too.
    assert "outside_calling_hours" in found["reasons"]
    # Sunday in both zones, inside both zones' hours: the consent covers the call.
    covered = await _check(collector, account_id, JUNEAU_NUMBER, utc(2025, 9, 28, 17))
    assert covered["allowed"] is True, covered


async def test_the_block_after_a_conversation_ends_when_its_last_day_ends_in_every_zone(
    person: Person,
) -> None:
    collector, account_id = await person(NEW_YORK_AND_HONOLULU)
    # Wednesday 3 July 2024, 13:54 in New York (07:54 in Honolulu): days 1..7 are July 3..9.
    await _call(collector, account_id, NEW_YORK_NUMBER, utc(2024, 7, 3, 17, 54),
                "right_party_contact")  # fmt: skip
    blocked = await _check(collector, account_id, HONOLULU_NUMBER, utc(2024, 7, 9, 20))
    assert blocked["rule"] == "reg_f_after_conversation"
    # July 9 ends in New York at 04:00Z and in Honolulu at 10:00Z; then both zones' calling
    # hours must be open: 08:00 in Honolulu is 14:00 in New York.
    assert blocked["next_callable_at"] == "2024-07-10T18:00:00Z"
    midnight_in_new_york = await _check(collector, account_id, HONOLULU_NUMBER, utc(2024, 7, 10, 4))
    assert midnight_in_new_york["allowed"] is False
    assert "reg_f_after_conversation" in midnight_in_new_york["reasons"]
    assert (await _check(collector, account_id, HONOLULU_NUMBER, utc(2024, 7, 10, 18)))["allowed"]


async def test_a_conversation_on_two_dates_blocks_until_the_later_ones_seventh_day_ends(
    person: Person,
) -> None:
    collector, account_id = await person(NEW_YORK_AND_HONOLULU)
    # The consumer rang us at 01:00 on July 3 in New York, 19:00 on July 2 in Honolulu.
    body = {
        "phone": NEW_YORK_NUMBER,
        "direction": "inbound",
        "duration_s": 60,
        "started_at": utc(2024, 7, 3, 5).isoformat(),
        "outcome": "right_party_contact",
    }
    response = await collector.post(f"/api/v1/accounts/{account_id}/calls", json=body)
    assert response.status_code == 201, response.text
    # 14:00 on July 9 in New York is day 7 of the block there (08:00 in Honolulu).
    found = await _check(collector, account_id, HONOLULU_NUMBER, utc(2024, 7, 9, 18))
    assert found["rule"] == "reg_f_after_conversation"
    assert found["next_callable_at"] == "2024-07-10T18:00:00Z"


async def test_with_no_address_every_number_on_files_zones_hold_calling_hours(
    person: Person,
) -> None:
    collector, account_id = await person(NEW_YORK_AND_HONOLULU)
    # Monday 3 June 2024, 12:00 in New York is 06:00 in Honolulu.
    found = await _check(collector, account_id, NEW_YORK_NUMBER, utc(2024, 6, 3, 16))
    assert found["rule"] == "outside_calling_hours"
    assert found["next_callable_at"] == "2024-06-03T18:00:00Z"


async def test_a_number_without_a_zone_adds_none_to_the_address_zone(person: Person) -> None:
    # A Honolulu address, a toll-free number: 16:00 in Honolulu (22:00 in New York) is
    # callable, the number being no sign that the consumer is elsewhere.
    collector, account_id = await person(
        {TOLL_FREE: []}, time_zone="Pacific/Honolulu", state="HI", zip5="96813"
    )
    found = await _check(collector, account_id, TOLL_FREE, utc(2024, 6, 4, 2))
    assert found["allowed"] is True, found


async def test_massachusetts_caps_do_not_count_calls_under_consent(person: Person) -> None:
    collector, account_id = await person(
        {NEW_YORK_NUMBER: ["America/New_York"]}, time_zone="America/New_York", state="MA",
        zip5="02108",
    )  # fmt: skip
    # Monday 2 June 2025 10:00 Boston: "call me on Thursday"; Thursday 09:00 a call.
    await _call(collector, account_id, NEW_YORK_NUMBER, utc(2025, 6, 2, 14), "callback",
                callback_at=utc(2025, 6, 5, 16).isoformat())  # fmt: skip
    await _call(collector, account_id, NEW_YORK_NUMBER, utc(2025, 6, 5, 13), "no_answer")
    # 209 CMR 18.16(1): the caps bind calls made "without the prior consent of the
    # consumer given directly to the debt collector".
    found = await _check(collector, account_id, NEW_YORK_NUMBER, utc(2025, 6, 5, 14))
    assert found["allowed"] is True, found
    # Friday is not consented: Monday's conversation still blocks it (Regulation F).
    friday = await _check(collector, account_id, NEW_YORK_NUMBER, utc(2025, 6, 6, 14))
    assert friday["reasons"] == ["reg_f_after_conversation"]
