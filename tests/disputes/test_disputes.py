"""Disputes over the API: recorded with their channel, received date, scope and words;
a timely written one blocks collection, any other marks the debt disputed and leaves it
open; the status action and a call's outcome go through the same rule; the aging report
lists what is still open, oldest first."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

from server.kit import clock
from tests.disputes.answering import answer_by_letter
from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser


@pytest.fixture
async def people(
    http: httpx.AsyncClient, admin: Caller, make_user: MakeUser, make_client: MakeClient
) -> dict[str, Any]:
    client = await make_client()
    return {
        "admin": admin,
        "supervisor": await make_user("supervisor"),
        "collector": await make_user("collector", client_ids=[client["client_id"]]),
        "client": await make_user("client", client_id=client["client_id"]),
        "client_id": client["client_id"],
    }


async def notice_dates(
    owner_db: asyncpg.Connection, account_id: str, sent_days_ago: int, ends_days_ago: int
) -> None:
    """A notice mailed `sent_days_ago`, its period ended `ends_days_ago` (agency days)."""
    today = clock.agency_today()
    await owner_db.execute(
        "UPDATE account SET validation_notice_sent_on = $2, validation_period_ends_on = $3"
        " WHERE id = $1",
        UUID(account_id), today - timedelta(days=sent_days_ago),
        today - timedelta(days=ends_days_ago),
    )  # fmt: skip


async def call_rules(caller: Caller, account_id: str) -> list[str]:
    check = await caller.post(f"/api/v1/accounts/{account_id}/call-check", json={})
    assert check.status_code == 200, check.text
    return list(check.json()["reasons"])


async def test_a_timely_written_dispute_stops_collection(
    people: dict[str, Any], make_account: MakeAccount
) -> None:
    collector = people["collector"]
    account = await make_account(people["client_id"])
    made = await collector.post(
        f"/api/v1/accounts/{account['id']}/disputes",
        json={"channel": "written", "words": "I never had this card."},
    )
    assert made.status_code == 201, made.text
    dispute = made.json()
    assert (dispute["timeliness"], dispute["blocks_collection"]) == ("before_notice", True)
    assert (dispute["scope"], dispute["disputed_cents"], dispute["source"]) == (
        "whole", None, "dispute",
    )  # fmt: skip
    detail = (await collector.get(f"/api/v1/accounts/{account['id']}")).json()
    assert (detail["status"], detail["disputed"]) == ("disputed", True)
    assert [d["dispute_id"] for d in detail["sections"]["disputes"]] == [dispute["dispute_id"]]
    assert "status_disputed" in await call_rules(collector, account["id"])


async def test_a_late_written_dispute_marks_the_debt_and_leaves_collection_open(
    people: dict[str, Any], make_account: MakeAccount, owner_db: asyncpg.Connection
) -> None:
    collector = people["collector"]
    account = await make_account(people["client_id"])
    await notice_dates(owner_db, account["id"], sent_days_ago=60, ends_days_ago=20)
    made = await collector.post(
        f"/api/v1/accounts/{account['id']}/disputes",
        json={"channel": "written", "words": "Not mine", "scope": "partial",
              "disputed_cents": 25_000},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    assert (made.json()["timeliness"], made.json()["blocks_collection"]) == ("late", False)
    detail = (await collector.get(f"/api/v1/accounts/{account['id']}")).json()
    assert (detail["status"], detail["disputed"]) == ("active", True)
    assert detail["disputed_since"] is not None
    assert "status_disputed" not in await call_rules(collector, account["id"])
    listed = (await people["client"].get("/api/v1/accounts")).json()["items"]
    assert [(a["status"], a["disputed"]) for a in listed] == [("active", True)]


async def test_a_dispute_on_the_end_date_itself_is_timely(
    people: dict[str, Any], make_account: MakeAccount, owner_db: asyncpg.Connection
) -> None:
    account = await make_account(people["client_id"])
    await notice_dates(owner_db, account["id"], sent_days_ago=40, ends_days_ago=0)
    made = await people["collector"].post(
        f"/api/v1/accounts/{account['id']}/disputes",
        json={"channel": "written", "words": "Wrong amount"},
    )
    assert (made.json()["timeliness"], made.json()["blocks_collection"]) == ("in_period", True)


async def test_an_oral_dispute_in_the_period_only_marks_the_debt(
    people: dict[str, Any], make_account: MakeAccount, owner_db: asyncpg.Connection
) -> None:
    account = await make_account(people["client_id"])
    await notice_dates(owner_db, account["id"], sent_days_ago=10, ends_days_ago=-25)
    # The status action goes through the same rule.
    acted = await people["collector"].post(
        f"/api/v1/accounts/{account['id']}/dispute",
        json={"reason": "Says it was paid", "channel": "oral"},
    )
    assert acted.status_code == 200, acted.text
    assert (acted.json()["status"], acted.json()["disputed"]) == ("active", True)
    assert acted.json()["status_history"][-1]["action"] == "dispute"
    [dispute] = (await people["client"].get(f"/api/v1/accounts/{account['id']}/disputes")).json()[
        "items"
    ]
    assert (dispute["channel"], dispute["timeliness"], dispute["source"]) == (
        "oral", "in_period", "status_action",
    )  # fmt: skip
    assert (dispute["blocks_collection"], dispute["words"]) == (False, "Says it was paid")


async def test_every_wrong_field_is_named(
    people: dict[str, Any], make_account: MakeAccount, owner_db: asyncpg.Connection
) -> None:
    account = await make_account(people["client_id"])
    future = (clock.now() + timedelta(days=1)).isoformat()
    refused = await people["collector"].post(
        f"/api/v1/accounts/{account['id']}/disputes",
        json={"channel": "written", "words": "   ", "received_at": future, "scope": "partial",
              "kind": "original_creditor_request"},
    )  # fmt: skip
    assert refused.status_code == 422, refused.text
    fields = {d["field"]: d["reason"] for d in refused.json()["error"]["details"]}
    assert fields == {
        "words": "must not be blank",
        "received_at": "must not be in the future",
        "disputed_cents": "is required for a partial dispute",
        "scope": "a request for the original creditor is about the whole debt",
    }
    whole = await people["collector"].post(
        f"/api/v1/accounts/{account['id']}/disputes",
        json={"channel": "oral", "words": "x", "disputed_cents": 100},
    )
    assert whole.status_code == 422
    assert [d["field"] for d in whole.json()["error"]["details"]] == ["disputed_cents"]
    # A partial dispute is of some part of the balance: more than nothing, no more than it.
    balance = (await people["collector"].get(f"/api/v1/accounts/{account['id']}")).json()[
        "balance_cents"
    ]
    for cents in (0, -100, balance + 1):
        part = await people["collector"].post(
            f"/api/v1/accounts/{account['id']}/disputes",
            json={"channel": "oral", "words": "part", "scope": "partial",
                  "disputed_cents": cents},
        )  # fmt: skip
        assert part.status_code == 422, (cents, part.text)
        assert [d["field"] for d in part.json()["error"]["details"]] == ["disputed_cents"]
    assert await owner_db.fetchval("SELECT count(*) FROM dispute") == 0
    detail = (await people["collector"].get(f"/api/v1/accounts/{account['id']}")).json()
    assert detail["disputed_since"] is None


async def test_clients_read_their_disputes_and_record_none(
    people: dict[str, Any], make_account: MakeAccount, make_client: MakeClient,
    make_user: MakeUser,
) -> None:  # fmt: skip
    account = await make_account(people["client_id"])
    url = f"/api/v1/accounts/{account['id']}/disputes"
    await people["collector"].post(url, json={"channel": "oral", "words": "Not mine"})
    refused = await people["client"].post(url, json={"channel": "oral", "words": "x"})
    assert refused.status_code == 403
    other = await make_user("client", client_id=(await make_client())["client_id"])
    assert (await other.get(url)).status_code == 404
    assert (await other.get("/api/v1/disputes")).json()["items"] == []
    assert len((await people["client"].get(url)).json()["items"]) == 1


async def test_a_recalled_account_takes_no_dispute(
    people: dict[str, Any], make_account: MakeAccount, owner_db: asyncpg.Connection
) -> None:
    account = await make_account(people["client_id"], status="recalled")
    refused = await people["collector"].post(
        f"/api/v1/accounts/{account['id']}/disputes", json={"channel": "written", "words": "x"}
    )
    assert refused.status_code == 409, refused.text
    assert await owner_db.fetchval("SELECT count(*) FROM dispute") == 0


async def test_the_aging_report_lists_open_disputes_oldest_first(
    people: dict[str, Any], make_account: MakeAccount, make_client: MakeClient,
    make_user: MakeUser,
) -> None:  # fmt: skip
    supervisor, collector = people["supervisor"], people["collector"]
    first, second = [await make_account(people["client_id"]) for _ in range(2)]
    older = (clock.now() - timedelta(days=3)).isoformat()
    await collector.post(
        f"/api/v1/accounts/{second['id']}/disputes",
        json={"channel": "written", "words": "newer", "received_at": clock.now().isoformat()},
    )
    await collector.post(
        f"/api/v1/accounts/{first['id']}/disputes",
        json={"channel": "written", "words": "older", "received_at": older},
    )
    page = (await supervisor.get("/api/v1/disputes", params={"limit": 1})).json()
    assert [(d["words"], d["age_days"]) for d in page["items"]] == [("older", 3)]
    assert page["items"][0]["client_account_number"] == first["client_account_number"]
    rest = (
        await supervisor.get("/api/v1/disputes", params={"limit": 1, "cursor": page["next_cursor"]})
    ).json()
    assert [d["words"] for d in rest["items"]] == ["newer"]
    assert [d["words"] for d in (await people["client"].get("/api/v1/disputes")).json()["items"]]
    assert (await collector.get("/api/v1/disputes")).status_code == 403
    # The supervisor's verification no longer lifts a block that a dispute holds: the
    # verification letter's mailing does, and answers the dispute.
    refused = await supervisor.post(
        f"/api/v1/accounts/{first['id']}/verification", json={"reason": "mailed"}
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "awaiting_verification_mailing"
    older_id = page["items"][0]["dispute_id"]
    await answer_by_letter(people["client"], people["admin"], older_id)
    left = (await supervisor.get("/api/v1/disputes")).json()["items"]
    assert [d["words"] for d in left] == ["newer"]
