"""Recall and maintenance files: changes to accounts already placed, row by row."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from server.placements import ingest
from tests.fixtures import Caller, MakeClient
from tests.placements.test_ingest import csv_bytes, good_row, upload_and_load


async def _load(admin: Caller, client_id: str, body: bytes, kind: str) -> dict[str, object]:
    response = await admin.post(
        "/api/v1/placements",
        params={"client_id": client_id, "kind": kind},
        content=body,
        headers={"Content-Type": "text/csv"},
    )
    assert response.status_code == 202, response.text
    placement_id = response.json()["placement_id"]
    assert await ingest.load_placement(UUID(placement_id)) == "loaded"
    return dict((await admin.get(f"/api/v1/placements/{placement_id}")).json())


async def test_a_recall_file_recalls_the_accounts_it_names(
    admin: Caller, make_client: MakeClient, owner_db: asyncpg.Connection
) -> None:
    client = await make_client()
    await upload_and_load(admin, client["client_id"], csv_bytes([good_row(i) for i in range(3)]))
    recall = (
        b"client_account_number,reason\r\nAC-00000,paid the client\r\nac-00002,\r\n"
        b"NOPE-1,x\r\nAC-00000,again\r\n"
    )
    placement = await _load(admin, client["client_id"], recall, "recall")
    assert (placement["rows_read"], placement["rows_accepted"], placement["rows_rejected"]) == (
        4,
        2,
        2,
    )
    statuses = dict(await owner_db.fetch("SELECT client_account_number, status FROM account"))
    assert statuses == {"AC-00000": "recalled", "AC-00001": "active", "AC-00002": "recalled"}
    reasons = {
        r["reason"] for r in await owner_db.fetch("SELECT reason FROM account_status_change")
    }
    assert reasons == {"paid the client", "from the client's recall file"}
    errors = (await admin.get(f"/api/v1/placements/{placement['placement_id']}/errors")).json()[
        "items"
    ]
    assert {(e["line"], e["code"]) for e in errors} == {(4, "not_found"), (5, "duplicate_in_file")}


async def test_a_maintenance_file_changes_addresses_phones_and_statuses(
    admin: Caller, make_client: MakeClient, owner_db: asyncpg.Connection
) -> None:
    client = await make_client()
    await upload_and_load(admin, client["client_id"], csv_bytes([good_row(i) for i in range(4)]))
    header = (
        "client_account_number,address_line1,city,state,zip,phone_home,email,status,status_reason"
    )
    rows = [
        "AC-00000,5 New Rd,Boston,MA,02108,(617) 555-0100,new@example.com,,",
        "AC-00001,,,,,,,bankruptcy,Chapter 7 filed",
        "AC-00002,,,,,,,dispute,disputed in writing",
        "AC-00003,,,,,,,divorce,",
        "AC-00002,,,,99999,,,,",
    ]
    body = ("\r\n".join([header, *rows]) + "\r\n").encode()
    placement = await _load(admin, client["client_id"], body, "maintenance")
    assert (placement["rows_accepted"], placement["rows_rejected"]) == (3, 2)
    moved = await owner_db.fetchrow(
        "SELECT d.address_line1, d.state, d.zip5, d.time_zone, d.emails FROM debtor_profile d"
        " JOIN account a ON a.debtor_id = d.debtor_id AND a.client_id = d.client_id"
        " WHERE a.client_account_number = 'AC-00000'"
    )
    assert (moved["address_line1"], moved["state"], moved["zip5"]) == ("5 New Rd", "MA", "02108")
    assert moved["time_zone"] == "America/New_York"
    assert "new@example.com" in moved["emails"]
    phones = await owner_db.fetchval(
        "SELECT count(*) FROM debtor_phone WHERE e164 = '+16175550100'"
    )
    assert phones == 1
    statuses = dict(await owner_db.fetch("SELECT client_account_number, status FROM account"))
    assert statuses["AC-00001"] == "bankruptcy"
    assert statuses["AC-00002"] == "disputed"
    assert statuses["AC-00003"] == "active"
    errors = (await admin.get(f"/api/v1/placements/{placement['placement_id']}/errors")).json()[
        "items"
    ]
    assert {(e["line"], e["code"]) for e in errors} >= {(5, "invalid_status"), (6, "unknown_zip")}


async def test_a_refused_status_change_refuses_the_whole_row(
    admin: Caller, make_client: MakeClient, owner_db: asyncpg.Connection
) -> None:
    client = await make_client()
    await upload_and_load(admin, client["client_id"], csv_bytes([good_row(0)]))
    # Closed: no block is added to an account out of collection.
    await owner_db.execute("UPDATE account SET status = 'closed'")
    second = b"client_account_number,zip,status\r\nAC-00000,02108,dispute\r\n"
    placement = await _load(admin, client["client_id"], second, "maintenance")
    assert placement["rows_rejected"] == 1
    assert await owner_db.fetchval("SELECT zip5 FROM debtor_profile") == "43215"
    assert await owner_db.fetchval("SELECT status FROM account") == "closed"
    assert await owner_db.fetchval("SELECT count(*) FROM account_block") == 0


async def test_statuses_a_maintenance_file_reports_stack_as_blocks(
    admin: Caller, make_client: MakeClient, owner_db: asyncpg.Connection
) -> None:
    """A bankruptcy the client reports on a disputed account keeps the dispute; the same
    status again adds nothing; the account shows the most severe block."""
    client = await make_client()
    await upload_and_load(admin, client["client_id"], csv_bytes([good_row(0), good_row(1)]))
    first = b"client_account_number,status\r\nAC-00000,dispute\r\nAC-00001,cease\r\n"
    await _load(admin, client["client_id"], first, "maintenance")
    second = b"client_account_number,status\r\nAC-00000,bankruptcy\r\nAC-00001,dispute\r\n"
    third = b"client_account_number,status\r\nAC-00000,dispute\r\n"
    for body in (second, third):
        placement = await _load(admin, client["client_id"], body, "maintenance")
        assert placement["rows_rejected"] == 0
    statuses = dict(await owner_db.fetch("SELECT client_account_number, status FROM account"))
    assert statuses == {"AC-00000": "bankruptcy", "AC-00001": "cease_communication"}
    blocks = await owner_db.fetch(
        "SELECT a.client_account_number, b.kind, b.source, b.evidence FROM account_block b"
        " JOIN account a ON a.id = b.account_id WHERE b.lifted_at IS NULL"
    )
    assert {(b["client_account_number"], b["kind"]) for b in blocks} == {
        ("AC-00000", "disputed"), ("AC-00000", "bankruptcy"),
        ("AC-00001", "cease_communication"), ("AC-00001", "disputed"),
    }  # fmt: skip
    assert {(b["source"], b["evidence"]) for b in blocks} == {("maintenance_file", None)}


HINT = " (a comma or a quote may be missing)"


async def test_a_row_with_too_few_or_too_many_fields_is_refused_not_read_past_its_end(
    admin: Caller, make_client: MakeClient, owner_db: asyncpg.Connection
) -> None:
    client = await make_client()
    await upload_and_load(admin, client["client_id"], csv_bytes([good_row(i) for i in range(3)]))
    recall = b"client_account_number,reason\r\nAC-00000\r\nAC-00001,x,y\r\nAC-00002,ok\r\n"
    placement = await _load(admin, client["client_id"], recall, "recall")
    assert (placement["rows_accepted"], placement["rows_rejected"]) == (1, 2)
    errors = (await admin.get(f"/api/v1/placements/{placement['placement_id']}/errors")).json()
    assert [(e["line"], e["code"], e["reason"]) for e in errors["items"]] == [
        (2, "column_count", f"has 1 value where the header has 2 columns{HINT}"),
        (3, "column_count", f"has 3 values where the header has 2 columns{HINT}"),
    ]
    statuses = dict(await owner_db.fetch("SELECT client_account_number, status FROM account"))
    assert statuses == {"AC-00000": "active", "AC-00001": "active", "AC-00002": "recalled"}
