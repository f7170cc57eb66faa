"""What normalizing a row of a placement file gives: the normalized row, or the row refused
with its problems (see `normalize` for the rules they come from)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Final, NamedTuple

if TYPE_CHECKING:
    from server.placements.itemization import Itemization

# Problems ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    reason: str


# Reasons a client understands, in words; the codes are the contract and never change.
# A value is quoted only where it is the client's own figure and no one can be found by
# it (amounts, ZIPs, states, the debt's dates): never an SSN, a date of birth, a phone
# number or an e-mail address, which would end up in error reports and logs.
REQUIRED: Final = Problem("required", "is empty; it is required")
NOT_POSITIVE: Final = Problem("amount_not_positive", "must be more than zero")
NEGATIVE: Final = Problem("amount_negative", "must not be negative (leave it empty for none)")
BIRTH_DATE: Final = Problem(
    "implausible_birth_date", "cannot be a date of birth: it is in the future or over 120 years ago"
)
INVALID_STATE: Final = Problem("invalid_state", "is not a state's two-letter code, such as OH")
SSN_FORMAT: Final = Problem("invalid_ssn", "an SSN has 9 digits (dashes and spaces allowed)")
SSN_NOT_ISSUED: Final = Problem(
    "invalid_ssn",
    "is not an SSN that can have been issued (none starts with 000, 666 or 9, has 00 as"
    " its middle digits or 0000 as its last)",
)
INVALID_PHONE: Final = Problem(
    "invalid_phone", "is not a phone number that can be dialed; the row is loaded without it"
)
INVALID_EMAIL: Final = Problem(
    "invalid_email", "is not an e-mail address; the row is loaded without it"
)


def _day(value: date) -> str:
    return f"{value:%b} {value.day}, {value.year}"


def future_date(value: date) -> Problem:
    return Problem("future_date", f"{_day(value)} is after today")


def time_barred(value: date) -> Problem:
    return Problem(
        "time_barred",
        f"the statute of limitations ended on {_day(value)}: the debt may be collected,"
        " but not sued on",
    )


def invalid_zip(text: str) -> Problem:
    return Problem("invalid_zip", f"the ZIP {text} is not 5 digits (or ZIP+4, such as 43215-1234)")


def unknown_zip(zip5: str) -> Problem:
    return Problem("unknown_zip", f"the ZIP {zip5} is not a US ZIP code")


_DIGITS: Final = {3: "three", 4: "four"}


def zip_padded(text: str, zip5: str) -> Problem:
    """A ZIP whose leading zeros a spreadsheet dropped (New England's, New Jersey's…)."""
    return Problem(
        "zip_padded",
        f"the ZIP {text} has {_DIGITS.get(len(text), len(text))} digits: read as {zip5},"
        " with the leading zeros a spreadsheet drops",
    )


def state_mismatch(state: str, zip5: str, zip_state: str) -> Problem:
    return Problem("state_mismatch", f"{state} is not the state of the ZIP {zip5} ({zip_state})")


def column_count(width: int, found: int) -> str:
    values = "value" if found == 1 else "values"
    return (
        f"has {found} {values} where the header has {width} columns"
        " (a comma or a quote may be missing)"
    )


def too_long(limit: int) -> Problem:
    """A value longer than the column it is stored in (the limit is the column's width)."""
    return Problem("too_long", f"must be at most {limit} characters")


def longer_than_allowed(
    values: Mapping[str, str | None], widths: Mapping[str, int]
) -> list[tuple[str, Problem]]:
    """Each field of `values` longer than its width in `widths`, with its problem."""
    return [
        (name, too_long(widths[name]))
        for name, value in values.items()
        if value is not None and len(value) > widths[name]
    ]


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem of one row; a warning has the same shape."""

    line: int
    column: str  # the client's header, as written in the file ("" for the whole row)
    field: str  # our field name ("" for the whole row)
    code: str
    reason: str


# Rows ----------------------------------------------------------------------------------


class Phone(NamedTuple):
    e164: str
    kind: str  # home | mobile | work
    time_zones: tuple[str, ...]  # IANA zones the number may ring in; () when unknown


# Not frozen: a frozen dataclass sets each field through object.__setattr__, which made
# building this row cost more than normalizing it.
@dataclass(slots=True)
class AccountRow:
    line: int
    client_account_number: str
    first_name: str | None
    last_name: str
    date_of_birth: date | None
    ssn_last4: str | None
    ssn_hash: str | None
    address_line1: str | None
    address_line2: str | None
    city: str | None
    state: str
    zip5: str
    time_zone: str | None
    phones: tuple[Phone, ...]
    email: str | None
    original_creditor: str | None
    principal_cents: int
    interest_cents: int
    fees_cents: int
    delinquency_date: date
    charge_off_date: date | None
    last_payment_date: date | None
    statute_of_limitations_date: date | None
    warnings: tuple[RowError, ...]
    serviced_account_number: str | None = None
    itemization: Itemization | None = None
    creditor_on_itemization_date: str | None = None
    current_creditor: str | None = None


@dataclass(frozen=True, slots=True)
class RejectedRow:
    line: int
    errors: tuple[RowError, ...]
    warnings: tuple[RowError, ...]


RowResult = AccountRow | RejectedRow


def duplicate_key(row: AccountRow) -> str:
    """Two rows of one file with this key place the same account twice."""
    return row.client_account_number.casefold()


class NormalizeContext:
    """What a row's rules need from outside: today's date, the SSN hashing key, and the
    client's itemization date kind (`clients.schemas.ItemizationDate`, None: unset)."""

    __slots__ = ("_inner", "_outer", "itemization_date_kind", "today")

    def __init__(
        self, today: date, ssn_hmac_key: bytes, itemization_date_kind: str | None = None
    ) -> None:
        self.today = today
        self.itemization_date_kind = itemization_date_kind
        # HMAC-SHA256 (RFC 2104) from two keyed SHA-256 states copied per row: the same
        # digest as hmac.new(key, msg, "sha256"), at a third of HMAC.copy()'s cost.
        key = hashlib.sha256(ssn_hmac_key).digest() if len(ssn_hmac_key) > 64 else ssn_hmac_key
        key = key.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def ssn_hash(self, digits: str) -> str:
        inner = self._inner.copy()
        inner.update(digits.encode())
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()
