"""A value longer than the column it lands in is a row error naming the limit, in every
kind of file, and the file goes on loading (it once stopped the whole file for good: the
merge raised, the placement stayed `validating` and was retried every minute)."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import pytest

from server.accounts.field_widths import TEXT_WIDTHS
from server.clients.column_map import FileKind, default_column_map, resolve_header
from server.placements import ingest
from server.placements.file_changes import (
    financial_normalizer,
    maintenance_normalizer,
    recall_normalizer,
)
from server.placements.rows import AccountRow, RejectedRow
from server.settlements.services.financial_rows import FINANCIAL_ROW_OWNER
from tests.fixtures import Caller, MakeClient
from tests.placements.test_ingest import csv_bytes, good_row, upload
from tests.placements.test_normalize import TODAY, normalize

# The widths as the tables declare them, written again here so that a limit moved by one
# (in the table or in the check) fails a test.
NEW_BUSINESS_WIDTHS = {
    "client_account_number": 64,
    "serviced_account_number": 64,
    "first_name": 100,
    "last_name": 100,
    "address_line1": 200,
    "address_line2": 200,
    "city": 100,
    "original_creditor": 200,
}
MAINTENANCE_WIDTHS = {
    "client_account_number": 64,
    "address_line1": 200,
    "address_line2": 200,
    "city": 100,
}
FINANCIAL_WIDTHS = {
    "client_account_number": 64,
    "transaction_id": 64,
    "original_transaction_id": 64,
}


def test_the_widths_are_the_tables():
    assert {f: TEXT_WIDTHS[f] for f in NEW_BUSINESS_WIDTHS} == NEW_BUSINESS_WIDTHS
    assert dict(FINANCIAL_ROW_OWNER.text_widths) == {
        "transaction_id": 64,
        "original_transaction_id": 64,
    }
    # An e-mail address is at most 254 characters (RFC 5321) and so is its column.
    assert TEXT_WIDTHS["email"] == 254


@pytest.mark.parametrize(("field", "width"), NEW_BUSINESS_WIDTHS.items())
def test_a_new_business_field_may_be_as_long_as_its_column_and_not_longer(field: str, width: int):
    at_limit = normalize(**{field: "A" * width})
    assert isinstance(at_limit, AccountRow), at_limit
    assert getattr(at_limit, field) == "A" * width
    over = normalize(**{field: "A" * (width + 1)})
    assert isinstance(over, RejectedRow)
    assert [(e.field, e.code, e.reason) for e in over.errors] == [
        (field, "too_long", f"must be at most {width} characters")
    ]


def test_every_field_too_long_is_reported_at_once():
    over = normalize(**{f: "A" * (w + 1) for f, w in NEW_BUSINESS_WIDTHS.items()})
    assert isinstance(over, RejectedRow)
    assert sorted(e.field for e in over.errors) == sorted(NEW_BUSINESS_WIDTHS)


def _change_row(kind: FileKind, **values: str) -> list[str]:
    return [values.get(f, "") for f in default_column_map(kind).columns]


def _change_normalizer(kind: FileKind):
    layout = resolve_header(list(default_column_map(kind).columns.values()),
                            default_column_map(kind))  # fmt: skip
    if kind is FileKind.FINANCIAL:
        return financial_normalizer(layout, TODAY, FINANCIAL_ROW_OWNER.text_widths)
    if kind is FileKind.MAINTENANCE:
        return maintenance_normalizer(layout)
    return recall_normalizer(layout)


CHANGE_CASES = [
    *((FileKind.MAINTENANCE, f, w) for f, w in MAINTENANCE_WIDTHS.items()),
    *((FileKind.FINANCIAL, f, w) for f, w in FINANCIAL_WIDTHS.items()),
    (FileKind.RECALL, "client_account_number", 64),
]
BASE = {
    FileKind.MAINTENANCE: {"client_account_number": "AC-1", "zip": "43215"},
    FileKind.FINANCIAL: {
        "client_account_number": "AC-1",
        "transaction_type": "reversal",
        "amount_cents": "5",
        "transaction_date": TODAY.isoformat(),
        "original_transaction_id": "T-1",
    },
    FileKind.RECALL: {"client_account_number": "AC-1"},
}


@pytest.mark.parametrize(("kind", "field", "width"), CHANGE_CASES)
def test_a_change_file_field_may_be_as_long_as_its_column_and_not_longer(
    kind: FileKind, field: str, width: int
):
    normalize_row = _change_normalizer(kind)
    at_limit = normalize_row(2, _change_row(kind, **{**BASE[kind], field: "A" * width}))
    assert not isinstance(at_limit, RejectedRow), at_limit
    over = normalize_row(2, _change_row(kind, **{**BASE[kind], field: "A" * (width + 1)}))
    assert isinstance(over, RejectedRow)
    assert [(e.field, e.code, e.reason) for e in over.errors] == [
        (field, "too_long", f"must be at most {width} characters")
    ]


async def _load(caller: Caller, client_id: str, body: bytes, kind: str) -> dict[str, object]:
    response = await upload(caller, client_id, body, kind=kind)
    assert response.status_code == 202, response.text
    placement_id = response.json()["placement_id"]
    assert await ingest.load_placement(UUID(placement_id)) == "loaded"
    return dict((await caller.get(f"/api/v1/placements/{placement_id}")).json())


async def _errors(caller: Caller, placement: dict[str, object]) -> list[tuple[int, str, str, str]]:
    items = (await caller.get(f"/api/v1/placements/{placement['placement_id']}/errors")).json()
    # A line's errors come in no particular order.
    return sorted((e["line"], e["field"], e["code"], e["reason"]) for e in items["items"])


async def test_a_new_business_file_with_a_value_too_long_loads_its_other_rows(
    admin: Caller, make_client: MakeClient, owner_db: asyncpg.Connection
) -> None:
    client = await make_client()
    fields = list(NEW_BUSINESS_WIDTHS)
    rows = [good_row(0, last_name="L" * 100, city="C" * 100)]
    rows += [
        good_row(i + 1, **{f: "Z" * (NEW_BUSINESS_WIDTHS[f] + 1)}) for i, f in enumerate(fields)
    ]
    placement = await _load(admin, client["client_id"], csv_bytes(rows), "new_business")
    assert placement["status"] == "loaded"
    assert (placement["rows_read"], placement["rows_accepted"], placement["rows_rejected"]) == (
        len(rows), 1, len(fields),
    )  # fmt: skip
    assert await _errors(admin, placement) == [
        (i + 3, f, "too_long", f"must be at most {NEW_BUSINESS_WIDTHS[f]} characters")
        for i, f in enumerate(fields)
    ]
    assert await owner_db.fetchval("SELECT last_name FROM debtor_profile") == "L" * 100


async def test_a_maintenance_file_with_a_value_too_long_loads_its_other_rows(
    admin: Caller, make_client: MakeClient, owner_db: asyncpg.Connection
) -> None:
    client = await make_client()
    placed = csv_bytes([good_row(i) for i in range(2)])
    await _load(admin, client["client_id"], placed, "new_business")
    header = "client_account_number,address_line1,address_line2,city,zip"
    lines = [
        f"AC-00000,{'A' * 201},,Boston,02108",
        f"AC-00000,5 New Rd,{'B' * 201},{'C' * 101},02108",
        f"AC-00001,{'D' * 200},{'E' * 200},{'F' * 100},02108",
    ]
    body = ("\r\n".join([header, *lines]) + "\r\n").encode()
    placement = await _load(admin, client["client_id"], body, "maintenance")
    assert (placement["rows_accepted"], placement["rows_rejected"]) == (1, 2)
    assert await _errors(admin, placement) == [
        (2, "address_line1", "too_long", "must be at most 200 characters"),
        (3, "address_line2", "too_long", "must be at most 200 characters"),
        (3, "city", "too_long", "must be at most 100 characters"),
    ]
    moved = await owner_db.fetchrow(
        "SELECT d.address_line1, d.city FROM debtor_profile d"
        " JOIN account a ON a.debtor_id = d.debtor_id AND a.client_id = d.client_id"
        " WHERE a.client_account_number = 'AC-00001'"
    )
    assert (moved["address_line1"], moved["city"]) == ("D" * 200, "F" * 100)


async def test_a_recall_file_names_an_account_number_too_long(
    admin: Caller, make_client: MakeClient
) -> None:
    client = await make_client()
    await _load(admin, client["client_id"], csv_bytes([good_row(0)]), "new_business")
    body = f"client_account_number,reason\r\nAC-00000,\r\n{'9' * 65},\r\n".encode()
    placement = await _load(admin, client["client_id"], body, "recall")
    assert (placement["rows_accepted"], placement["rows_rejected"]) == (1, 1)
    assert await _errors(admin, placement) == [
        (3, "client_account_number", "too_long", "must be at most 64 characters")
    ]
