"""A new-business record turned into a normalized account row, or the reasons it is not.

Pure and per row: no database, no network, no clock (today comes in the context).
Duplicates against the database are found later in SQL; within a file, the caller keeps
the set of `duplicate_key`s it has seen.

Decisions (each is a business rule, so each is written here once):
- Every problem of a row is reported, not just the first. Error reasons never quote the
  value (SSNs and dates of birth would end up in error reports and logs); the client has
  the line and the column.
- ZIP: "12345", "12345-6789" and "123456789" are read as ZIP5; 3- and 4-digit values
  are ZIPs whose leading zeros a spreadsheet dropped, restored with a warning. A ZIP the
  `zipcodes` data does not know rejects the row (no state, no time zone: the account
  could not be called lawfully). Retired ZIPs still locate a person and are accepted.
  Military (APO/FPO) ZIPs have no time zone: `time_zone` is None and the contact rules
  then assume every contiguous-US zone.
- State: a state column that contradicts the ZIP's state rejects the row. State
  contact rules (e.g. Massachusetts' call limits) follow the state; guessing which of the
  two is wrong could apply the wrong state's law, so the client is asked to fix it.
  An empty state column takes the ZIP's state.
- Phones are a way to reach the person, not who the person is: an invalid number is a
  warning and is not loaded (it could never be dialed), and the row is kept.
- E-mail: the same — one "@", a local part of at most 64 characters, a dotted domain
  without empty labels, no spaces, at most 254 characters; else a warning and not loaded.
  The domain is lower-cased.
- SSN: 9 digits once dashes and spaces are removed, and one the SSA could have issued
  (area not 000, 666 or 900-999; group not 00; serial not 0000); anything else rejects
  the row, since a wrong SSN would merge the debtor with a stranger. Stored only as the
  last 4 digits and HMAC-SHA256(key, the 9 digits) in hex.
- Amounts: principal > 0; interest and fees >= 0, empty meaning 0. In dollars mode
  "1,234.56", "$1234.56", "1234", "1234.5" and "-5"/"(5.00)" (read, then refused for
  their sign) — never more than two decimal places. At most 13 integer digits.
- Dates: the column map's formats, in order. Delinquency, charge-off and last-payment
  dates may not be after today; a date of birth may not be in the future nor more than
  120 years ago. A statute of limitations date already past is a warning (time-barred
  debt may be collected but not sued on, 12 CFR 1006.26(b)).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from typing import Final, NamedTuple, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
import zipcodes
from phonenumbers import timezone as phone_timezone

from server.placements.column_map import AmountFormat, FileKind, HeaderLayout

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
# The width of the account number columns (placements.tables.Account).
MAX_ACCOUNT_NUMBER: Final = 64
ACCOUNT_NUMBER_TOO_LONG: Final = Problem(
    "too_long", f"must be at most {MAX_ACCOUNT_NUMBER} characters"
)


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
    """What a row's rules need from outside: today's date and the SSN hashing key."""

    __slots__ = ("_inner", "_outer", "today")

    def __init__(self, today: date, ssn_hmac_key: bytes) -> None:
        self.today = today
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


# Reference data ------------------------------------------------------------------------


@cache
def zip_table() -> dict[str, tuple[str, str | None]]:
    """ZIP5 -> (state, IANA zone or None), built once: zipcodes.matching scans a list."""
    valid_zones: dict[str, str | None] = {}
    table: dict[str, tuple[str, str | None]] = {}
    for entry in zipcodes.list_all():  # type: ignore[no-untyped-call]
        zone = entry["timezone"]
        if zone not in valid_zones:
            try:
                ZoneInfo(zone)
                valid_zones[zone] = zone
            except (ZoneInfoNotFoundError, ValueError):
                valid_zones[zone] = None  # "" for military ZIPs, and a stray town name
        table[entry["zip_code"]] = (entry["state"], valid_zones[zone])
    return table


@lru_cache(maxsize=1 << 17)
def _nanp_prefix(npa_nxx: str) -> tuple[bool, tuple[str, ...]]:
    """Validity and zones of a NANP number depend on its first 6 national digits only.

    The US/Canada metadata and time-zone prefixes of `phonenumbers` never look further,
    so one lookup serves every number of an exchange.
    """
    number = phonenumbers.PhoneNumber(country_code=1, national_number=int(npa_nxx + "0000"))
    # Trying the US alone first spares the walk over the ~25 NANP regions.
    us = phonenumbers.is_valid_number_for_region(number, "US")
    if not us and not phonenumbers.is_valid_number(number):
        return False, ()
    return True, _zones(number)


# Numbers that say nothing about where the consumer is: `phonenumbers` gives them every
# zone of their country (a US toll-free number some 42, Guam to Newfoundland), which would
# leave a sliver of the day callable under 1006.6(b)(1)(i)'s every-zone reading. They add
# no zone: the address decides, and with none the contact rules take every contiguous-US
# zone (see queues.rules.hours.zones_considered).
_PLACELESS_TYPES = frozenset(
    {
        phonenumbers.PhoneNumberType.TOLL_FREE,
        phonenumbers.PhoneNumberType.PREMIUM_RATE,
        phonenumbers.PhoneNumberType.SHARED_COST,
        phonenumbers.PhoneNumberType.PERSONAL_NUMBER,
        phonenumbers.PhoneNumberType.UAN,
    }
)
# NANP area codes that are not geographic (NANPA): personal communications services
# (500, 52x, 533, 544, 566, 577, 588), Canadian non-geographic (600), carrier services
# (700), toll-free (800, 822, 833, 844, 855, 866, 877, 888) and premium (900).
NON_GEOGRAPHIC_NPAS = frozenset(
    {"500", *(f"52{d}" for d in range(10)), "533", "544", "566", "577", "588", "600", "700",
     "800", "822", "833", "844", "855", "866", "877", "888", "900"}
)  # fmt: skip


def _zones(number: phonenumbers.PhoneNumber) -> tuple[str, ...]:
    if number.country_code == 1 and str(number.national_number)[:3] in NON_GEOGRAPHIC_NPAS:
        return ()
    if phonenumbers.number_type(number) in _PLACELESS_TYPES:
        return ()
    zones = phone_timezone.time_zones_for_number(number)
    return tuple(z for z in zones if z != phone_timezone.UNKNOWN_TIMEZONE)


def warm_up() -> None:
    """Load the ZIP table and the phone metadata now (about a second) rather than inside
    the first file a worker loads."""
    zip_table()
    normalize_phone("+12025550123", "home")


def normalize_phone(raw: str, kind: str) -> Phone | None:
    """E.164 and zones of a number, or None when it is not a valid number."""
    plus = raw.startswith("+")
    digits = raw
    if not digits.isdigit():
        digits = (
            raw.replace(" ", "")
            .replace("-", "")
            .replace("(", "")
            .replace(")", "")
            .replace(".", "")
            .replace("+", "")
        )
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    elif plus:
        digits = ""  # another country's code: the slow path reads it
    if len(digits) == 10 and digits.isascii() and digits.isdigit():
        valid, zones = _nanp_prefix(digits[:6])
        return Phone("+1" + digits, kind, zones) if valid else None
    try:
        number = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return Phone(e164, kind, _zones(number))


def normalize_email(raw: str) -> str | None:
    local, at, domain = raw.rpartition("@")
    if (
        not at
        or not 0 < len(local) <= 64
        or len(raw) > 254
        or "@" in local
        or len(raw.split()) != 1
        or "." not in domain
        or "" in domain.split(".")
    ):
        return None
    return local + "@" + domain.lower()


# Values --------------------------------------------------------------------------------

_MAX_INTEGER_DIGITS: Final = 13


def parse_dollars(text: str) -> int | Problem:
    """Cents from "1,234.56", "$1234.56", "1234", "-5", "(5.00)"; sign kept."""
    # The shapes of nearly every cell first.
    if text.isdecimal() and len(text) <= _MAX_INTEGER_DIGITS:
        return int(text) * 100
    grouped, _, frac = text.partition(".")
    whole = grouped.replace(",", "") if "," in grouped else grouped
    if (
        len(frac) == 2
        and frac.isdecimal()
        and whole.isdecimal()
        and len(whole) <= _MAX_INTEGER_DIGITS
        # Grouping must be by thousands: "1,234,567", not "12,34".
        and (whole is grouped or f"{int(whole):,}" == grouped)
    ):
        return int(whole) * 100 + int(frac)
    return _parse_dollars_slowly(text)


def _parse_dollars_slowly(text: str) -> int | Problem:
    sign = 1
    if text.startswith("(") and text.endswith(")"):
        sign, text = -1, text[1:-1]
    if text.startswith("-"):
        sign, text = -sign, text[1:]
    if text.startswith("$"):
        text = text[1:]
    if text.startswith("-"):
        sign, text = -sign, text[1:]
    whole, dot, frac = text.partition(".")
    if "," in whole:
        plain = whole.replace(",", "")
        if not plain.isdecimal() or f"{int(plain):,}" != whole:
            return INVALID_AMOUNT
        whole = plain
    cents = 0
    if dot:
        if not frac.isdecimal():
            return INVALID_AMOUNT
        if len(frac) > 2:
            return AMOUNT_PRECISION
        cents = int(frac) * (10 if len(frac) == 1 else 1)
        whole = whole or "0"
    if not whole.isdecimal():
        return INVALID_AMOUNT
    if len(whole) > _MAX_INTEGER_DIGITS:
        return AMOUNT_TOO_LARGE
    return sign * (int(whole) * 100 + cents)


def parse_cents(text: str) -> int | Problem:
    digits = text[1:] if text.startswith("-") else text
    if not digits.isdecimal():
        return INVALID_AMOUNT
    if len(digits) > _MAX_INTEGER_DIGITS + 2:
        return AMOUNT_TOO_LARGE
    return int(text)


# A fast reader returns the date, None when strptime would refuse the text too, or
# _UNSURE when only strptime can tell.
_UNSURE: Final = date.min


def _iso(text: str) -> date | None:
    if "-" not in text:
        return None
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        y, m, d = text[:4], text[5:7], text[8:]
        if (y + m + d).isdigit() and text.isascii():
            try:
                return date(int(y), int(m), int(d))
            except ValueError:
                return None
    return _UNSURE


def _us(text: str) -> date | None:
    if "/" not in text:
        return None
    m, _, rest = text.partition("/")
    d, _, y = rest.partition("/")
    if len(y) == 4 and 0 < len(m) <= 2 and 0 < len(d) <= 2 and (m + d + y).isdigit():
        try:
            return date(int(y), int(m), int(d)) if text.isascii() else _UNSURE
        except ValueError:
            return None
    return _UNSURE


_FAST_FORMATS: Final[dict[str, Callable[[str], date | None]]] = {"%Y-%m-%d": _iso, "%m/%d/%Y": _us}


def date_parser(formats: tuple[str, ...]) -> Callable[[str], date | Problem]:
    """Parses with a column map's formats, in order.

    The two common formats are read by slicing; strptime is the fallback and the
    authority when slicing does not match.
    """
    steps = [(fmt, _FAST_FORMATS.get(fmt)) for fmt in formats]
    error = Problem("invalid_date", "not a date in the format " + " or ".join(formats))

    def parse(text: str) -> date | Problem:
        for fmt, fast in steps:
            if fast is not None:
                day = fast(text)
                if day is None:
                    continue
                if day is not _UNSURE:
                    return day
            try:
                # A calendar date, not a moment: no time zone applies.
                return datetime.strptime(text, fmt).date()  # noqa: DTZ007
            except ValueError:
                continue
        return error

    return parse


V = TypeVar("V")


class Memo(dict[str, V | None]):
    """Raw cell text -> its parsed value (None for a blank cell), computed once.

    Placement files repeat most cells (dates, ZIPs, names, cities, creditors, zero
    amounts); a hit is one C-level dict lookup. Cleared when full, to bound memory.
    """

    def __init__(self, parse: Callable[[str], V], size: int = 1 << 16) -> None:
        super().__init__()
        self._parse = parse
        self._size = size

    def __missing__(self, raw: str) -> V | None:
        text = raw.strip()
        value = self._parse(text) if text else None
        if len(self) >= self._size:
            self.clear()
        self[raw] = value
        return value


def collapse_spaces(text: str) -> str:
    return " ".join(text.split())


# The row -------------------------------------------------------------------------------

_PAD: Final = [""]
ZipInfo = tuple[str, str, "str | None", "Problem | None"]  # zip5, state, zone, warning


class NewBusinessNormalizer:
    """Normalizes the records of one new-business file; build it once per file.

    Valid rows take the fast path: every cell through a memo or one parse, then one
    combined test per group of fields. Only a row failing a test goes through the
    field-by-field path that names each problem.
    """

    def __init__(self, layout: HeaderLayout, ctx: NormalizeContext) -> None:
        if layout.column_map.kind is not FileKind.NEW_BUSINESS:
            raise ValueError("a new-business normalizer needs a new-business layout")
        self.layout = layout
        self.ctx = ctx
        self._zip_table = zip_table()
        self._dates: Memo[date | Problem] = Memo(date_parser(layout.column_map.date_formats))
        cents = layout.column_map.amount_format is AmountFormat.CENTS
        self._parse_amount = parse_cents if cents else parse_dollars
        self._amounts: Memo[int | Problem] = Memo(self._parse_amount)
        self._zips: Memo[ZipInfo | Problem] = Memo(self._zip)
        self._text: Memo[str] = Memo(collapse_spaces)
        today = ctx.today
        self._today = today
        try:
            self._oldest_birth = today.replace(year=today.year - 120)
        except ValueError:  # 29 February
            self._oldest_birth = today.replace(year=today.year - 120, day=28)

    def __call__(self, line: int, fields: list[str]) -> RowResult:
        layout = self.layout
        if len(fields) != layout.width:
            reason = f"expected {layout.width} fields, found {len(fields)}"
            return RejectedRow(line, (RowError(line, "", "", "column_count", reason),), ())
        (
            account,
            first_name,
            last_name,
            birth,
            ssn,
            address_line1,
            address_line2,
            city,
            state,
            zip_code,
            phone_home,
            phone_mobile,
            phone_work,
            email,
            creditor,
            principal,
            interest,
            fees,
            delinquency,
            charge_off,
            last_payment,
            limitations,
            serviced,
        ) = layout.pick(fields + _PAD)
        errors: list[tuple[str, Problem]] = []
        warnings: list[tuple[str, Problem]] = []
        today = self._today
        text = self._text

        account = account.strip()
        surname = text[last_name]
        if not account:
            errors.append(("client_account_number", REQUIRED))
        if not surname:
            errors.append(("last_name", REQUIRED))

        amounts = self._amounts
        principal_cents = self._parse_amount(principal.strip()) if principal else None
        interest_cents = amounts[interest] or 0
        fees_cents = amounts[fees] or 0
        if not (
            type(principal_cents) is int
            and principal_cents > 0
            and type(interest_cents) is int
            and interest_cents >= 0
            and type(fees_cents) is int
            and fees_cents >= 0
        ):
            self._amount_problems(principal_cents, interest_cents, fees_cents, errors)

        dates = self._dates
        delinquency_date = dates[delinquency]
        charge_off_date = dates[charge_off]
        last_payment_date = dates[last_payment]
        limitations_date = dates[limitations]
        birth_date = dates[birth]
        if not (
            type(delinquency_date) is date
            and delinquency_date <= today
            and (charge_off_date is None or type(charge_off_date) is date)
            and (charge_off_date is None or charge_off_date <= today)
            and (last_payment_date is None or type(last_payment_date) is date)
            and (last_payment_date is None or last_payment_date <= today)
            and (limitations_date is None or type(limitations_date) is date)
            and (birth_date is None or type(birth_date) is date)
            and (birth_date is None or self._oldest_birth <= birth_date <= today)
        ):
            self._date_problems(
                delinquency_date,
                charge_off_date,
                last_payment_date,
                limitations_date,
                birth_date,
                errors,
            )
        if type(limitations_date) is date and limitations_date < today:
            warnings.append(("statute_of_limitations_date", TIME_BARRED))

        zip_info = self._zips[zip_code]
        zip5 = zip_state = ""
        zone = None
        if zip_info is None:
            errors.append(("zip", REQUIRED))
        elif isinstance(zip_info, Problem):
            errors.append(("zip", zip_info))
        else:
            zip5, zip_state, zone, zip_warning = zip_info
            if zip_warning is not None:
                warnings.append(("zip", zip_warning))
        if state:
            state = state.strip().upper()
            if state and (len(state) != 2 or not state.isalpha()):
                errors.append(("state", INVALID_STATE))
            elif state and zip_state and state != zip_state:
                mismatch = Problem("state_mismatch", f"does not match ZIP ({zip_state})")
                errors.append(("state", mismatch))

        serviced_number = text[serviced]
        if serviced_number is not None and len(serviced_number) > MAX_ACCOUNT_NUMBER:
            errors.append(("serviced_account_number", ACCOUNT_NUMBER_TOO_LONG))

        ssn_last4 = ssn_hash = None
        if ssn:
            ssn_last4, ssn_hash = self._ssn(ssn, errors)

        phones: list[Phone] = []
        if phone_home:
            self._phone(phone_home, "home", phones, warnings)
        if phone_mobile:
            self._phone(phone_mobile, "mobile", phones, warnings)
        if phone_work:
            self._phone(phone_work, "work", phones, warnings)
        email_address = None
        if email and (email := email.strip()):
            email_address = normalize_email(email)
            if email_address is None:
                warnings.append(("email", INVALID_EMAIL))

        if errors:
            return RejectedRow(line, self._issues(line, errors), self._issues(line, warnings))
        return AccountRow(
            line,
            account,
            text[first_name],
            surname,  # type: ignore[arg-type]
            birth_date,  # type: ignore[arg-type]  # the tests above leave date | None
            ssn_last4,
            ssn_hash,
            collapse_spaces(address_line1) or None,
            text[address_line2],
            text[city],
            zip_state,
            zip5,
            zone,
            tuple(phones),
            email_address,
            text[creditor],
            principal_cents,  # type: ignore[arg-type]
            interest_cents,  # type: ignore[arg-type]
            fees_cents,  # type: ignore[arg-type]
            delinquency_date,  # type: ignore[arg-type]
            charge_off_date,  # type: ignore[arg-type]
            last_payment_date,  # type: ignore[arg-type]
            limitations_date,  # type: ignore[arg-type]
            self._issues(line, warnings) if warnings else (),
            serviced_number,
        )

    # The slow paths, taken only by a row with a problem -----------------------------

    @staticmethod
    def _amount_problems(
        principal: int | Problem | None,
        interest: int | Problem,
        fees: int | Problem,
        errors: list[tuple[str, Problem]],
    ) -> None:
        for field, value, minimum in (
            ("principal_cents", principal, 1),
            ("interest_cents", interest, 0),
            ("fees_cents", fees, 0),
        ):
            if value is None:
                errors.append((field, REQUIRED))
            elif isinstance(value, Problem):
                errors.append((field, value))
            elif value < minimum:
                errors.append((field, NOT_POSITIVE if minimum else NEGATIVE))

    def _date_problems(
        self,
        delinquency: date | Problem | None,
        charge_off: date | Problem | None,
        last_payment: date | Problem | None,
        limitations: date | Problem | None,
        birth: date | Problem | None,
        errors: list[tuple[str, Problem]],
    ) -> None:
        if delinquency is None:
            errors.append(("delinquency_date", REQUIRED))
        for field, value in (
            ("delinquency_date", delinquency),
            ("charge_off_date", charge_off),
            ("last_payment_date", last_payment),
        ):
            if isinstance(value, Problem):
                errors.append((field, value))
            elif value is not None and value > self._today:
                errors.append((field, FUTURE_DATE))
        if isinstance(limitations, Problem):
            errors.append(("statute_of_limitations_date", limitations))
        if isinstance(birth, Problem):
            errors.append(("date_of_birth", birth))
        elif birth is not None and not self._oldest_birth <= birth <= self._today:
            errors.append(("date_of_birth", BIRTH_DATE))

    def _zip(self, text: str) -> ZipInfo | Problem:
        zip5 = text[:5]
        warning = None
        if not (
            (len(text) == 5 and text.isdigit())
            or (len(text) == 10 and text[5] == "-" and (zip5 + text[6:]).isdigit())
            or (len(text) == 9 and text.isdigit())
        ):
            if not (3 <= len(text) <= 4 and text.isdigit()):
                return INVALID_ZIP
            zip5 = text.zfill(5)
            warning = ZIP_PADDED
        found = self._zip_table.get(zip5)
        if found is None:
            return UNKNOWN_ZIP
        return zip5, found[0], found[1], warning

    def _ssn(self, raw: str, errors: list[tuple[str, Problem]]) -> tuple[str | None, str | None]:
        digits = raw.replace("-", "").replace(" ", "").strip()
        if not digits:
            return None, None
        if len(digits) != 9 or not (digits.isascii() and digits.isdigit()):
            errors.append(("ssn", SSN_FORMAT))
            return None, None
        area, group, serial = digits[:3], digits[3:5], digits[5:]
        if area[0] == "9" or area in ("000", "666") or group == "00" or serial == "0000":
            errors.append(("ssn", SSN_NOT_ISSUED))
            return None, None
        return serial, self.ctx.ssn_hash(digits)

    @staticmethod
    def _phone(
        raw: str, kind: str, phones: list[Phone], warnings: list[tuple[str, Problem]]
    ) -> None:
        if raw := raw.strip():
            phone = normalize_phone(raw, kind)
            if phone is None:
                warnings.append(("phone_" + kind, INVALID_PHONE))
            else:
                phones.append(phone)

    def _issues(self, line: int, problems: list[tuple[str, Problem]]) -> tuple[RowError, ...]:
        headers = self.layout.headers
        return tuple(RowError(line, headers[f], f, p.code, p.reason) for f, p in problems)


def normalize_new_business(
    line: int, fields: list[str], layout: HeaderLayout, ctx: NormalizeContext
) -> RowResult:
    """One record; for a whole file, build a NewBusinessNormalizer once and call it."""
    return NewBusinessNormalizer(layout, ctx)(line, fields)
