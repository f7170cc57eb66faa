"""Verification requests over the API: every dispute opens one to the account's client,
due in business days; the client uploads documents (checked by their bytes, at most
20 MB, refused whole with nothing stored) and answers, or recalls the account instead;
nobody else's request is found."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from server.disputes.verification_rules import MAX_DOCUMENT_BYTES
from server.kit import clock
from server.kit.business_days import add_business_days
from tests.disputes.answering import PDF, batch_letters, make_desk, request_of, verify
from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
async def desk(
    admin: Caller, make_user: MakeUser, make_client: MakeClient, make_account: MakeAccount
) -> dict[str, Any]:
    return await make_desk(admin, make_user, make_client, make_account)


async def dispute(desk: dict[str, Any], channel: str = "written", **more: Any) -> str:
    made = await desk["collector"].post(
        f"/api/v1/accounts/{desk['account']['id']}/disputes",
        json={"channel": channel, "words": "This is not my debt-7731", **more},
    )
    assert made.status_code == 201, made.text
    return str(made.json()["dispute_id"])


async def upload(caller: Caller, request_id: str, body: bytes, **params: str) -> Any:
    return await caller.post(
        f"/api/v1/verification-requests/{request_id}/documents",
        params={"kind": "itemized_statement", "file_name": "statement.pdf", **params},
        content=body,
        headers={"Content-Type": "application/pdf"},
    )


async def stored(owner_db: asyncpg.Connection) -> tuple[int, int]:
    return (
        await owner_db.fetchval("SELECT count(*) FROM verification_document"),
        await owner_db.fetchval("SELECT count(*) FROM verification_document_chunk"),
    )


@pytest.mark.clock
async def test_every_dispute_opens_a_request_due_in_fifteen_business_days(
    desk: dict[str, Any],
) -> None:
    written = await dispute(desk)
    oral = await dispute(desk, channel="oral")
    due = add_business_days(clock.agency_today(), 15).isoformat()
    for dispute_id, blocks in ((written, True), (oral, False)):
        request = await request_of(desk["client"], dispute_id)
        assert (request["due_on"], request["status"], request["overdue"]) == (due, "open", False)
        assert request["blocks_collection"] is blocks
        assert request["words"] == "This is not my debt-7731"
        detail = (
            await desk["client"].get(f"/api/v1/verification-requests/{request['request_id']}")
        ).json()
        assert [r["kind"] for r in detail["reminders"]] == ["verification_requested"]
    # The aging report carries each dispute's request.
    aging = (await desk["supervisor"].get("/api/v1/disputes")).json()["items"]
    carried = {
        (d["dispute_id"], d["verification_due_on"], d["verification_overdue"]) for d in aging
    }
    assert carried == {(written, due, False), (oral, due, False)}


async def test_a_document_is_refused_whole_unless_its_bytes_are_a_kept_type(
    desk: dict[str, Any], owner_db: asyncpg.Connection
) -> None:
    request_id = (await request_of(desk["client"], await dispute(desk)))["request_id"]
    client = desk["client"]
    # Named .pdf and declared a PDF, but text: 415, naming the reason; nothing stored.
    refused = await upload(client, request_id, b"I am not a PDF at all, only text.")
    assert refused.status_code == 415, refused.text
    assert refused.json()["error"]["code"] == "unsupported_file_type"
    assert "PDF, PNG, JPEG or TIFF" in refused.json()["error"]["message"]
    # One byte over 20 MB, a PDF by its start: 413, nothing stored (no chunk either).
    too_big = await upload(client, request_id, PDF[:8] + b"\x00" * (MAX_DOCUMENT_BYTES - 7))
    assert too_big.status_code == 413, too_big.text
    assert too_big.json()["error"]["code"] == "file_too_large"
    empty = await upload(client, request_id, b"")
    assert (empty.status_code, empty.json()["error"]["details"][0]["field"]) == (422, "file")
    wrong_kind = await upload(client, request_id, PDF, kind="selfie")
    assert (wrong_kind.status_code, wrong_kind.json()["error"]["details"][0]["field"]) == (
        422, "kind",
    )  # fmt: skip
    assert await stored(owner_db) == (0, 0)
    # Exactly 20 MB is kept, in 1 MiB chunks.
    largest = await upload(client, request_id, PDF[:8] + b"\x00" * (MAX_DOCUMENT_BYTES - 8))
    assert largest.status_code == 201, largest.text
    assert largest.json()["byte_size"] == MAX_DOCUMENT_BYTES
    assert await stored(owner_db) == (1, 20)


async def test_a_document_is_served_back_as_an_attachment_of_the_type_its_bytes_show(
    desk: dict[str, Any],
) -> None:
    request_id = (await request_of(desk["client"], await dispute(desk)))["request_id"]
    # Declared a PDF and named .pdf; its bytes are a PNG: kept and served as a PNG.
    made = await upload(desk["client"], request_id, PNG, file_name="../../scan<evil>.pdf")
    assert made.status_code == 201, made.text
    document = made.json()
    assert (document["media_type"], document["file_name"]) == ("image/png", "scan<evil>.pdf")
    for reader in (desk["client"], desk["collector"], desk["supervisor"]):
        served = await reader.get(f"/api/v1/verification-documents/{document['document_id']}")
        assert served.status_code == 200, served.text
        assert served.content == PNG
        assert served.headers["content-type"].startswith("image/png")
        assert served.headers["content-disposition"].startswith("attachment;")
        assert served.headers["x-content-type-options"] == "nosniff"
    missing = await desk["stranger"].get(
        f"/api/v1/verification-documents/{document['document_id']}"
    )
    assert missing.status_code == 404


async def test_the_client_answers_once_with_a_document(
    desk: dict[str, Any], owner_db: asyncpg.Connection
) -> None:
    request_id = (await request_of(desk["client"], await dispute(desk)))["request_id"]
    url = f"/api/v1/verification-requests/{request_id}"
    bare = await desk["client"].post(f"{url}/answer", json={})
    assert (bare.status_code, bare.json()["error"]["details"][0]["field"]) == (422, "documents")
    assert (await upload(desk["collector"], request_id, PDF)).status_code == 403
    assert (await upload(desk["stranger"], request_id, PDF)).status_code == 404
    assert (await desk["stranger"].get(url)).status_code == 404
    assert (await desk["stranger"].post(f"{url}/answer", json={})).status_code == 404
    assert (await desk["collector"].get("/api/v1/verification-requests")).status_code == 403
    answered = await verify(desk["client"], request_id)
    assert (answered["status"], answered["note"]) == ("verified", "Statement attached")
    assert [d["kind"] for d in answered["documents"]] == ["itemized_statement"]
    again = await desk["client"].post(f"{url}/answer", json={})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "request_closed")
    assert (await upload(desk["client"], request_id, PDF)).status_code == 409
    # The supervisor's list and the collector's account screen both show it.
    listed = await desk["supervisor"].get(
        "/api/v1/verification-requests", params={"status": "verified"}
    )
    assert [r["request_id"] for r in listed.json()["items"]] == [request_id]
    detail = (await desk["collector"].get(f"/api/v1/accounts/{desk['account']['id']}")).json()
    assert [r["request_id"] for r in detail["sections"]["verification"]] == [request_id]
    audited = await owner_db.fetch(
        "SELECT action FROM audit_event WHERE entity_id = $1 ORDER BY occurred_at, id",
        request_id,
    )
    assert [r["action"] for r in audited] == [
        "verification.requested", "verification.document", "verification.answered",
    ]  # fmt: skip


async def test_the_client_recalls_the_account_instead(desk: dict[str, Any]) -> None:
    request_id = (await request_of(desk["client"], await dispute(desk)))["request_id"]
    url = f"/api/v1/verification-requests/{request_id}/recall"
    blank = await desk["client"].post(url, json={"reason": "  "})
    assert (blank.status_code, blank.json()["error"]["details"][0]["field"]) == (422, "reason")
    recalled = await desk["client"].post(url, json={"reason": "We cannot find the contract"})
    assert recalled.status_code == 200, recalled.text
    assert recalled.json()["status"] == "recalled"
    account = (await desk["client"].get(f"/api/v1/accounts/{desk['account']['id']}")).json()
    assert account["status"] == "recalled"
    # A dispute of a recalled account is refused, so no request opens for it.
    assert (await desk["client"].get("/api/v1/verification-requests")).json()["items"] == []


async def test_a_request_for_the_original_creditor_is_answered_with_its_name_and_address(
    desk: dict[str, Any],
) -> None:
    dispute_id = await dispute(desk, kind="original_creditor_request")
    request_id = (await request_of(desk["client"], dispute_id))["request_id"]
    url = f"/api/v1/verification-requests/{request_id}/answer"
    bare = await desk["client"].post(url, json={})
    assert bare.status_code == 422
    assert [d["field"] for d in bare.json()["error"]["details"]][-1] == "original_creditor_address"
    answered = await desk["client"].post(
        url, json={"original_creditor_name": "First Example Bank",
                   "original_creditor_address": "100 Main St | Springfield, IL 62701"},
    )  # fmt: skip
    assert answered.status_code == 200, answered.text
    (letter,) = await batch_letters(desk["admin"], "original_creditor")
    data = letter["data"]
    assert (data["original_creditor_name"], data["original_creditor_address"]) == (
        "First Example Bank", ["100 Main St", "Springfield, IL 62701"],
    )  # fmt: skip


async def test_a_supervisor_still_verifies_a_dispute_recorded_before_requests_existed(
    desk: dict[str, Any], owner_db: asyncpg.Connection
) -> None:
    dispute_id = await dispute(desk)
    url = f"/api/v1/accounts/{desk['account']['id']}/verification"
    refused = await desk["supervisor"].post(url, json={"reason": "verified"})
    assert (refused.status_code, refused.json()["error"]["code"]) == (
        409, "awaiting_verification_mailing",
    )  # fmt: skip
    # As a dispute recorded before this change: no request, so no letter will answer it.
    await owner_db.execute("DELETE FROM verification_reminder")
    await owner_db.execute("DELETE FROM verification_request")
    lifted = await desk["supervisor"].post(url, json={"reason": "verification mailed"})
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()["status"] == "active"
    (answered,) = (
        await desk["supervisor"].get(f"/api/v1/accounts/{desk['account']['id']}/disputes")
    ).json()["items"]
    assert (answered["dispute_id"], answered["answered_at"] is not None) == (dispute_id, True)
