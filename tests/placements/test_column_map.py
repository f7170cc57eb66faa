import pytest

from server.placements.column_map import (
    FIELDS,
    AmountFormat,
    FileKind,
    HeaderMismatch,
    InvalidColumnMap,
    default_column_map,
    parse_column_map,
    resolve_header,
)

REQUIRED = {
    "client_account_number": "Acct No",
    "last_name": "Last",
    "zip": "Zip Code",
    "principal_cents": "Balance",
    "delinquency_date": "DLQ Date",
}


def test_parse_client_map():
    cm = parse_column_map(
        {
            "columns": {**REQUIRED, "phone_mobile": "Cell"},
            "date_formats": ["%d.%m.%Y"],
            "amount_format": "cents",
        }
    )
    assert cm.columns["phone_mobile"] == "Cell"
    assert cm.date_formats == ("%d.%m.%Y",)
    assert cm.amount_format is AmountFormat.CENTS
    assert cm.strict


def test_parse_reports_every_problem_with_its_path():
    with pytest.raises(InvalidColumnMap) as caught:
        parse_column_map(
            {
                "columns": {
                    "client_account_number": "Acct",
                    "last_name": "ACCT ",
                    "favourite_colour": "Colour",
                    "zip": 5,
                },
                "date_formats": ["%Y-%m", "%Q", 7],
                "amount_format": "euros",
                "extra": 1,
            }
        )
    assert caught.value.errors == [
        ("extra", "unknown key"),
        ("columns.last_name", "duplicate header (also mapped to client_account_number)"),
        ("columns.favourite_colour", "unknown field"),
        ("columns.zip", "header must be a non-empty string"),
        ("columns.principal_cents", "required field is not mapped"),
        ("columns.delinquency_date", "required field is not mapped"),
        ("date_formats[0]", "must contain a day, a month and a four-digit year"),
        ("date_formats[1]", "not a date format"),
        ("date_formats[2]", "must be a string"),
        ("amount_format", "must be one of: dollars, cents"),
    ]


def test_not_an_object():
    with pytest.raises(InvalidColumnMap) as caught:
        parse_column_map(["columns"])
    assert caught.value.errors == [("", "must be an object")]


def test_empty_map_is_the_default():
    cm = parse_column_map({})
    assert cm.columns == default_column_map().columns
    assert cm.date_formats == ("%Y-%m-%d", "%m/%d/%Y")


def test_resolve_header_ignores_case_spaces_and_extra_columns():
    cm = parse_column_map({"columns": {**REQUIRED, "first_name": "First"}})
    layout = resolve_header(
        [" acct no", "Notes", "LAST ", "first", "zip code", "BALANCE", "dlq date"], cm
    )
    assert layout.positions["client_account_number"] == 0
    assert layout.positions["first_name"] == 3
    assert layout.positions["ssn"] is None
    assert layout.headers["last_name"] == "LAST"
    row = layout.pick(["A1", "x", "Doe", "Jo", "12345", "10", "2024-01-01", ""])
    assert row[:3] == ("A1", "Jo", "Doe")
    assert row[4] == ""  # ssn: not in the file


def test_header_mismatch_names_every_missing_column():
    cm = parse_column_map({"columns": {**REQUIRED, "phone_mobile": "Cell"}})
    with pytest.raises(HeaderMismatch) as caught:
        resolve_header(["Acct No", "Zip Code", "Notes"], cm)
    assert caught.value.missing == ["Last", "Cell", "Balance", "DLQ Date"]
    assert str(caught.value) == "missing columns: Last, Cell, Balance, DLQ Date"


def test_header_with_a_mapped_column_twice_is_ambiguous():
    with pytest.raises(HeaderMismatch) as caught:
        resolve_header(
            ["Acct No", "Last", "Zip Code", "Balance", "DLQ Date", "last"],
            parse_column_map({"columns": REQUIRED}),
        )
    assert caught.value.duplicated == ["Last"]


def test_default_map_needs_only_required_columns():
    layout = resolve_header(list(REQUIRED.keys()), default_column_map())
    assert layout.positions["email"] is None


@pytest.mark.parametrize("kind", [FileKind.MAINTENANCE, FileKind.RECALL])
def test_other_kinds_share_the_mechanism(kind):
    required = [f.name for f in FIELDS[kind] if f.required]
    assert required == ["client_account_number"]
    layout = resolve_header(["client_account_number", "status"], default_column_map(kind))
    assert layout.positions["client_account_number"] == 0
    with pytest.raises(InvalidColumnMap):
        parse_column_map({"columns": {"principal_cents": "Bal"}}, kind)
