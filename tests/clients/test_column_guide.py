"""The column maps in words: formats as people write them, and the plain message of a
header that does not match."""

from __future__ import annotations

import pytest

from server.clients.column_guide import guide, header_message, people_formats, template_csv
from server.clients.column_map import (
    FileKind,
    HeaderMismatch,
    default_column_map,
    parse_column_map,
    resolve_header,
)


@pytest.mark.parametrize(
    ("formats", "words"),
    [
        (("%m/%d/%Y",), "MM/DD/YYYY"),
        (("%Y-%m-%d", "%m/%d/%Y"), "YYYY-MM-DD or MM/DD/YYYY"),
        (("%d.%m.%Y",), "DD.MM.YYYY"),
        (("%Y%m%d",), "YYYYMMDD"),
    ],
)
def test_dates_are_written_for_people(formats: tuple[str, ...], words: str) -> None:
    assert people_formats(formats) == words


def test_every_column_of_every_kind_is_described() -> None:
    for kind in FileKind:
        rows = guide(default_column_map(kind))
        assert [r.header for r in rows] == list(default_column_map(kind).columns.values())
        assert all(r.meaning and r.format for r in rows)
        assert not any("%" in r.format for r in rows)


def test_the_template_follows_the_clients_formats() -> None:
    cents = parse_column_map(
        {"columns": {"client_account_number": "Acct", "transaction_type": "Type",
                     "amount_cents": "Amt", "transaction_date": "On"},
         "date_formats": ["%d/%m/%Y"], "amount_format": "cents"},
        FileKind.FINANCIAL,
    )  # fmt: skip
    assert template_csv(cents).decode().splitlines() == [
        "Acct,Type,Amt,On",
        "A-10023,payment,5000,03/11/2025",
    ]


def test_a_header_in_another_layout_gets_one_plain_message() -> None:
    own = ["Acct No", "Last", "ZIP", "Balance", "Since", "Extra"]
    column_map = default_column_map()
    with pytest.raises(HeaderMismatch) as caught:
        resolve_header(own, column_map)
    assert caught.value.unknown == ["Acct No", "Last", "Balance", "Since", "Extra"]
    message = header_message(
        column_map, caught.value.missing, caught.value.unknown, caught.value.duplicated
    )
    assert message == (
        "This file's columns are not those of your new-business layout. It lacks"
        " “client_account_number” (your account number for the debt), “last_name” (the"
        " debtor's last name), “principal” (the balance owed, without interest and fees),"
        " “delinquency_date” (the date the debt became past due). Your layout does not know"
        " “Acct No”, “Last”, “Balance”, “Since”, “Extra”. Match your file's columns to ours"
        " in the next step, or rename them."
    )
