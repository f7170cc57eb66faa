"""A letter batch and the vendor's return file: the validation period follows the
mailing to the day; a late mailing voids the notice; returned mail voids the period and
marks the address; nothing dates a notice but a mailing record."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from server.accounts.validation_period import LATEST_US_ZONE
from server.kit import clock
from server.letters import service
from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser

# Friday 2026-11-20, 10:00 in New York: the batch is mailed Monday 2026-11-23, received
# Tuesday 2026-12-01 (Thanksgiving not counted) and the period ends 2026-12-31.
FRIDAY = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
PLANNED = date(2026, 11, 23)
PRINTED_END = date(2026, 12, 31)
# The next batch, Wednesday 2026-11-25: before every instant the suite's clock is pinned at,
# so the vendor's mailing dates reported for it are never in the future.
LATER = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


async def _account(make_client: MakeClient, make_account: MakeAccount, **fields: Any) -> str:
    client = await make_client()
    made = await make_account(client["client_id"], charge_off_date=date(2025, 3, 1), **fields)
    return str(made["id"])


def _index(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def _batch(admin: Caller, at: datetime = FRIDAY) -> tuple[dict[str, Any], list[dict]]:
    with clock.running_from(at):
        made = await service.make_batch()
    assert made.batch is not None, made.held
    batch_id = made.batch.batch_id
    pdf = await admin.get(f"/api/v1/letter-batches/{batch_id}.pdf")
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    index = await admin.get(f"/api/v1/letter-batches/{batch_id}.csv")
    assert index.status_code == 200, index.text
    return {"batch_id": str(batch_id), "held": made.held}, _index(index.text)


async def _returns(admin: Caller, rows: list[str]) -> dict[str, Any]:
    """Imported at the real clock (signed-in tokens are dated by it): every date reported
    here is in its past."""
    body = "letter_id,mailed_on,returned_on,reason\r\n" + "".join(r + "\r\n" for r in rows)
    response = await admin.post(
        "/api/v1/letter-returns", content=body, headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def _state_today(period_ends_on: date) -> str:
    """A mailed notice's state depends on the day the suite runs: the period is open until
    its end date has passed in the last US zone to see it."""
    today = clock.local_date(clock.now(), LATEST_US_ZONE)
    return "in_validation_period" if today <= period_ends_on else "validation_period_ended"


async def _account_dates(admin: Caller, account_id: str) -> tuple[Any, Any, str]:
    detail = (await admin.get(f"/api/v1/accounts/{account_id}")).json()
    return (
        detail["validation_notice_sent_on"],
        detail["validation_period_ends_on"],
        detail["validation_state"],
    )


async def test_the_period_follows_the_mailing(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount
) -> None:
    account_id = await _account(make_client, make_account)
    _, index = await _batch(admin)
    [row] = index
    assert (row["account_id"], row["pages"], row["planned_mailing_date"]) == (
        account_id, "1", PLANNED.isoformat(),
    )  # fmt: skip
    # Batched is not mailed: nothing is dated yet.
    assert await _account_dates(admin, account_id) == (None, None, "notice_not_mailed")
    letter = (await admin.get(f"/api/v1/letters/{row['letter_id']}")).json()
    assert letter["letter"]["printed_period_ends_on"] == PRINTED_END.isoformat()
    assert letter["data"]["validation_period_ends_on"] == PRINTED_END.isoformat()
    assert letter["data"]["creditor_on_itemization_date"] == "Original Bank"
    pdf = await admin.get(f"/api/v1/letters/{row['letter_id']}.pdf")
    assert pdf.content.startswith(b"%PDF")

    report = await _returns(admin, [f"{row['letter_id']},{PLANNED},,"])
    assert (report["mailed"], report["voided"], report["errors"]) == (1, 0, [])
    assert await _account_dates(admin, account_id) == (
        PLANNED.isoformat(), PRINTED_END.isoformat(), _state_today(PRINTED_END),
    )  # fmt: skip
    # The same file again changes nothing.
    again = await _returns(admin, [f"{row['letter_id']},{PLANNED},,"])
    assert (again["mailed"], again["unchanged"], again["errors"]) == (0, 1, [])
    # A noticed account is due no other notice.
    with clock.running_from(LATER):
        assert (await service.make_batch()).batch is None


async def test_a_notice_mailed_late_is_void_and_made_again(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount
) -> None:
    account_id = await _account(make_client, make_account)
    _, [row] = await _batch(admin)
    report = await _returns(admin, [f"{row['letter_id']},2026-11-24,,"])
    assert (report["mailed"], report["voided"]) == (1, 1)
    assert await _account_dates(admin, account_id) == (None, None, "notice_not_mailed")
    letter = (await admin.get(f"/api/v1/letters/{row['letter_id']}")).json()["letter"]
    assert letter["events"] == {"mailed": "2026-11-24", "void": "2026-11-24"}
    # The next batch (Wednesday 2026-11-25, mailed Friday 2026-11-27 after Thanksgiving)
    # re-issues it.
    _, [again] = await _batch(admin, LATER)
    assert again["account_id"] == account_id
    assert again["letter_id"] != row["letter_id"]
    assert again["planned_mailing_date"] == "2026-11-27"
    await _returns(admin, [f"{again['letter_id']},2026-11-27,,"])
    # Received Friday 2026-12-04 (five business days), ends 2027-01-03.
    assert await _account_dates(admin, account_id) == (
        "2026-11-27", "2027-01-03", _state_today(date(2027, 1, 3)),
    )  # fmt: skip


async def test_returned_mail_voids_the_period_and_marks_the_address(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount, owner_db: asyncpg.Connection
) -> None:
    account_id = await _account(make_client, make_account)
    _, [row] = await _batch(admin)
    await _returns(admin, [f"{row['letter_id']},{PLANNED},,"])
    report = await _returns(admin, [f"{row['letter_id']},{PLANNED},2026-11-30,moved"])
    assert (report["mailed"], report["returned"], report["errors"]) == (0, 1, [])
    assert await _account_dates(admin, account_id) == (
        PLANNED.isoformat(), None, "returned_undeliverable",
    )  # fmt: skip
    letter = (await admin.get(f"/api/v1/letters/{row['letter_id']}")).json()["letter"]
    assert letter["events"] == {"mailed": PLANNED.isoformat(), "returned": "2026-11-30"}
    # No notice goes to the bad address again.
    with clock.running_from(LATER):
        made = await service.make_batch()
    assert made.batch is None
    assert made.held == {"address_marked_bad": 1}
    # A new address: a new notice is due.
    await owner_db.execute(
        "UPDATE debtor_profile p SET address_line1 = '9 New Road' FROM account a"
        " WHERE a.id = $1 AND p.debtor_id = a.debtor_id AND p.client_id = a.client_id",
        UUID(account_id),
    )
    _, [again] = await _batch(admin, LATER)
    assert again["account_id"] == account_id
    assert "9 New Road" in again["address"]


async def test_each_row_is_refused_with_its_line_and_reason(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount
) -> None:
    account_id = await _account(make_client, make_account)
    _, [row] = await _batch(admin)
    letter_id = row["letter_id"]
    report = await _returns(
        admin,
        [
            "not-an-id,2026-11-23,,",
            f"{letter_id},23/11/2026,,",
            f"{letter_id},,,",
            f"{letter_id},2099-12-20,,",
            f"{letter_id},2026-11-23,2026-11-20,",
            "00000000-0000-4000-8000-000000000000,2026-11-23,,",
            f"{letter_id},,2026-11-30,moved",
            f"{letter_id},2025-11-23,,",
        ],
    )
    assert [(e["line"], e["field"]) for e in report["errors"]] == [
        (2, "letter_id"), (3, "mailed_on"), (4, "mailed_on"), (5, "mailed_on"),
        (6, "returned_on"), (7, "letter_id"), (8, "returned_on"), (9, "mailed_on"),
    ]  # fmt: skip
    assert report["errors"][-1]["reason"] == "is before the letter was made (2026-11-20)"
    assert (report["rows_read"], report["mailed"]) == (8, 0)
    assert await _account_dates(admin, account_id) == (None, None, "notice_not_mailed")


async def test_what_is_held_and_why(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount
) -> None:
    client = await make_client()
    await make_account(client["client_id"])  # no itemization date
    await make_account(client["client_id"], charge_off_date=date(2025, 3, 1), status="disputed")
    with clock.running_from(FRIDAY):
        made = await service.make_batch()
    assert made.batch is None
    assert made.held == {"no_itemization_date": 1}


async def test_letters_are_append_only(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount, owner_db: asyncpg.Connection
) -> None:
    await _account(make_client, make_account)
    await _batch(admin)
    for table in ("letter", "letter_batch"):
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await owner_db.execute(f"UPDATE {table} SET created_at = created_at")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await owner_db.execute(f"DELETE FROM {table}")


async def test_only_staff_download_and_only_an_admin_imports(
    admin: Caller, make_user: MakeUser, make_client: MakeClient, make_account: MakeAccount
) -> None:
    await _account(make_client, make_account)
    batch, [row] = await _batch(admin)
    supervisor = await make_user("supervisor")
    collector = await make_user("collector")
    url = f"/api/v1/letter-batches/{batch['batch_id']}.csv"
    assert (await supervisor.get(url)).status_code == 200
    assert (await collector.get(url)).status_code == 403
    assert (await collector.get(f"/api/v1/letters/{row['letter_id']}.pdf")).status_code == 403
    refused = await supervisor.post(
        "/api/v1/letter-returns", content=b"letter_id,mailed_on,returned_on,reason\r\n",
        headers={"Content-Type": "text/csv"},
    )  # fmt: skip
    assert refused.status_code == 403
    assert (await admin.get(f"/api/v1/letter-batches/{batch['batch_id']}.txt")).status_code == 404


async def test_returned_mail_marks_the_address_bad_for_every_account_that_mails_there(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount, owner_db: asyncpg.Connection
) -> None:
    account_id = await _account(make_client, make_account)
    debtor_id = await owner_db.fetchval("SELECT debtor_id FROM account WHERE id = $1",
                                        UUID(account_id))  # fmt: skip
    _, [row] = await _batch(admin)
    # Another client places the same person at the same address, after the notice went.
    other = await make_client()
    elsewhere = await make_client()
    second = str((await make_account(other["client_id"], debtor_id=debtor_id,
                                     charge_off_date=date(2025, 3, 1)))["id"])  # fmt: skip
    third = str((await make_account(elsewhere["client_id"], debtor_id=debtor_id,
                                    charge_off_date=date(2025, 3, 1)))["id"])  # fmt: skip
    await owner_db.execute(
        "UPDATE debtor_profile p SET address_line1 = s.address_line1,"
        " address_line2 = s.address_line2, city = s.city, state = s.state, zip5 = s.zip5"
        " FROM debtor_profile s JOIN account a ON a.client_id = s.client_id"
        " WHERE a.id = $1 AND s.debtor_id = a.debtor_id AND p.debtor_id = s.debtor_id"
        " AND p.client_id = $2",
        UUID(account_id), UUID(other["client_id"]),
    )  # fmt: skip
    await owner_db.execute(
        "UPDATE debtor_profile SET address_line1 = '77 Other Lane' WHERE debtor_id = $1"
        " AND client_id = $2",
        debtor_id, UUID(elsewhere["client_id"]),
    )  # fmt: skip
    report = await _returns(admin, [f"{row['letter_id']},{PLANNED},2026-11-30,moved"])
    assert (report["returned"], report["errors"]) == (1, [])
    bad = await owner_db.fetch(
        "SELECT account_id FROM letter_bad_address WHERE letter_id = $1", UUID(row["letter_id"])
    )
    assert {str(r["account_id"]) for r in bad} == {account_id, second}
    # The next night: the account at the same address waits; the one elsewhere is noticed.
    with clock.running_from(LATER):
        made = await service.make_batch()
    assert made.held.get("address_marked_bad") == 2
    assert made.batch is not None
    index = _index((await admin.get(f"/api/v1/letter-batches/{made.batch.batch_id}.csv")).text)
    assert [r["account_id"] for r in index] == [third]
