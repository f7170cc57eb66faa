"""A supervisor marks a written dispute duplicative of one already answered, with a
reason (12 CFR 1006.38(d)(2)(ii)); nothing else may be marked."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import asyncpg
import pytest

from server.kit import clock
from tests.disputes.answering import answer_by_letter, batch_letters, mail, make_desk, request_of
from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser


@pytest.fixture
async def desk(
    admin: Caller, make_user: MakeUser, make_client: MakeClient, make_account: MakeAccount
) -> dict[str, Any]:
    return await make_desk(admin, make_user, make_client, make_account)


async def dispute(caller: Caller, account_id: str, days_ago: int, channel: str = "written") -> str:
    made = await caller.post(
        f"/api/v1/accounts/{account_id}/disputes",
        json={"channel": channel, "words": "Not my debt",
              "received_at": (clock.now() - timedelta(days=days_ago)).isoformat()},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    return str(made.json()["dispute_id"])


async def test_a_written_dispute_repeating_an_answered_one_is_marked_duplicative(
    desk: dict[str, Any], owner_db: asyncpg.Connection
) -> None:
    supervisor, collector, account_id = desk["supervisor"], desk["collector"], desk["account"]["id"]
    first = await dispute(collector, account_id, days_ago=20)
    unanswered = f"/api/v1/disputes/{await dispute(collector, account_id, days_ago=10)}/duplicate"
    refused = await supervisor.post(unanswered, json={"duplicate_of": first, "reason": "same"})
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["details"] == [
        {
            "field": "duplicate_of",
            "reason": "must be a dispute already answered (its verification mailed)",
        }
    ]
    await answer_by_letter(desk["client"], desk["admin"], first)
    repeat = await dispute(collector, account_id, days_ago=0)
    url = f"/api/v1/disputes/{repeat}/duplicate"
    body = {"duplicate_of": first, "reason": "Same words as the letter answered; nothing new"}
    assert (await collector.post(url, json=body)).status_code == 403
    marked = await supervisor.post(url, json=body)
    assert marked.status_code == 200, marked.text
    assert (marked.json()["duplicate_of"], marked.json()["duplicate_marked_by"]) == (
        first, str(supervisor.user_id),
    )  # fmt: skip
    listed = (await supervisor.get(f"/api/v1/accounts/{account_id}/disputes")).json()["items"]
    assert next(d for d in listed if d["dispute_id"] == repeat) == marked.json()
    again = await supervisor.post(url, json=body)
    assert again.status_code == 409
    audited = await owner_db.fetchval(
        "SELECT count(*) FROM audit_event WHERE action = 'dispute.duplicate'"
    )
    assert audited == 1
    # Nothing more is asked of the client, and the duplicate-dispute notice is due.
    request = await request_of(desk["client"], repeat)
    assert request["status"] == "duplicate"
    (notice,) = await batch_letters(desk["admin"], "duplicate_dispute")
    assert notice["data"]["reason"] == body["reason"]
    assert notice["data"]["earlier_received_on"] == listed[-1]["received_on"]
    await mail(desk["admin"], notice["letter"]["letter_id"])
    answered = (await supervisor.get(f"/api/v1/accounts/{account_id}/disputes")).json()["items"]
    assert (
        next(d for d in answered if d["dispute_id"] == repeat)["answered_by_letter_id"]
        == (notice["letter"]["letter_id"])
    )
    # The dispute received 10 days ago is still open and blocking: the block stays.
    detail = (await supervisor.get(f"/api/v1/accounts/{account_id}")).json()
    assert detail["status"] == "disputed"


async def test_only_a_written_dispute_of_the_same_account_after_the_first_is_duplicative(
    desk: dict[str, Any],
) -> None:
    supervisor, collector = desk["supervisor"], desk["collector"]
    account_id, other_id = desk["account"]["id"], desk["other"]["id"]
    first = await dispute(collector, account_id, days_ago=20)
    oral = await dispute(collector, account_id, days_ago=0, channel="oral")
    body = {"duplicate_of": first, "reason": "same"}
    refused = await supervisor.post(f"/api/v1/disputes/{oral}/duplicate", json=body)
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "not_written")
    elsewhere = await dispute(collector, other_id, days_ago=0)
    refused = await supervisor.post(f"/api/v1/disputes/{elsewhere}/duplicate", json=body)
    assert refused.status_code == 422
    assert (
        refused.json()["error"]["details"][0]["reason"] == "must be a dispute of the same account"
    )
    blank = await supervisor.post(
        f"/api/v1/disputes/{elsewhere}/duplicate", json={"duplicate_of": first, "reason": "  "}
    )
    assert (blank.status_code, blank.json()["error"]["details"][0]["field"]) == (422, "reason")
    # The first dispute repeats nothing received before it.
    refused = await supervisor.post(f"/api/v1/disputes/{first}/duplicate", json=body)
    assert refused.json()["error"]["details"][0]["reason"] == (
        "must be a dispute received before this one"
    )
