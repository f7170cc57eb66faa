import csv
import hmac
import io
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.clients.column_map import default_column_map, parse_column_map, resolve_header
from server.kit.zip_codes import zip_table
from server.placements.csv_stream import iter_records
from server.placements.normalize import NewBusinessNormalizer, normalize_new_business
from server.placements.rows import (
    AccountRow,
    NormalizeContext,
    Phone,
    RejectedRow,
    RowError,
    duplicate_key,
)

TODAY = date(2025, 6, 1)
KEY = b"test-key"
CTX = NormalizeContext(TODAY, KEY)
FIELDS = list(default_column_map().columns)
# The header row of the default layout, in FIELDS order.
HEADERS = list(default_column_map().columns.values())
GOOD = {
    "client_account_number": " A-100 ",
    "first_name": "  Mary   Ann ",
    "last_name": "Smith",
    "date_of_birth": "07/04/1980",
    "ssn": "123-45-6789",
    "address_line1": "12  Main St",
    "address_line2": "",
    "city": "New York",
    "state": "ny",
    "zip": "10001-1234",
    "phone_home": "(212) 555-0100",
    "phone_mobile": "+1 617 555 0199",
    "phone_work": "",
    "email": "Mary@Example.COM",
    "original_creditor": "Acme Bank",
    "principal_cents": "1,234.56",
    "interest_cents": "$12.5",
    "fees_cents": "0",
    "delinquency_date": "2024-01-15",
    "charge_off_date": "2024-06-30",
    "last_payment_date": "",
    "statute_of_limitations_date": "2030-01-15",
    "serviced_account_number": "",
    **{name: "" for name in FIELDS[FIELDS.index("serviced_account_number") + 1 :]},
}


def normalize(line=2, column_map=None, **changes):
    row = {**GOOD, **changes}
    layout = resolve_header(HEADERS, column_map or default_column_map())
    return normalize_new_business(line, [row[f] for f in FIELDS], layout, CTX)


def errors(result):
    assert isinstance(result, RejectedRow), result
    return [(e.line, e.column, e.code, e.reason) for e in result.errors]


def warnings(result):
    return [(e.field, e.code, e.reason) for e in result.warnings]


def test_good_row():
    row = normalize()
    assert isinstance(row, AccountRow)
    assert row.client_account_number == "A-100"
    assert row.first_name == "Mary Ann"
    assert row.address_line1 == "12 Main St"
    assert row.address_line2 is None
    assert row.date_of_birth == date(1980, 7, 4)
    assert (row.state, row.zip5, row.time_zone) == ("NY", "10001", "America/New_York")
    assert row.phones == (
        Phone("+12125550100", "home", ("America/New_York",)),
        Phone("+16175550199", "mobile", ("America/New_York",)),
    )
    assert row.email == "Mary@example.com"
    assert (row.principal_cents, row.interest_cents, row.fees_cents) == (123456, 1250, 0)
    assert row.delinquency_date == date(2024, 1, 15)
    assert row.last_payment_date is None
    assert row.ssn_last4 == "6789"
    assert row.ssn_hash == hmac.new(KEY, b"123456789", "sha256").hexdigest()
    assert row.warnings == ()
    assert duplicate_key(row) == "a-100"


def test_missing_required_fields():
    result = normalize(
        line=7,
        client_account_number=" ",
        last_name="",
        zip="",
        principal_cents="",
        delinquency_date="",
    )
    assert errors(result) == [
        (7, "client_account_number", "required", "is empty; it is required"),
        (7, "last_name", "required", "is empty; it is required"),
        (7, "principal", "required", "is empty; it is required"),
        (7, "delinquency_date", "required", "is empty; it is required"),
        (7, "zip", "required", "is empty; it is required"),
    ]


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1,234.56", 123456),
        ("$1234.56", 123456),
        ("1234", 123400),
        ("0.5", 50),
        ("1,234,567.00", 123456700),
        (" 7.05 ", 705),
    ],
)
def test_amounts_accepted(text, cents):
    assert normalize(principal_cents=text).principal_cents == cents


