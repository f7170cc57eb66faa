"""A dispute answered the way the law and the agency answer it: the client uploads a
document and answers the verification request, the night's batch makes the letter, the
vendor's return file reports it mailed."""

from __future__ import annotations

from typing import Any

from server.kit import clock
from server.letters import service as letters
from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser


async def make_desk(
    admin: Caller, make_user: MakeUser, make_client: MakeClient, make_account: MakeAccount,
    **account: Any,
) -> dict[str, Any]:  # fmt: skip
    """A client with an account, its user, a collector of its portfolio, a supervisor, the
    admin, and another client's user (a stranger to it)."""
    client = await make_client()
    return {
        "admin": admin,
        "supervisor": await make_user("supervisor"),
        "collector": await make_user("collector", client_ids=[client["client_id"]]),
        "client": await make_user("client", client_id=client["client_id"]),
        "stranger": await make_user("client", client_id=(await make_client())["client_id"]),
        "account": await make_account(client["client_id"], **account),
        "other": await make_account(client["client_id"]),
    }


# The smallest file that is a PDF by its first bytes.
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


async def request_of(caller: Caller, dispute_id: str) -> dict[str, Any]:
    listed = await caller.get("/api/v1/verification-requests", params={"status": "all"})
    assert listed.status_code == 200, listed.text
    return next(r for r in listed.json()["items"] if r["dispute_id"] == dispute_id)


async def verify(client: Caller, request_id: str, name: str = "statement.pdf") -> dict[str, Any]:
    """The client uploads an itemized statement and answers the request with it."""
    uploaded = await client.post(
        f"/api/v1/verification-requests/{request_id}/documents",
        params={"kind": "itemized_statement", "file_name": name},
        content=PDF,
        headers={"Content-Type": "application/pdf"},
    )
    assert uploaded.status_code == 201, uploaded.text
    answered = await client.post(
        f"/api/v1/verification-requests/{request_id}/answer", json={"note": "Statement attached"}
    )
    assert answered.status_code == 200, answered.text
    return dict(answered.json())


async def batch_letters(admin: Caller, kind: str) -> list[dict[str, Any]]:
    """The night's batch; the letters of `kind` it made."""
    made = await letters.make_batch()
    assert made.batch is not None, made.held
    index = await admin.get(f"/api/v1/letter-batches/{made.batch.batch_id}.csv")
    assert index.status_code == 200, index.text
    found = []
    for line in index.text.splitlines()[1:]:
        letter_id = line.split(",", 1)[0]
        letter = (await admin.get(f"/api/v1/letters/{letter_id}")).json()
        if letter["letter"]["kind"] == kind:
            found.append(letter)
    return found


async def mail(admin: Caller, letter_id: str) -> dict[str, Any]:
    """The vendor's return file: the letter mailed today."""
    body = f"letter_id,mailed_on,returned_on,reason\r\n{letter_id},{clock.agency_today()},,\r\n"
    imported = await admin.post(
        "/api/v1/letter-returns", content=body, headers={"Content-Type": "text/csv"}
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["errors"] == [], imported.text
    return dict(imported.json())


async def answer_by_letter(client: Caller, admin: Caller, dispute_id: str) -> str:
    """The whole answer to a dispute; returns the verification letter's id."""
    request = await request_of(client, dispute_id)
    await verify(client, request["request_id"])
    (letter,) = [
        found
        for found in await batch_letters(admin, "verification")
        if found["letter"]["account_id"] == request["account_id"]
    ]
    await mail(admin, letter["letter"]["letter_id"])
    return str(letter["letter"]["letter_id"])
