"""A client's column map in words: what each column means, how its values are written,
whether it is required and an example — and files to start from (a template: the header
and one example row; a sample: a few rows), all in the client's own layout.

Pure: the pages that show the guide and the downloads that send the files read only the
map (`ColumnMap`). Dates are written for people ("MM/DD/YYYY"), never as strftime codes.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from typing import Final

from server.clients.column_map import (
    AMOUNT_FIELDS,
    FIELDS,
    FINANCIAL_TYPES,
    MAINTENANCE_STATUSES,
    AmountFormat,
    ColumnMap,
    FileKind,
)

# strftime codes as people write the part they stand for.
_PEOPLE_CODES: Final = {
    "%Y": "YYYY", "%m": "MM", "%d": "DD", "%y": "YY", "%b": "Mon", "%B": "Month",
    "%e": "D", "%j": "DDD",
}  # fmt: skip
_CODE: Final = re.compile(r"%[A-Za-z%]")


def people_format(fmt: str) -> str:
    """ "%m/%d/%Y" as "MM/DD/YYYY"."""
    return _CODE.sub(lambda m: _PEOPLE_CODES.get(m.group(0), m.group(0)), fmt)


def people_formats(formats: tuple[str, ...]) -> str:
    """A map's date formats in words: "MM/DD/YYYY or YYYY-MM-DD"."""
    return " or ".join(people_format(f) for f in formats)


# The date formats a client may choose in the portal's mapping step, in words.
DATE_CHOICES: Final[dict[str, tuple[str, ...]]] = {
    "MM/DD/YYYY or YYYY-MM-DD": ("%m/%d/%Y", "%Y-%m-%d"),
    "MM/DD/YYYY": ("%m/%d/%Y",),
    "YYYY-MM-DD": ("%Y-%m-%d",),
    "DD/MM/YYYY": ("%d/%m/%Y",),
    "MM-DD-YYYY": ("%m-%d-%Y",),
    "YYYYMMDD": ("%Y%m%d",),
}

_TEXT, _AMOUNT, _DATE = "text", "amount", "date"


@dataclass(frozen=True, slots=True)
class _About:
    meaning: str
    shape: str  # _TEXT, _AMOUNT, _DATE, or the words of a text field's form
    # Three example values; amounts in cents, dates as dates.
    examples: tuple[str | int | date, str | int | date, str | int | date]