@pytest.mark.parametrize(
    ("text", "code", "reason"),
    [
        ("0", "amount_not_positive", "must be more than zero"),
        ("-5", "amount_not_positive", "must be more than zero"),
        ("(5.00)", "amount_not_positive", "must be more than zero"),
        ("12.345", "invalid_amount", "“12.345” has more than two decimal places"),
        ("12,34.00", "invalid_amount", "“12,34.00” is not an amount in dollars, such as 1,234.56"),
        ("1.2.3", "invalid_amount", "“1.2.3” is not an amount in dollars, such as 1,234.56"),
        ("abc", "invalid_amount", "“abc” is not an amount in dollars, such as 1,234.56"),
        ("1e5", "invalid_amount", "“1e5” is not an amount in dollars, such as 1,234.56"),
        ("99999999999999", "invalid_amount", "“99999999999999” is too large to be an amount"),
    ],
)
def test_principal_rejected(text, code, reason):
    assert errors(normalize(principal_cents=text)) == [(2, "principal", code, reason)]


def test_interest_and_fees_may_be_zero_not_negative():
    assert normalize(interest_cents="0.00", fees_cents="").interest_cents == 0
    assert errors(normalize(fees_cents="-1")) == [
        (2, "fees", "amount_negative", "must not be negative (leave it empty for none)")
    ]


def test_cents_mode():
    cm = parse_column_map({"amount_format": "cents"})
    row = normalize(column_map=cm, principal_cents="123456", interest_cents="1250")
    assert (row.principal_cents, row.interest_cents) == (123456, 1250)
    assert errors(normalize(column_map=cm, principal_cents="1,234.56"))[0][2] == "invalid_amount"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2024-02-30", "Feb 30, 2024 is not a date (February 2024 has 29 days)"),
        ("02/29/2023", "Feb 29, 2023 is not a date (February 2023 has 28 days)"),
        ("13/01/2024", "“13/01/2024” is not a date: there is no month 13"),
        ("2024-04-00", "“2024-04-00” is not a date: there is no day 0"),
        ("Jan 5 2024", "“Jan 5 2024” is not a date written YYYY-MM-DD or MM/DD/YYYY"),
    ],
)
def test_unparseable_date(text, reason):
    assert errors(normalize(delinquency_date=text)) == [
        (2, "delinquency_date", "invalid_date", reason),
    ]


def test_a_date_of_birth_is_never_quoted():
    assert errors(normalize(date_of_birth="1984-02-30")) == [
        (2, "date_of_birth", "invalid_date", "is not a date written YYYY-MM-DD or MM/DD/YYYY"),
    ]


def test_custom_date_format():
    cm = parse_column_map({"date_formats": ["%d.%m.%Y"]})
    row = normalize(
        column_map=cm,
        delinquency_date="15.01.2024",
        date_of_birth="",
        charge_off_date="",
        statute_of_limitations_date="",
    )
    assert row.delinquency_date == date(2024, 1, 15)


def test_future_dates():
    assert errors(normalize(charge_off_date="2025-06-02", delinquency_date="06/02/2025")) == [
        (2, "delinquency_date", "future_date", "Jun 2, 2025 is after today"),
        (2, "charge_off_date", "future_date", "Jun 2, 2025 is after today"),
    ]
    assert isinstance(normalize(charge_off_date="2025-06-01"), AccountRow)


@pytest.mark.parametrize("birth", ["2025-06-02", "1905-05-31"])
def test_implausible_birth_date(birth):
    assert errors(normalize(date_of_birth=birth)) == [
        (
            2,
            "date_of_birth",
            "implausible_birth_date",
            "cannot be a date of birth: it is in the future or over 120 years ago",
        )
    ]


def test_time_barred_is_a_warning():
    row = normalize(statute_of_limitations_date="2025-05-31")
    assert warnings(row) == [
        (
            "statute_of_limitations_date",
            "time_barred",
            "the statute of limitations ended on May 31, 2025: the debt may be collected,"
            " but not sued on",
        )
    ]


def test_unknown_and_malformed_zip():
    assert errors(normalize(zip="00000")) == [
        (2, "zip", "unknown_zip", "the ZIP 00000 is not a US ZIP code")
    ]
    assert errors(normalize(zip="1000A")) == [
        (2, "zip", "invalid_zip", "the ZIP 1000A is not 5 digits (or ZIP+4, such as 43215-1234)")
    ]


def test_zip_lost_its_leading_zero():
    row = normalize(zip="2134", state="MA")
    assert (row.zip5, row.state) == ("02134", "MA")
    assert warnings(row) == [
        (
            "zip",
            "zip_padded",
            "the ZIP 2134 has four digits: read as 02134, with the leading zeros a spreadsheet"
            " drops",
        )
    ]


def test_state_contradicting_zip_is_rejected():
    assert errors(normalize(state="NJ")) == [
        (2, "state", "state_mismatch", "NJ is not the state of the ZIP 10001 (NY)")
    ]
    assert errors(normalize(state="New York")) == [
        (2, "state", "invalid_state", "is not a state's two-letter code, such as OH")
    ]
    assert normalize(state="").state == "NY"


