"""Placement upload and loading, end to end: HTTP upload, the worker's load, the results."""

from __future__ import annotations

import csv
import io
import re
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from server.clients.column_map import default_column_map
from server.placements import ingest
from tests.fixtures import Caller, MakeClient, MakeUser

# Rows are keyed by our fields; the header row is written in the default layout's names.
HEADER = list(default_column_map().columns)
LAYOUT = default_column_map().columns


def csv_bytes(
    rows: list[dict[str, str]], header: list[str] = HEADER, encoding: str = "utf-8"
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([LAYOUT.get(column, column) for column in header])
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return out.getvalue().encode(encoding)


def good_row(number: int, **overrides: str) -> dict[str, str]:
    row = {
        "client_account_number": f"AC-{number:05d}",
        "first_name": "Maria",
        "last_name": f"Lopez{number}",
        "date_of_birth": "1980-02-03",
        "ssn": f"123-45-{number + 1000:04d}",
        "address_line1": "12 Main St",
        "city": "Columbus",
        "state": "OH",
        "zip": "43215",
        "phone_mobile": "(614) 555-0142",
        "email": f"maria{number}@example.com",
        "original_creditor": "Acme Bank",
        "principal_cents": "1,234.56",
        "interest_cents": "10.00",
        "fees_cents": "0",
        "delinquency_date": "2025-01-15",
    }
    row.update(overrides)
    return row


async def upload(caller: Caller, client_id: str, body: bytes, **params: str) -> Any:
    return await caller.post(
        "/api/v1/placements",
        params={"client_id": client_id, **params},
        content=body,
        headers={
            "Content-Type": "text/csv",
            "Content-Disposition": 'attachment; filename="new.csv"',
        },
    )


async def upload_and_load(caller: Caller, client_id: str, body: bytes) -> dict[str, Any]:
    response = await upload(caller, client_id, body)
    assert response.status_code == 202, response.text
    placement_id = response.json()["placement_id"]
    assert await ingest.load_placement(UUID(placement_id)) == "loaded"
    return dict((await caller.get(f"/api/v1/placements/{placement_id}")).json())


async def test_a_file_is_loaded_with_its_counts(
    admin: Caller, make_client: MakeClient, owner_db: asyncpg.Connection
) -> None:
    client = await make_client()
    placement = await upload_and_load(
        admin, client["client_id"], csv_bytes([good_row(i) for i in range(5)])
    )
    assert placement["status"] == "loaded"
    assert (placement["rows_read"], placement["rows_accepted"], placement["rows_rejected"]) == (
        5,
        5,
        0,
    )
    assert placement["progress"] == 100
    assert placement["fee_rate_bps"] == 2500
    assert placement["file_name"] == "new.csv"
    accounts = (
        await admin.get("/api/v1/accounts", params={"client_id": client["client_id"]})
    ).json()
    assert len(accounts["items"]) == 5
    detail = (await admin.get(f"/api/v1/accounts/{accounts['items'][0]['account_id']}")).json()
    assert detail["balance_cents"] == 124456
    assert detail["debtor"]["phones"][0]["e164"] == "+16145550142"
    assert detail["debtor"]["ssn_last4"] is not None
    # Loading a file mails nothing: no notice date, no period to count from.
    assert detail["validation_notice_sent_on"] is None
    assert detail["validation_period_ends_on"] is None
    assert detail["validation_state"] == "notice_not_mailed"
    # Only a keyed hash is kept: 64 hex digits, never the number (a hex digest holds "123"
    # somewhere about once in seventy, so the test looks for the whole number instead).
    stored = await owner_db.fetch(
        "SELECT d.ssn_hash, f.ssn_last4 FROM debtor d JOIN debtor_profile f ON f.debtor_id = d.id"
    )
    for row in stored:
        assert re.fullmatch(r"[0-9a-f]{64}", row["ssn_hash"])
        assert f"12345{row['ssn_last4']}" not in row["ssn_hash"]


async def test_the_same_bytes_again_are_the_same_placement(
    admin: Caller, make_client: MakeClient, owner_db: asyncpg.Connection
) -> None:
    client = await make_client()
    body = csv_bytes([good_row(1)])
    first = await upload(admin, client["client_id"], body)
    counts = await owner_db.fetchrow(
        "SELECT (SELECT count(*) FROM placement) p, (SELECT count(*) FROM placement_chunk) c,"
        " (SELECT count(*) FROM audit_event) a"
    )
    again = await upload(admin, client["client_id"], body)
    assert again.status_code == 200
    assert again.json()["placement_id"] == first.json()["placement_id"]
    assert (
        await owner_db.fetchrow(
            "SELECT (SELECT count(*) FROM placement) p, (SELECT count(*) FROM placement_chunk) c,"
            " (SELECT count(*) FROM audit_event) a"
        )
        == counts
    )
    other_kind_same_client = await upload(admin, client["client_id"], body, tier="secondary")
    assert other_kind_same_client.status_code == 200  # tier is not part of identity; kind is


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"", "empty_file"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, "binary_file"),
        (
            csv_bytes([good_row(1)], header=[h for h in HEADER if h not in ("zip", "last_name")]),
            "header_mismatch",
        ),
    ],
)
async def test_a_file_rejected_whole_is_not_kept(
    admin: Caller, make_client: MakeClient, owner_db: asyncpg.Connection, body: bytes, code: str
) -> None:
    client = await make_client()
    response = await upload(admin, client["client_id"], body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == code
    assert await owner_db.fetchval("SELECT count(*) FROM placement") == 0
    assert await owner_db.fetchval("SELECT count(*) FROM placement_chunk") == 0
    if code == "header_mismatch":
        fields = {d["field"] for d in response.json()["error"]["details"]}
        assert fields == {"columns.zip", "columns.last_name"}
        fixed = await upload(admin, client["client_id"], csv_bytes([good_row(1)]))
        assert fixed.status_code == 202


async def test_row_errors_are_reported_and_good_rows_kept(
    admin: Caller, make_client: MakeClient
) -> None:
    client = await make_client()
    rows = [
        good_row(1),
        good_row(2, principal_cents="0"),
        good_row(3, zip="00000"),
        good_row(4, delinquency_date="2099-01-01"),
        good_row(5, phone_mobile="123"),
        good_row(6, client_account_number="AC-00001"),
        good_row(7, address_line1="1 Elm St\nUnit 4"),
        good_row(8, principal_cents="$99.10", last_name=""),
    ]
    placement = await upload_and_load(admin, client["client_id"], csv_bytes(rows))
    assert (placement["rows_read"], placement["rows_accepted"], placement["rows_rejected"]) == (
        8,
        3,
        5,
    )
    assert placement["rows_warned"] == 1
    errors = (await admin.get(f"/api/v1/placements/{placement['placement_id']}/errors")).json()[
        "items"
    ]
    by_line = {(e["line"], e["field"], e["code"]) for e in errors}
    # Line 1 is the header; row 7 spans two physical lines (a quoted newline), so row 8
    # starts on line 10.
    assert (3, "principal_cents", "amount_not_positive") in by_line
    assert (4, "zip", "unknown_zip") in by_line
    assert (5, "delinquency_date", "future_date") in by_line
    assert (6, "phone_mobile", "invalid_phone") in by_line
    assert (7, "client_account_number", "duplicate_in_file") in by_line
    assert (10, "last_name", "required") in by_line
    csv_text = (await admin.get(f"/api/v1/placements/{placement['placement_id']}/errors.csv")).text
    assert csv_text.splitlines()[0] == "line,column,field,severity,code,reason"
    assert len(csv_text.splitlines()) == len(errors) + 1


async def test_acknowledgement_lists_every_accepted_account(
    admin: Caller, make_client: MakeClient
) -> None:
    client = await make_client(fee_rates_bps={"primary": 3100})
    placement = await upload_and_load(
        admin,
        client["client_id"],
        csv_bytes([good_row(i) for i in range(3)] + [good_row(9, principal_cents="-1")]),
    )
    text = (
        await admin.get(f"/api/v1/placements/{placement['placement_id']}/acknowledgement.csv")
    ).text
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == [
        "line",
        "client_account_number",
        "account_id",
        "balance_received_cents",
        "fee_rate_bps",
    ]
    *accounts, total = lines[1:]
    assert [row[1] for row in accounts] == ["AC-00000", "AC-00001", "AC-00002"]
    assert all(row[3] == "124456" and row[4] == "3100" for row in accounts)
    # The count and the total balance placed, to hold against the client's own figures.
    assert total == ["total", "3 accounts", "", str(3 * 124456), ""]
    assert (placement["accounts_placed"], placement["balance_placed_cents"]) == (3, 3 * 124456)


async def test_the_totals_placed_leave_out_rows_the_merge_refuses(
    admin: Caller, make_client: MakeClient
) -> None:
    """A row refused by the merge (its account already open) is neither counted nor summed."""
    client = await make_client()
    await upload_and_load(admin, client["client_id"], csv_bytes([good_row(0)]))
    rows = [good_row(i, principal_cents=f"{i + 1}.00", interest_cents="0") for i in range(10)]
    placement = await upload_and_load(admin, client["client_id"], csv_bytes(rows))
    assert placement["rows_rejected"] == 1
    assert placement["accounts_placed"] == 9
    assert placement["balance_placed_cents"] == sum((i + 1) * 100 for i in range(1, 10))


async def test_an_account_open_elsewhere_is_refused_and_a_recalled_one_may_return(
    admin: Caller, make_client: MakeClient
) -> None:
    client = await make_client()
    await upload_and_load(admin, client["client_id"], csv_bytes([good_row(1)]))
    again = await upload_and_load(
        admin, client["client_id"], csv_bytes([good_row(1, interest_cents="1.00")])
    )
    assert again["rows_rejected"] == 1
    errors = (await admin.get(f"/api/v1/placements/{again['placement_id']}/errors")).json()["items"]
    assert errors[0]["code"] == "already_open"
    account_id = (
        await admin.get("/api/v1/accounts", params={"client_id": client["client_id"]})
    ).json()["items"][0]["account_id"]
    recalled = await admin.post(
        f"/api/v1/accounts/{account_id}/recall", json={"reason": "client request"}
    )
    assert recalled.status_code == 200
    third = await upload_and_load(
        admin, client["client_id"], csv_bytes([good_row(1, interest_cents="2.00")])
    )
    assert third["rows_accepted"] == 1


async def test_debtors_are_matched_across_placements(
    admin: Caller, make_client: MakeClient, owner_db: asyncpg.Connection
) -> None:
    first_client, second_client = await make_client(), await make_client()
    await upload_and_load(admin, first_client["client_id"], csv_bytes([good_row(1)]))
    # Same SSN, another client: the same person.
    await upload_and_load(
        admin, second_client["client_id"], csv_bytes([good_row(1, client_account_number="X-1")])
    )
    assert await owner_db.fetchval("SELECT count(DISTINCT debtor_id) FROM account") == 1
    # No SSN, same name and birth date, same address: the same person.
    no_ssn = good_row(50, ssn="", last_name="Stone", first_name="Ann", date_of_birth="1970-05-05")
    await upload_and_load(admin, first_client["client_id"], csv_bytes([no_ssn]))
    await upload_and_load(
        admin, second_client["client_id"], csv_bytes([{**no_ssn, "client_account_number": "X-50"}])
    )
    assert await owner_db.fetchval(STONES) == 1
    # Same name and birth date only (another address and phone): never merged.
    stranger = {
        **no_ssn,
        "client_account_number": "X-51",
        "address_line1": "9 Far Rd",
        "zip": "10001",
        "state": "NY",
        "phone_mobile": "(212) 555-0199",
    }
    await upload_and_load(admin, second_client["client_id"], csv_bytes([stranger]))
    assert await owner_db.fetchval(STONES) == 2


STONES = "SELECT count(DISTINCT debtor_id) FROM debtor_profile WHERE last_name = 'Stone'"


async def test_latin1_bom_and_crlf_files_load(
    admin: Caller, make_client: MakeClient, owner_db: asyncpg.Connection
) -> None:
    client = await make_client()
    latin = csv_bytes([good_row(1, first_name="José", last_name="Núñez")], encoding="latin-1")
    await upload_and_load(admin, client["client_id"], latin)
    bom = b"\xef\xbb\xbf" + csv_bytes([good_row(2, first_name="Zoë")])
    await upload_and_load(admin, client["client_id"], bom)
    names = {r["first_name"] for r in await owner_db.fetch("SELECT first_name FROM debtor_profile")}
    assert names == {"José", "Zoë"}


async def test_multipart_upload(admin: Caller, make_client: MakeClient) -> None:
    client = await make_client()
    response = await admin.post(
        "/api/v1/placements",
        params={"client_id": client["client_id"]},
        files={"file": ("..\\..\\etc/passwd.csv", csv_bytes([good_row(1)]), "text/csv")},
    )
    assert response.status_code == 202, response.text
    assert response.json()["file_name"] == "passwd.csv"


async def test_uploads_respect_roles_and_clients(
    make_user: MakeUser, make_client: MakeClient
) -> None:
    mine, theirs = await make_client(), await make_client()
    client_user = await make_user("client", client_id=mine["client_id"])
    own = await upload(client_user, mine["client_id"], csv_bytes([good_row(1)]))
    assert own.status_code == 202
    implicit = await client_user.post(
        "/api/v1/placements", content=csv_bytes([good_row(2)]), headers={"Content-Type": "text/csv"}
    )
    assert implicit.status_code == 202
    assert (
        await upload(client_user, theirs["client_id"], csv_bytes([good_row(3)]))
    ).status_code == 404
    supervisor = await make_user("supervisor")
    assert (
        await upload(supervisor, mine["client_id"], csv_bytes([good_row(4)]))
    ).status_code == 403


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\file.csv", "file.csv"),
        ("bad\x00name\x1f.csv", "badname.csv"),
        ("", None),
        ("../", None),
        ("x" * 300 + ".csv", "x" * 255),
    ],
)
def test_file_names_are_cleaned(raw: str, clean: str | None) -> None:
    from server.placements.service import clean_file_name

    assert clean_file_name(raw) == clean