_D = date
_ABOUT: Final[dict[str, _About]] = {
    "client_account_number": _About(
        "Your account number for the debt",
        "text, up to 64 characters",
        ("A-10023", "A-10024", "A-10025"),
    ),
    "first_name": _About("The debtor's first name", _TEXT, ("Maria", "James", "Ann")),
    "last_name": _About("The debtor's last name", _TEXT, ("Lopez", "Smith", "Nguyen")),
    "date_of_birth": _About(
        "The debtor's date of birth", _DATE, (_D(1984, 3, 9), _D(1971, 11, 23), _D(1990, 6, 2))
    ),
    "ssn": _About(
        "The debtor's Social Security number",
        "9 digits, dashes allowed",
        ("123-45-6789", "234-56-7890", ""),
    ),
    "address_line1": _About("Street address", _TEXT, ("12 Oak Ave", "480 Main St", "9 Cedar Ln")),
    "address_line2": _About("Apartment, suite or unit", _TEXT, ("Apt 2B", "", "")),
    "city": _About("City", _TEXT, ("Columbus", "Dayton", "Akron")),
    "state": _About(
        "State, as its two-letter code (must match the ZIP)",
        "two letters",
        ("OH", "OH", "OH"),
    ),
    "zip": _About("ZIP code", "5 digits, or ZIP+4", ("43215", "45402", "44308-1234")),
    "phone_home": _About("Home phone", "a US number, any punctuation", ("(614) 555-0142", "", "")),
    "phone_mobile": _About(
        "Mobile phone", "a US number, any punctuation", ("614-555-0199", "9375550123", "")
    ),
    "phone_work": _About("Work phone", "a US number, any punctuation", ("", "", "")),
    "email": _About("E-mail address", _TEXT, ("maria@example.com", "", "")),
    "original_creditor": _About(
        "Who the debt was first owed to, if not you", _TEXT, ("", "Acme Card Services", "")
    ),
    "principal_cents": _About(
        "The balance owed, without interest and fees", _AMOUNT, (125050, 48000, 9999)
    ),
    "interest_cents": _About("Interest owed (empty means none)", _AMOUNT, (1520, 0, 0)),
    "fees_cents": _About("Fees owed (empty means none)", _AMOUNT, (2500, 0, 0)),
    "delinquency_date": _About(
        "The date the debt became past due",
        _DATE,
        (_D(2025, 4, 15), _D(2025, 1, 31), _D(2024, 12, 1)),
    ),
    "charge_off_date": _About(
        "The date you charged the debt off", _DATE, (_D(2025, 10, 15), "", "")
    ),
    "last_payment_date": _About(
        "The date of the debtor's last payment", _DATE, (_D(2025, 3, 14), "", _D(2024, 11, 2))
    ),
    "statute_of_limitations_date": _About(
        "The date the debt can no longer be sued on", _DATE, (_D(2031, 4, 15), "", "")
    ),
    "serviced_account_number": _About(
        "The account number debts were serviced under together (student loans)",
        _TEXT,
        ("", "", ""),
    ),
    "itemization_date": _About(
        "The itemization date your validation notice names (empty: your itemization date"
        " setting's column)",
        _DATE,
        (_D(2025, 10, 15), "", ""),
    ),
    "itemization_balance_cents": _About(
        "What was owed on the itemization date (required with any part of it)",
        _AMOUNT,
        (125050, "", ""),
    ),
    "interest_since_itemization_cents": _About(
        "Interest added since the itemization date", _AMOUNT, (1520, "", "")
    ),
    "fees_since_itemization_cents": _About(
        "Fees added since the itemization date", _AMOUNT, (2500, "", "")
    ),
    "payments_since_itemization_cents": _About(
        "Payments and credits since the itemization date", _AMOUNT, (0, "", "")
    ),
    "creditor_on_itemization_date": _About(
        "Who the debt was owed to on the itemization date", _TEXT, ("Acme Card Services", "", "")
    ),
    "current_creditor": _About("Who the debt is owed to now", _TEXT, ("", "", "")),
    "status": _About(
        "A status you learned of: " + ", ".join(sorted(MAINTENANCE_STATUSES)),
        "one word",
        ("", "dispute", ""),
    ),
    "status_reason": _About("Why the status changed", _TEXT, ("", "Disputed by letter", "")),
    "reason": _About("Why (in your words)", _TEXT, ("Paid in full to us", "", "")),
    "transaction_type": _About(
        "What happened: " + ", ".join(FINANCIAL_TYPES),
        "one word",
        ("payment", "adjustment", "reversal"),
    ),
    "amount_cents": _About(
        "The amount (an adjustment's sign says which way the balance moves)",
        _AMOUNT,
        (5000, -1250, 5000),
    ),
    "transaction_date": _About(
        "When the debtor paid, the adjustment took effect or the bank returned the money",
        _DATE,
        (_D(2025, 11, 3), _D(2025, 11, 4), _D(2025, 11, 10)),
    ),
    "payment_method": _About(
        "How the debtor paid: ach, card, check, cash or other (empty means other)",
        "one word",
        ("check", "", ""),
    ),
    "transaction_id": _About("Your id of the transaction", _TEXT, ("T-901", "T-902", "T-903")),
    "original_transaction_id": _About(
        "For a reversal: your id of the payment it reverses", _TEXT, ("", "", "T-901")
    ),
}
assert {f.name for specs in FIELDS.values() for f in specs} == set(_ABOUT)

# A maintenance file changes an address; a recall names what it takes back: the examples
# of those kinds leave the other fields empty, as a real file would.
_USED: Final[dict[FileKind, frozenset[str]]] = {
    FileKind.MAINTENANCE: frozenset(
        {
            "client_account_number",
            "address_line1",
            "city",
            "state",
            "zip",
            "phone_mobile",
            "status",
            "status_reason",
        }
    ),
}


# A financial file's rows as a real one would have them: the reversal undoes the payment
# of the first row, on the same account; the reasons are the adjustment's and the
# reversal's. The samples of the four kinds load one after the other on the accounts of
# the new-business sample.
_FINANCIAL: Final[dict[str, tuple[str | int | date, ...]]] = {
    "client_account_number": ("A-10023", "A-10024", "A-10023"),
    "reason": ("", "Interest recalculated", "Returned unpaid (NSF)"),
}