def test_military_zip_has_no_time_zone():
    row = normalize(zip="09001", state="AE")
    assert (row.state, row.time_zone) == ("AE", None)


NOT_DIALABLE = "is not a phone number that can be dialed; the row is loaded without it"


def test_invalid_phone_is_a_warning_and_not_loaded():
    row = normalize(phone_home="555-0100", phone_work="(212) 155-0100", phone_mobile="x")
    assert isinstance(row, AccountRow)
    assert row.phones == ()
    assert warnings(row) == [
        ("phone_home", "invalid_phone", NOT_DIALABLE),
        ("phone_mobile", "invalid_phone", NOT_DIALABLE),
        ("phone_work", "invalid_phone", NOT_DIALABLE),
    ]


def test_phone_forms():
    row = normalize(
        phone_home="212.555.0100", phone_mobile="12125550101", phone_work="+44 20 7946 0958"
    )
    assert [p.e164 for p in row.phones] == ["+12125550100", "+12125550101", "+442079460958"]
    assert row.phones[2].time_zones == ("Europe/London",)


@pytest.mark.parametrize(
    "number",
    [
        "+1 800 555 0123",  # toll-free (phonenumbers gives it 42 zones)
        "+1 888 555 0123",
        "+1 833 555 0123",
        "+1 900 555 0123",  # premium rate
        "+1 500 555 0123",  # personal communications services
        "+1 521 555 0123",
        "+1 588 555 0123",
        "+44 800 123 4567",  # UK toll-free, read by number type
        "+44 871 234 5678",  # UK premium rate
        "+44 70 1234 5678",  # UK personal number
    ],
)
def test_numbers_that_say_nothing_about_place_add_no_zone(number):
    row = normalize(phone_home=number, phone_mobile="", phone_work="")
    [phone] = row.phones
    assert phone.time_zones == ()


def test_geographic_numbers_keep_their_zones():
    row = normalize(phone_home="+1 808 555 0123", phone_mobile="+1 801 555 0123", phone_work="")
    assert [p.time_zones for p in row.phones] == [("Pacific/Honolulu",), ("America/Denver",)]


SSN_DIGITS = "an SSN has 9 digits (dashes and spaces allowed)"
NOT_ISSUED = (
    "is not an SSN that can have been issued (none starts with 000, 666 or 9, has 00 as"
    " its middle digits or 0000 as its last)"
)


@pytest.mark.parametrize(
    ("ssn", "reason"),
    [
        ("12345678", SSN_DIGITS),
        ("1234567890", SSN_DIGITS),
        ("12a-45-6789", SSN_DIGITS),
        ("000-00-0000", NOT_ISSUED),
        ("000-12-3456", NOT_ISSUED),
        ("666-12-3456", NOT_ISSUED),
        ("912-34-5678", NOT_ISSUED),
        ("123-00-4567", NOT_ISSUED),
        ("123-45-0000", NOT_ISSUED),
    ],
)
def test_bad_ssn(ssn, reason):
    assert errors(normalize(ssn=ssn)) == [(2, "ssn", "invalid_ssn", reason)]


def test_no_ssn():
    row = normalize(ssn="")
    assert (row.ssn_last4, row.ssn_hash) == (None, None)


@pytest.mark.parametrize(
    "email", ["plain", "a@b", "a@@b.com", "a b@c.com", "@c.com", "a@c..com", "a@.c.com", "a@c.com."]
)
def test_bad_email_is_a_warning(email):
    row = normalize(email=email)
    assert row.email is None
    assert warnings(row) == [
        ("email", "invalid_email", "is not an e-mail address; the row is loaded without it")
    ]


def test_error_names_the_clients_column():
    layout = default_column_map().columns
    cm = parse_column_map({"columns": {**layout, "principal_cents": "Balance Due"}})
    header = [("Balance Due" if f == "principal_cents" else layout[f]) for f in FIELDS]
    row = {**GOOD, "principal_cents": "0"}
    result = normalize_new_business(9, [row[f] for f in FIELDS], resolve_header(header, cm), CTX)
    assert result.errors == (
        RowError(
            9, "Balance Due", "principal_cents", "amount_not_positive", "must be more than zero"
        ),
    )


def test_wrong_field_count():
    layout = resolve_header(HEADERS, default_column_map())
    result = normalize_new_business(4, ["A1", "x"], layout, CTX)
    expected = (
        f"has 2 values where the header has {len(FIELDS)} columns"
        " (a comma or a quote may be missing)"
    )
    assert errors(result) == [(4, "", "column_count", expected)]


