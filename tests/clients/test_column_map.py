import pytest

from server.clients.column_map import (
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
    required = [default_column_map().columns[f] for f in REQUIRED]
    layout = resolve_header(required, default_column_map())
    assert layout.positions["email"] is None


def test_the_default_map_in_cents_reads_the_old_cents_headers():
    header = [("principal_cents" if h == "principal" else h) for h in DEFAULT_HEADER]
    layout = resolve_header(header, parse_column_map({"amount_format": "cents"}))
    assert layout.positions["principal_cents"] == header.index("principal_cents")


@pytest.mark.parametrize("kind", [FileKind.MAINTENANCE, FileKind.RECALL])
def test_other_kinds_share_the_mechanism(kind):
    required = [f.name for f in FIELDS[kind] if f.required]
    assert required == ["client_account_number"]
    layout = resolve_header(["client_account_number", "status"], default_column_map(kind))
    assert layout.positions["client_account_number"] == 0
    with pytest.raises(InvalidColumnMap):
        parse_column_map({"columns": {"principal_cents": "Bal"}}, kind)


def test_the_default_layout_names_amounts_in_dollars():
    """The field keys stay the contract; the headers of the default layout say what the
    default amount format reads: dollars."""
    columns = default_column_map().columns
    assert (columns["principal_cents"], columns["interest_cents"], columns["fees_cents"]) == (
        "principal",
        "interest",
        "fees",
    )
    assert default_column_map(FileKind.FINANCIAL).columns["amount_cents"] == "amount"
    assert default_column_map().amount_format is AmountFormat.DOLLARS


DEFAULT_HEADER = list(default_column_map().columns.values())


@pytest.mark.parametrize(
    ("header", "amount_format", "says", "reads"),
    [
        ("principal_cents", "dollars", "cents", "dollars"),
        ("Balance (cents)", "dollars", "cents", "dollars"),
        ("Balance USD", "cents", "dollars", "cents"),
        ("Principal $", "cents", "dollars", "cents"),
    ],
)
def test_a_header_that_states_another_unit_than_the_map_is_refused(
    header, amount_format, says, reads
):
    cm = parse_column_map(
        {"columns": {**REQUIRED, "principal_cents": header}, "amount_format": amount_format}
    )
    with pytest.raises(HeaderMismatch) as caught:
        resolve_header(["Acct No", "Last", "Zip Code", header, "DLQ Date"], cm)
    [(field, column, reason)] = caught.value.contradicted
    assert (field, column) == ("principal_cents", header)
    assert reason.startswith(f"this column says {says} but your map reads {reads}")
    assert f"set your map to {says}" in reason


def test_the_default_map_refuses_a_cents_header_and_names_the_dollar_one():
    header = ["principal_cents" if h == "principal" else h for h in DEFAULT_HEADER]
    with pytest.raises(HeaderMismatch) as caught:
        resolve_header(header, default_column_map())
    [(field, column, reason)] = caught.value.contradicted
    assert (field, column) == ("principal_cents", "principal_cents")
    assert reason == (
        "this column says cents but your map reads dollars: rename it to principal,"
        " or set your map to cents"
    )


@pytest.mark.parametrize(
    ("header", "amount_format"),
    [("Balance", "dollars"), ("Balance", "cents"), ("Balance Cents", "cents"),
     ("Dollars Owed", "dollars"), ("Percentage", "cents")],
)  # fmt: skip
def test_a_header_that_states_no_unit_or_the_maps_own_is_read(header, amount_format):
    cm = parse_column_map(
        {"columns": {**REQUIRED, "principal_cents": header}, "amount_format": amount_format}
    )
    layout = resolve_header(["Acct No", "Last", "Zip Code", header, "DLQ Date"], cm)
    assert layout.positions["principal_cents"] == 3
