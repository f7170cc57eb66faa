"""Messages over the API: a client's user writes on its account and its placement, the
agency's staff read and answer, each reader has read marks of their own, and no other
client — even one with an account of the same person — sees any of it."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import pytest

from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser


@pytest.fixture
async def sides(
    http: httpx.AsyncClient,
    admin: Caller,
    make_user: MakeUser,
    make_client: MakeClient,
    make_account: MakeAccount,
) -> dict[str, Any]:
    mine, theirs = await make_client(), await make_client()
    account = await make_account(mine["client_id"])
    # The same person at the other client (one debtor, two clients' accounts).
    other = await make_account(theirs["client_id"], debtor_id=account["debtor_id"])
    return {
        "admin": admin,
        "account": account,
        "other_account": other,
        "client": await make_user("client", client_id=mine["client_id"]),
        "colleague": await make_user("client", client_id=mine["client_id"]),
        "outsider": await make_user("client", client_id=theirs["client_id"]),
        "collector": await make_user("collector", client_ids=[mine["client_id"]]),
        "stranger": await make_user("collector", client_ids=[theirs["client_id"]]),
        "supervisor": await make_user("supervisor"),
    }


async def unread(caller: Caller) -> int:
    response = await caller.get("/api/v1/messages/unread")
    assert response.status_code == 200, response.text
    return int(response.json()["unread"])


async def test_a_message_goes_from_the_client_to_the_agency_and_back(
    sides: dict[str, Any], owner_db: asyncpg.Connection
) -> None:
    client, supervisor, collector = sides["client"], sides["supervisor"], sides["collector"]
    url = f"/api/v1/accounts/{sides['account']['id']}/messages"
    written = await client.post(url, json={"body": "  Why was this offer made?  "})
    assert written.status_code == 201, written.text
    assert written.json()["side"] == "client"
    assert written.json()["body"] == "Why was this offer made?"
    assert written.json()["read"] is True

    assert await unread(supervisor) == 1
    assert await unread(collector) == 1
    assert await unread(client) == 0
    seen = (await supervisor.get(url)).json()["items"]
    assert [(m["body"], m["read"]) for m in seen] == [("Why was this offer made?", False)]
    inbox = (await supervisor.get("/api/v1/messages", params={"unread_only": True})).json()
    assert [(t["account_id"], t["unread"], t["label"]) for t in inbox["items"]] == [
        (sides["account"]["id"], 1, sides["account"]["client_account_number"])
    ]

    marked = await supervisor.post(f"{url}/read")
    assert marked.status_code == 200, marked.text
    assert marked.json() == {"marked": 1, "unread": 0}
    # Read marks are each reader's own: the collector has still not read it.
    assert await unread(collector) == 1
    assert (await supervisor.post(f"{url}/read")).json()["marked"] == 0

    answer = await supervisor.post(url, json={"body": "The consumer offered it on a call."})
    assert answer.status_code == 201, answer.text
    assert answer.json()["side"] == "agency"
    assert await unread(client) == 1
    assert await unread(sides["colleague"]) == 1
    thread = (await client.get(url)).json()["items"]
    assert [(m["side"], m["read"]) for m in thread] == [("agency", False), ("client", True)]
    await client.post(f"{url}/read")
    assert await unread(client) == 0
    assert await unread(sides["colleague"]) == 1

    # Kept as written, and audited.
    rows = await owner_db.fetch("SELECT action FROM audit_event WHERE action = 'message.written'")
    assert len(rows) == 2


async def test_no_other_client_sees_or_writes_the_thread(sides: dict[str, Any]) -> None:
    client, outsider, stranger = sides["client"], sides["outsider"], sides["stranger"]
    account, other = sides["account"], sides["other_account"]
    url = f"/api/v1/accounts/{account['id']}/messages"
    assert (await client.post(url, json={"body": "Only for our agency"})).status_code == 201
    placement_url = f"/api/v1/placements/{account['placement_id']}/messages"
    assert (await client.post(placement_url, json={"body": "About the file"})).status_code == 201

    for caller in (outsider, stranger):
        for target in (url, placement_url):
            assert (await caller.get(target)).status_code == 404
            assert (await caller.post(target, json={"body": "x"})).status_code == 404
            assert (await caller.post(f"{target}/read")).status_code == 404
        assert await unread(caller) == 0
        assert (await caller.get("/api/v1/messages")).json()["items"] == []
    # The same person's account at the other client is another thread, empty.
    theirs = await outsider.get(f"/api/v1/accounts/{other['id']}/messages")
    assert theirs.status_code == 200
    assert theirs.json()["items"] == []
    # A collector of the client reads both threads.
    inbox = (await sides["collector"].get("/api/v1/messages")).json()["items"]
    assert {t["placement_id"] or t["account_id"] for t in inbox} == {
        account["id"],
        account["placement_id"],
    }


async def test_staff_notes_stay_staff_only(sides: dict[str, Any]) -> None:
    account_id = sides["account"]["id"]
    note = await sides["supervisor"].post(
        f"/api/v1/accounts/{account_id}/notes", json={"text": "Staff only: debtor was rude"}
    )
    assert note.status_code == 201, note.text
    thread = await sides["client"].get(f"/api/v1/accounts/{account_id}/messages")
    assert "Staff only" not in thread.text
    assert (await sides["client"].get(f"/api/v1/accounts/{account_id}/notes")).status_code in (
        403,
        404,
    )


async def test_a_blank_or_long_message_is_refused_naming_the_body(sides: dict[str, Any]) -> None:
    url = f"/api/v1/accounts/{sides['account']['id']}/messages"
    blank = await sides["client"].post(url, json={"body": "   "})
    assert blank.status_code == 422, blank.text
    assert blank.json()["error"]["details"][0]["field"] == "body"
    long = await sides["client"].post(url, json={"body": "x" * 4001})
    assert long.status_code in (400, 422), long.text
    assert "body" in long.text
    assert (await sides["client"].get(url)).json()["items"] == []


async def test_the_thread_pages_newest_first(sides: dict[str, Any]) -> None:
    url = f"/api/v1/accounts/{sides['account']['id']}/messages"
    for n in range(5):
        assert (await sides["client"].post(url, json={"body": f"m{n}"})).status_code == 201
    first = (await sides["supervisor"].get(url, params={"limit": 3})).json()
    rest = (
        await sides["supervisor"].get(url, params={"limit": 3, "cursor": first["next_cursor"]})
    ).json()
    assert [m["body"] for m in first["items"] + rest["items"]] == ["m4", "m3", "m2", "m1", "m0"]
    assert rest["next_cursor"] is None
