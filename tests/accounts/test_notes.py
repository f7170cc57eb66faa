"""Account notes: the agency's staff write what happened outside a call; notes are kept
forever, never edited, audited, and no client reads them."""

from __future__ import annotations

import asyncpg
import pytest

from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser


async def test_notes_are_added_and_listed_newest_first_with_their_author(
    make_client: MakeClient, make_user: MakeUser, make_account: MakeAccount,
    owner_db: asyncpg.Connection,
) -> None:  # fmt: skip
    client = await make_client()
    collector = await make_user("collector", client_ids=[client["client_id"]])
    account = await make_account(client["client_id"])
    url = f"/api/v1/accounts/{account['id']}/notes"
    first = await collector.post(url, json={"text": "  Letter from the consumer's attorney  "})
    assert first.status_code == 201, first.text
    assert first.json()["text"] == "Letter from the consumer's attorney"
    assert first.json()["author_id"] == str(collector.user_id)
    second = (await collector.post(url, json={"text": "Client confirmed the balance"})).json()
    page = (await collector.get(url)).json()
    assert [n["note_id"] for n in page["items"]] == [second["note_id"], first.json()["note_id"]]
    audited = await owner_db.fetchval(
        "SELECT count(*) FROM audit_event WHERE action = 'account.note' AND entity_id = $1",
        account["id"],
    )
    assert audited == 2


async def test_a_note_is_never_edited_or_deleted(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount,
    owner_db: asyncpg.Connection,
) -> None:  # fmt: skip
    client = await make_client()
    account = await make_account(client["client_id"])
    made = await admin.post(f"/api/v1/accounts/{account['id']}/notes", json={"text": "kept"})
    assert made.status_code == 201
    for statement in ("UPDATE account_note SET text = 'changed'", "DELETE FROM account_note"):
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await owner_db.execute(statement)


@pytest.mark.parametrize(
    ("text", "reason"),
    [("", "length >= 1"), ("   ", "must not be blank"), ("x" * 4001, "length <= 4000")],
)
async def test_a_note_must_say_something_and_not_too_much(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount,
    owner_db: asyncpg.Connection, text: str, reason: str,
) -> None:  # fmt: skip
    client = await make_client()
    account = await make_account(client["client_id"])
    refused = await admin.post(f"/api/v1/accounts/{account['id']}/notes", json={"text": text})
    assert refused.status_code == 422, refused.text
    [detail] = refused.json()["error"]["details"]
    assert detail["field"] == "text"
    assert reason in detail["reason"]
    assert await owner_db.fetchval("SELECT count(*) FROM account_note") == 0


async def test_a_note_of_4000_characters_is_kept(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount
) -> None:
    client = await make_client()
    account = await make_account(client["client_id"])
    made = await admin.post(f"/api/v1/accounts/{account['id']}/notes", json={"text": "x" * 4000})
    assert made.status_code == 201, made.text


async def test_no_client_reads_or_writes_notes(
    admin: Caller, make_client: MakeClient, make_user: MakeUser, make_account: MakeAccount
) -> None:
    client = await make_client()
    account = await make_account(client["client_id"])
    url = f"/api/v1/accounts/{account['id']}/notes"
    assert (await admin.post(url, json={"text": "staff only 5521"})).status_code == 201
    own_user = await make_user("client", client_id=client["client_id"])
    assert (await own_user.get(url)).status_code == 403
    assert (await own_user.post(url, json={"text": "from the client"})).status_code == 403
    detail = await own_user.get(f"/api/v1/accounts/{account['id']}")
    assert detail.status_code == 200
    assert "staff only 5521" not in detail.text
    other_collector = await make_user("collector", client_ids=[(await make_client())["client_id"]])
    assert (await other_collector.get(url)).status_code == 404