async def test_an_upload_over_the_limit_is_refused_and_nothing_kept(
    admin: Caller,
    make_client: MakeClient,
    owner_db: asyncpg.Connection,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from server.kit.settings import get_settings

    client = await make_client()
    body = csv_bytes([good_row(i) for i in range(100)])
    monkeypatch.setenv("UPLOAD_MAX_BYTES", str(len(body) - 1))
    get_settings.cache_clear()
    try:
        response = await upload(admin, client["client_id"], body)
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "payload_too_large"
        assert await owner_db.fetchval("SELECT count(*) FROM placement") == 0
        assert await owner_db.fetchval("SELECT count(*) FROM placement_chunk") == 0
        monkeypatch.setenv("UPLOAD_MAX_BYTES", str(len(body)))
        get_settings.cache_clear()
        assert (await upload(admin, client["client_id"], body)).status_code == 202
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


async def test_a_dollar_amount_in_the_default_layout_is_read_as_dollars(
    admin: Caller, make_client: MakeClient
) -> None:
    """The default layout reads dollars and says so: `principal` 250 is $250.00."""
    client = await make_client()
    body = csv_bytes([good_row(1, principal_cents="250", interest_cents="0")])
    assert body.splitlines()[0].decode().split(",")[15:18] == ["principal", "interest", "fees"]
    placement = await upload_and_load(admin, client["client_id"], body)
    accounts = (
        await admin.get("/api/v1/accounts", params={"client_id": client["client_id"]})
    ).json()["items"]
    assert [a["placed_balance_cents"] for a in accounts] == [25_000]
    assert placement["status"] == "loaded"


async def test_a_cents_header_read_as_dollars_is_refused_whole(
    admin: Caller, make_client: MakeClient, owner_db: asyncpg.Connection
) -> None:
    """`principal_cents=25000` under the default map (dollars) was loaded as $25,000.00:
    now the file is refused, naming the column and both ways out, and nothing is kept."""
    client = await make_client()
    rows = [good_row(1, principal_cents="25000", interest_cents="0")]
    old_layout = csv_bytes(rows).replace(b"principal,", b"principal_cents,", 1)
    response = await upload(admin, client["client_id"], old_layout)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "amount_unit_mismatch"
    assert error["details"] == [
        {
            "field": "columns.principal_cents",
            "reason": "this column says cents but your map reads dollars: rename it to"
            " principal, or set your map to cents",
        }
    ]
    assert await owner_db.fetchval("SELECT count(*) FROM placement") == 0
    assert await owner_db.fetchval("SELECT count(*) FROM placement_chunk") == 0
    # The same bytes under a map that reads cents mean what they say: $250.00.
    await admin.patch(
        f"/api/v1/clients/{client['client_id']}",
        json={"column_map": {"new_business": {"amount_format": "cents"}}},
    )
    placement = await upload_and_load(admin, client["client_id"], old_layout)
    assert placement["rows_accepted"] == 1
    accounts = (
        await admin.get("/api/v1/accounts", params={"client_id": client["client_id"]})
    ).json()["items"]
    assert [a["placed_balance_cents"] for a in accounts] == [25_000]
