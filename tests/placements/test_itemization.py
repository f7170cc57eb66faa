"""The itemization a new-business file states (12 CFR 1006.34(c)(2)(iii)-(viii)): read per
row, refused in words when part of it is missing or it does not add up to the balance
placed, kept on the account, and printed on the validation notice; and a charge-off date
read as the delinquency date only for a map that says so."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from faker import Faker

from server.accounts import validation_notices
from server.clients.column_map import (
    FileKind,
    InvalidColumnMap,
    default_column_map,
    parse_column_map,
    resolve_header,
)
from server.letters.service import notice_data
from server.placements.normalize import normalize_new_business
from server.placements.rows import AccountRow, NormalizeContext
from tests.fixtures import Caller, MakeClient, client_payload
from tests.placements.test_ingest import csv_bytes, good_row, upload_and_load
from tests.placements.test_normalize import FIELDS, GOOD, HEADERS, KEY, TODAY, errors, normalize

# Placed: principal $1,234.56 + interest $12.50 + fees $0 = $1,247.06 (GOOD's amounts).
STATED = {
    "itemization_date": "2024-06-30",
    "itemization_balance_cents": "1,300.00",
    "interest_since_itemization_cents": "22.06",
    "fees_since_itemization_cents": "25.00",
    "payments_since_itemization_cents": "100.00",
    "creditor_on_itemization_date": "Acme Bank",
    "current_creditor": "Acme Debt Holdings",
}


def normalize_for(kind: str | None, **changes: str) -> Any:
    layout = default_column_map()
    row = {**GOOD, **changes}
    ctx = NormalizeContext(TODAY, KEY, kind)
    return normalize_new_business(2, [row[f] for f in FIELDS], resolve_header(HEADERS, layout), ctx)


def test_a_stated_itemization_that_adds_up_is_kept() -> None:
    row = normalize(**STATED)
    assert isinstance(row, AccountRow), row
    item = row.itemization
    assert item is not None
    assert (item.on, item.balance_cents, item.interest_cents, item.fees_cents) == (
        date(2024, 6, 30), 130_000, 2_206, 2_500,
    )  # fmt: skip
    assert (item.payments_cents, item.current_cents) == (10_000, 124_706)
    assert (row.creditor_on_itemization_date, row.current_creditor) == (
        "Acme Bank", "Acme Debt Holdings",
    )  # fmt: skip


def test_a_row_with_no_itemization_has_none() -> None:
    row = normalize()
    assert isinstance(row, AccountRow)
    assert (row.itemization, row.current_creditor) == (None, None)


def test_an_itemization_a_cent_off_the_balance_is_refused_in_dollars() -> None:
    [(_, column, code, reason)] = errors(
        normalize(**{**STATED, "payments_since_itemization_cents": "100.01"})
    )
    assert (column, code) == ("itemization_balance", "itemization_does_not_reconcile")
    assert reason.startswith("the itemization adds up to $1,247.05, not the balance placed")
    assert "($1,247.06)" in reason


def test_part_of_an_itemization_names_what_is_missing() -> None:
    found = errors(normalize(interest_since_itemization_cents="5.00", itemization_date=""))
    assert [(column, code) for _, column, code, _ in found] == [
        ("itemization_balance", "itemization_incomplete"),
        ("itemization_date", "itemization_incomplete"),
    ]
    assert "give the date the amounts are stated at" in found[1][3]
    [(_, column, code, _)] = errors(normalize(**{**STATED, "fees_since_itemization_cents": "-1"}))
    assert (column, code) == ("fees_since_itemization", "amount_negative")
    [(_, column, code, _)] = errors(normalize(**{**STATED, "itemization_date": "2099-01-01"}))
    assert (column, code) == ("itemization_date", "future_date")


def test_the_date_comes_from_the_clients_itemization_date_kind() -> None:
    undated = {**STATED, "itemization_date": ""}
    # GOOD has a charge-off date (2024-06-30) and no last payment date.
    row = normalize_for("charge_off", **undated)
    assert isinstance(row, AccountRow)
    assert row.itemization is not None
    assert row.itemization.on == date(2024, 6, 30)
    [(_, column, _, reason)] = errors(normalize_for("last_payment", **undated))
    assert column == "itemization_date"
    assert "your itemization date is the last-payment date, which this row lacks" in reason
    row = normalize_for("last_payment", **undated, last_payment_date="2024-05-01")
    assert isinstance(row, AccountRow)
    assert row.itemization is not None
    assert row.itemization.on == date(2024, 5, 1)
    # The kinds no column of ours holds come only from the row's own date.
    [(_, column, _, _)] = errors(normalize_for("judgment", **undated))
    assert column == "itemization_date"


def test_the_charge_off_date_is_the_delinquency_date_only_where_the_map_says() -> None:
    columns = {k: v for k, v in default_column_map().columns.items() if k != "delinquency_date"}
    with pytest.raises(InvalidColumnMap) as refused:
        parse_column_map({"columns": columns})
    assert refused.value.errors == [("columns.delinquency_date", "required field is not mapped")]
    chosen = parse_column_map({"columns": columns, "delinquency_from_charge_off": True})
    assert chosen.delinquency_from_charge_off is True
    row = normalize(column_map=chosen, delinquency_date="")
    assert isinstance(row, AccountRow), row
    assert row.delinquency_date == row.charge_off_date == date(2024, 6, 30)
    # A row with no charge-off date either still lacks its delinquency date: named at the
    # column it is read from.
    [(_, column, code, _)] = errors(
        normalize(column_map=chosen, delinquency_date="", charge_off_date="")
    )
    assert (column, code) == ("charge_off_date", "required")
    without = {k: v for k, v in columns.items() if k != "charge_off_date"}
    for raw, kind, expected in (
        ({"columns": without, "delinquency_from_charge_off": True}, "new_business",
         ("columns.charge_off_date", "must be mapped: delinquency_from_charge_off reads it")),
        ({"delinquency_from_charge_off": "yes"}, "new_business",
         ("delinquency_from_charge_off", "must be true or false")),
        ({"delinquency_from_charge_off": True}, "recall",
         ("delinquency_from_charge_off", "only a new-business map reads it")),
    ):  # fmt: skip
        with pytest.raises(InvalidColumnMap) as refused:
            parse_column_map(raw, FileKind(kind))
        assert expected in refused.value.errors


async def test_a_loaded_itemization_is_the_notices(
    admin: Caller, make_client: MakeClient, owner_db: asyncpg.Connection
) -> None:
    client = await make_client(itemization_date="charge_off")
    assert client["itemization_date"] == "charge_off"
    header = [*good_row(1), "charge_off_date", *STATED]
    row = good_row(1, charge_off_date="2024-06-30", principal_cents="1,234.56",
                   interest_cents="12.50", **STATED)  # fmt: skip
    placement = await upload_and_load(admin, client["client_id"], csv_bytes([row], header))
    assert (placement["rows_accepted"], placement["rows_rejected"]) == (1, 0), placement
    account_id = await owner_db.fetchval(
        "SELECT id FROM account WHERE placement_id = $1", UUID(placement["placement_id"])
    )
    [candidate] = [
        c for c in await validation_notices.notice_candidates() if c["account_id"] == account_id
    ]
    address = (await validation_notices.mailing_addresses([account_id]))[account_id]
    data = notice_data(candidate, address, client["name"], date(2026, 12, 9))
    assert not isinstance(data, str), data
    assert (data.itemization_date, data.amount_on_itemization_date_cents) == (
        date(2024, 6, 30), 130_000,
    )  # fmt: skip
    assert (data.interest_since_cents, data.fees_since_cents) == (2_206, 2_500)
    assert (data.payments_and_credits_since_cents, data.current_amount_cents) == (10_000, 124_706)
    assert (data.creditor_on_itemization_date, data.current_creditor) == (
        "Acme Bank", "Acme Debt Holdings",
    )  # fmt: skip
    # A payment since placement is one more payment since the itemization date.
    await owner_db.execute(
        "UPDATE account SET balance_cents = balance_cents - $2 WHERE id = $1", account_id, 4_706
    )
    [candidate] = [
        c for c in await validation_notices.notice_candidates() if c["account_id"] == account_id
    ]
    data = notice_data(candidate, address, client["name"], date(2026, 12, 9))
    assert not isinstance(data, str), data
    assert (data.payments_and_credits_since_cents, data.current_amount_cents) == (14_706, 120_000)


async def test_a_client_names_one_of_the_five_itemization_dates(admin: Caller, fake: Faker) -> None:
    payload = client_payload(fake, itemization_date="statement")
    answer = await admin.post("/api/v1/clients", json=payload)
    assert answer.status_code == 422, answer.text
    assert "last_statement" in answer.text
