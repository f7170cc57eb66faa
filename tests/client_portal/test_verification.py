"""Disputes as the law runs them, end to end: a written dispute inside the validation
period stops every collection action at once; the client answers the verification
request in the portal with a document; the night's batch makes the verification letter
(enclosing it) though the account is blocked; the vendor's mailing record lifts the block
and the account is callable again. A late oral dispute keeps collection open and marks
the debt disputed everywhere."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from server.kit import clock
from server.letters import service as letters
from tests.client_portal.conftest import NewBrowser, csrf_in
from tests.disputes.answering import PDF, mail, make_desk
from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser
from tests.letters.test_letter_pdf import read_back

FETCH = {"X-Requested-With": "portal"}


async def notice_mailed(
    owner_db: asyncpg.Connection, account_id: str, *, sent_days_ago: int, ends_in_days: int
) -> None:
    today = clock.agency_today()
    await owner_db.execute(
        "UPDATE account SET validation_notice_sent_on = $2, validation_period_ends_on = $3"
        " WHERE id = $1",
        UUID(account_id), today - timedelta(days=sent_days_ago),
        today + timedelta(days=ends_in_days),
    )  # fmt: skip


async def rules_of(caller: Caller, account_id: str) -> list[str]:
    check = await caller.post(f"/api/v1/accounts/{account_id}/call-check", json={})
    assert check.status_code == 200, check.text
    return list(check.json()["reasons"])


@pytest.fixture
async def desk(
    admin: Caller, make_user: MakeUser, make_client: MakeClient, make_account: MakeAccount
) -> dict[str, Any]:
    return await make_desk(
        admin, make_user, make_client, make_account, client_account_number="VER-1"
    )


@pytest.mark.clock
async def test_a_written_dispute_stops_collection_until_its_verification_is_mailed(
    desk: dict[str, Any], browser: NewBrowser, owner_db: asyncpg.Connection
) -> None:
    collector, account_id = desk["collector"], desk["account"]["id"]
    await notice_mailed(owner_db, account_id, sent_days_ago=3, ends_in_days=30)
    made = await collector.post(
        f"/api/v1/accounts/{account_id}/disputes",
        json={"channel": "written", "words": "I paid this in 2024-9917"},
    )
    assert made.status_code == 201, made.text
    assert (made.json()["timeliness"], made.json()["blocks_collection"]) == ("in_period", True)
    # Every collection action stops at once: calls, offers, the supervisor's button.
    assert "status_disputed" in await rules_of(collector, account_id)
    offer = await collector.post(
        f"/api/v1/accounts/{account_id}/offers",
        json={"kind": "lump_sum", "amount_cents": int(desk["account"]["balance_cents"])},
    )
    assert offer.status_code in (409, 422), offer.text
    button = await desk["supervisor"].post(
        f"/api/v1/accounts/{account_id}/verification", json={"reason": "verified"}
    )
    assert button.status_code == 409, button.text

    # The client answers in the portal with a document.
    portal = await browser()
    assert (await portal.sign_in(desk["client"].username or "")).status_code == 303
    listing = await portal.get("/portal/verification")
    assert "VER-1" in listing.text
    (request,) = (await desk["client"].get("/api/v1/verification-requests")).json()["items"]
    page_url = f"/portal/verification/{request['request_id']}"
    page = await portal.get(page_url)
    assert page.status_code == 200
    assert "I paid this in 2024-9917" in page.text
    uploaded = await portal.http.post(
        f"{page_url}/documents", params={"kind": "itemized_statement", "file_name": "stmt.pdf"},
        content=PDF,
        headers={"Content-Type": "application/octet-stream", "X-CSRF-Token": portal.csrf,
                 **FETCH},
    )  # fmt: skip
    assert uploaded.status_code == 201, uploaded.text
    page = await portal.get(uploaded.json()["location"])
    assert "stmt.pdf" in page.text
    answered = await portal.post_form(f"{page_url}/answer", {"note": "Statement of 2024"})
    assert answered.status_code == 303, answered.text
    assert "the debt is verified" in (await portal.get(answered.headers["location"])).text
    # Still blocked: the answer is not the mailing.
    assert "status_disputed" in await rules_of(collector, account_id)

    # The night's batch makes the verification letter though the account is blocked.
    made_batch = await letters.make_batch()
    assert made_batch.batch is not None
    batch_id = made_batch.batch.batch_id
    letter_list = (await desk["admin"].get(f"/api/v1/accounts/{account_id}/letters")).json()
    (letter,) = [item for item in letter_list if item["kind"] == "verification"]
    index = (await desk["admin"].get(f"/api/v1/letter-batches/{batch_id}.csv")).text
    entry = f"{letter['letter_id']}/1-stmt.pdf"
    assert entry in index
    enclosures = await desk["admin"].get(f"/api/v1/letter-batches/{batch_id}.zip")
    assert enclosures.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(enclosures.content)).read(entry) == PDF
    pdf = (await desk["admin"].get(f"/api/v1/letters/{letter['letter_id']}.pdf")).content
    text = read_back(pdf)
    assert "Verification of the debt you disputed" in text
    assert "VER-1" in text
    assert "1. Itemized statement: stmt.pdf" in text

    # The vendor reports it mailed: the dispute is answered, and collection resumes.
    await mail(desk["admin"], letter["letter_id"])
    assert "status_disputed" not in await rules_of(collector, account_id)
    detail = (await collector.get(f"/api/v1/accounts/{account_id}")).json()
    assert (detail["status"], detail["disputed"]) == ("active", True)
    (dispute,) = detail["sections"]["disputes"]
    assert (dispute["answered_by_letter_id"], dispute["answered_at"] is not None) == (
        letter["letter_id"], True,
    )  # fmt: skip
    # Reported again, nothing changes.
    assert (await mail(desk["admin"], letter["letter_id"]))["unchanged"] == 1


async def test_a_late_oral_dispute_keeps_collection_open_and_marks_the_debt(
    desk: dict[str, Any], browser: NewBrowser, owner_db: asyncpg.Connection
) -> None:
    collector, account_id = desk["collector"], desk["account"]["id"]
    await notice_mailed(owner_db, account_id, sent_days_ago=60, ends_in_days=-20)
    made = await collector.post(
        f"/api/v1/accounts/{account_id}/disputes",
        json={"channel": "oral", "words": "Says the interest is wrong"},
    )
    assert (made.json()["timeliness"], made.json()["blocks_collection"]) == ("late", False)
    assert "status_disputed" not in await rules_of(collector, account_id)
    detail = (await collector.get(f"/api/v1/accounts/{account_id}")).json()
    assert (detail["status"], detail["disputed"]) == ("active", True)
    # The client is asked to verify it all the same, and sees it is not blocking.
    portal = await browser()
    assert (await portal.sign_in(desk["client"].username or "")).status_code == 303
    (request,) = (await desk["client"].get("/api/v1/verification-requests")).json()["items"]
    page = (await portal.get(f"/portal/verification/{request['request_id']}")).text
    assert "Open; the debt is described as disputed" in page
    assert csrf_in(page)
