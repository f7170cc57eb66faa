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


REQUIRED: Final = Problem("required", "is required")
INVALID_AMOUNT: Final = Problem("invalid_amount", "not a valid amount")
AMOUNT_PRECISION: Final = Problem("invalid_amount", "more than two decimal places")
AMOUNT_TOO_LARGE: Final = Problem("invalid_amount", "amount too large")
NOT_POSITIVE: Final = Problem("amount_not_positive", "must be greater than zero")
NEGATIVE: Final = Problem("amount_negative", "must not be negative")
FUTURE_DATE: Final = Problem("future_date", "is in the future")
BIRTH_DATE: Final = Problem("implausible_birth_date", "is in the future or over 120 years ago")
INVALID_ZIP: Final = Problem("invalid_zip", "not a ZIP code")
UNKNOWN_ZIP: Final = Problem("unknown_zip", "unknown ZIP code")
ZIP_PADDED: Final = Problem("zip_padded", "leading zeros restored")
INVALID_STATE: Final = Problem("invalid_state", "not a two-letter state code")
SSN_FORMAT: Final = Problem("invalid_ssn", "must be 9 digits")
SSN_NOT_ISSUED: Final = Problem(
    "invalid_ssn", "not an issuable SSN (area 000, 666 or 9xx, group 00 or serial 0000)"
)
INVALID_PHONE: Final = Problem("invalid_phone", "not a valid phone number; not loaded")
INVALID_EMAIL: Final = Problem("invalid_email", "not a valid e-mail address; not loaded")
TIME_BARRED: Final = Problem("time_barred", "statute of limitations date has passed")


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