def test_file_through_stream_and_normalizer():
    rows = [
        HEADERS,
        [GOOD[f] for f in FIELDS],
        [{**GOOD, "address_line1": "1 Main\nSt"}[f] for f in FIELDS],
        [{**GOOD, "principal_cents": "-5", "last_name": "José"}[f] for f in FIELDS],
    ]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    data = out.getvalue().encode("cp1252")
    records = iter_records([data[i : i + 10] for i in range(0, len(data), 10)])
    _, header = next(records)
    normalizer = NewBusinessNormalizer(resolve_header(header, default_column_map()), CTX)
    results = [normalizer(line, fields) for line, fields in records]
    assert [r.line for r in results] == [2, 3, 5]
    assert results[1].address_line1 == "1 Main St"
    assert errors(results[2]) == [(5, "principal", "amount_not_positive", "must be more than zero")]


# Round trip ---------------------------------------------------------------------------

ZIPS = sorted((z, s) for z, (s, zone) in zip_table().items() if zone)
names = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzéñ' -"), min_size=1, max_size=20).filter(
    lambda s: s.strip()
)
days = st.dates(min_value=date(1990, 1, 1), max_value=TODAY)


@st.composite
def valid_rows(draw):
    zip5, state = draw(st.sampled_from(ZIPS))
    ssn = draw(st.sampled_from(["123-45-6789", "078-05-1120", "", "219099999"]))
    principal = draw(st.integers(1, 10**11))
    interest = draw(st.integers(0, 10**9))
    delinquency = draw(days)
    birth = draw(st.none() | st.dates(min_value=date(1906, 1, 1), max_value=TODAY))
    phone = draw(st.sampled_from(["", "(212) 555-0100", "617-555-0199", "+1 415 555 0123"]))
    text = draw(names)
    account = draw(st.text(st.sampled_from("ABC0123456789-"), min_size=1, max_size=15))
    return {
        **{f: "" for f in FIELDS},
        "client_account_number": account,
        "last_name": text,
        "first_name": draw(st.sampled_from(["", "Zoë", "Jean Luc"])),
        "city": text,
        "zip": zip5,
        "state": draw(st.sampled_from([state, state.lower(), ""])),
        "ssn": ssn,
        "phone_mobile": phone,
        "principal_cents": draw(
            st.sampled_from(
                [f"{principal / 100:,.2f}", f"${principal // 100}.{principal % 100:02d}"]
            )
        ),
        "interest_cents": f"{interest // 100}.{interest % 100:02d}",
        "delinquency_date": draw(
            st.sampled_from([delinquency.isoformat(), delinquency.strftime("%m/%d/%Y")])
        ),
        "date_of_birth": birth.isoformat() if birth else "",
    }, (zip5, state, principal, interest, delinquency, birth)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(valid_rows(), min_size=1, max_size=5),
    st.sampled_from(["utf-8", "cp1252"]),
    st.integers(1, 50),
)
def test_valid_rows_round_trip(rows, encoding, chunk):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=["\r\n", "\n"][chunk % 2])
    writer.writerow(HEADERS)
    writer.writerows([[row[f] for f in FIELDS] for row, _ in rows])
    data = out.getvalue().encode(encoding)
    records = iter_records([data[i : i + chunk] for i in range(0, len(data), chunk)])
    _, header = next(records)
    normalizer = NewBusinessNormalizer(resolve_header(header, default_column_map()), CTX)
    results = [normalizer(line, fields) for line, fields in records]
    assert len(results) == len(rows)
    for result, (row, (zip5, state, principal, interest, delinquency, birth)) in zip(
        results, rows, strict=True
    ):
        assert isinstance(result, AccountRow), result
        assert result.client_account_number == row["client_account_number"].strip()
        assert result.last_name == " ".join(row["last_name"].split())
        assert (result.zip5, result.state) == (zip5, state)
        assert (result.principal_cents, result.interest_cents) == (principal, interest)
        assert (result.delinquency_date, result.date_of_birth) == (delinquency, birth)
        assert (result.ssn_last4 or "") == row["ssn"][-4:]
        assert len(result.phones) == (1 if row["phone_mobile"] else 0)


def test_serviced_account_number_is_read_and_bounded():
    assert normalize(serviced_account_number="  SL  77 ").serviced_account_number == "SL 77"
    assert normalize().serviced_account_number is None
    assert errors(normalize(serviced_account_number="9" * 65)) == [
        (2, "serviced_account_number", "too_long", "must be at most 64 characters")
    ]