def _examples(kind: FileKind, field: str) -> tuple[str | int | date, ...]:
    if kind is FileKind.FINANCIAL and field in _FINANCIAL:
        return _FINANCIAL[field]
    return _ABOUT[field].examples


def amount_words(amount_format: AmountFormat) -> str:
    if amount_format is AmountFormat.CENTS:
        return "whole cents, no dollar sign (123456 for $1,234.56)"
    return "dollars and cents (1,234.56; $ and commas allowed)"


def _written(value: str | int | date, field: str, column_map: ColumnMap) -> str:
    if isinstance(value, date):
        return value.strftime(column_map.date_formats[0])
    if isinstance(value, int) and field in AMOUNT_FIELDS:
        if column_map.amount_format is AmountFormat.CENTS:
            return str(value)
        sign = "-" if value < 0 else ""
        return f"{sign}{abs(value) // 100:,}.{abs(value) % 100:02d}"
    return str(value)


@dataclass(frozen=True, slots=True)
class ColumnGuide:
    header: str  # as the client's file names it
    field: str  # our field
    meaning: str
    format: str
    required: bool
    example: str


def guide(column_map: ColumnMap) -> list[ColumnGuide]:
    """Each column of the client's files of the map's kind, in words, in file order."""
    rows = []
    for spec in FIELDS[column_map.kind]:
        header = column_map.columns.get(spec.name)
        if header is None:
            continue
        about = _ABOUT[spec.name]
        shape = about.shape
        if shape == _AMOUNT:
            shape = amount_words(column_map.amount_format)
        elif shape == _DATE:
            shape = "a date: " + people_formats(column_map.date_formats)
        example = next((e for e in _examples(column_map.kind, spec.name) if e != ""), "")
        rows.append(
            ColumnGuide(header, spec.name, about.meaning, shape, spec.required,
                        _written(example, spec.name, column_map))
        )  # fmt: skip
    return rows


def _csv(column_map: ColumnMap, rows: int) -> bytes:
    fields = [s.name for s in FIELDS[column_map.kind] if s.name in column_map.columns]
    used = _USED.get(column_map.kind)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column_map.columns[f] for f in fields])
    for i in range(rows):
        writer.writerow(
            [
                _written(_examples(column_map.kind, f)[i], f, column_map)
                if used is None or f in used or (i == 0 and f == "client_account_number")
                else ""
                for f in fields
            ]
        )
    return out.getvalue().encode()


def template_csv(column_map: ColumnMap) -> bytes:
    """The header the map expects and one example row."""
    return _csv(column_map, 1)


def sample_csv(column_map: ColumnMap) -> bytes:
    """A small file of the map's kind in the client's layout, as it would be sent."""
    return _csv(column_map, 3)


_KIND_WORDS: Final = {
    FileKind.NEW_BUSINESS: "new-business",
    FileKind.FINANCIAL: "financial",
    FileKind.MAINTENANCE: "maintenance",
    FileKind.RECALL: "recall",
}


def kind_words(kind: FileKind) -> str:
    return _KIND_WORDS[kind]


def meaning(field: str) -> str:
    return _ABOUT[field].meaning


def _quoted(names: list[str]) -> str:
    return ", ".join(f"“{n}”" for n in names)


def header_message(
    column_map: ColumnMap,
    missing: list[str],
    unknown: list[str],
    duplicated: list[str],
    *,
    next_step: bool = True,
) -> str:
    """One plain message for a header that does not match the map: the columns it lacks
    (as the map names them, with what they hold) and the columns the map does not know."""
    field_of = {h.casefold(): f for f, h in column_map.columns.items()}
    parts = [f"This file's columns are not those of your {kind_words(column_map.kind)} layout."]
    if missing:
        lacking = [
            f"“{h}” ({meaning(field_of[h.casefold()]).lower()})" if h.casefold() in field_of
            else f"“{h}”"
            for h in missing
        ]  # fmt: skip
        parts.append("It lacks " + ", ".join(lacking) + ".")
    if unknown:
        parts.append("Your layout does not know " + _quoted(unknown) + ".")
    if duplicated:
        parts.append("It has more than one column named " + _quoted(duplicated) + ".")
    if missing and next_step:
        parts.append("Match your file's columns to ours in the next step, or rename them.")
    return " ".join(parts)
