"""A new-business record turned into a normalized account row, or the reasons it is not.

Pure and per row: no database, no network, no clock (today comes in the context).
Duplicates against the database are found later in SQL; within a file, the caller keeps
the set of `duplicate_key`s it has seen.

Decisions (each is a business rule, so each is written here once):
- Every problem of a row is reported, not just the first, in words a client understands
  ("Feb 30, 2026 is not a date", "the ZIP 7870 has four digits: read as 07870"); the codes
  are the contract. A reason quotes the value only where it is the client's own figure
  and no one can be found by it (amounts, ZIPs, states, the debt's dates): never an SSN,
  a date of birth, a phone number or an e-mail address, which would end up in error
  reports and logs; for those the client has the line and the column.
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
- Text longer than the column it is stored in (the widths of `accounts.field_widths`,
  read from the tables) rejects the row, naming the limit (`too_long`): cutting a name,
  an address or an account number would store something the client never sent.
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

from collections.abc import Callable
from datetime import date
from typing import Final, NamedTuple, TypeVar

from server.accounts.field_widths import TEXT_WIDTHS
from server.clients.column_guide import people_formats
from server.clients.column_map import AmountFormat, FileKind, HeaderLayout
from server.kit.zip_codes import zip_table
from server.placements.addresses import normalize_email
from server.placements.amounts_and_dates import date_parser, parse_cents, parse_dollars
from server.placements.itemization import Itemization, StatedItemization, read_itemization
from server.placements.phones import normalize_phone
from server.placements.rows import (
    BIRTH_DATE,
    INVALID_EMAIL,
    INVALID_PHONE,
    INVALID_STATE,
    NEGATIVE,
    NOT_POSITIVE,
    REQUIRED,
    SSN_FORMAT,
    SSN_NOT_ISSUED,
    AccountRow,
    NormalizeContext,
    Phone,
    Problem,
    RejectedRow,
    RowError,
    RowResult,
    column_count,
    future_date,
    invalid_zip,
    longer_than_allowed,
    state_mismatch,
    time_barred,
    unknown_zip,
    zip_padded,
)


def warm_up() -> None:
    """Load the ZIP table and the phone metadata now (about a second) rather than inside
    the first file a worker loads."""
    zip_table()
    normalize_phone("+12025550123", "home")


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


class _Widths(NamedTuple):
    """The widths the fast path compares with, as attributes (see accounts.field_widths)."""

    client_account_number: int
    first_name: int
    last_name: int
    address_line1: int
    address_line2: int
    city: int
    original_creditor: int
    serviced_account_number: int
    creditor_on_itemization_date: int
    current_creditor: int


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
        self._widths = _Widths(**{f: TEXT_WIDTHS[f] for f in _Widths._fields})
        self._delinquency_from_charge_off = layout.column_map.delinquency_from_charge_off
        today = ctx.today
        self._today = today
        try:
            self._oldest_birth = today.replace(year=today.year - 120)
        except ValueError:  # 29 February
            self._oldest_birth = today.replace(year=today.year - 120, day=28)

    def __call__(self, line: int, fields: list[str]) -> RowResult:
        layout = self.layout
        if len(fields) != layout.width:
            reason = column_count(layout.width, len(fields))
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
            itemized_on,
            itemized_balance,
            interest_since,
            fees_since,
            payments_since,
            itemized_creditor,
            current_creditor,
        ) = layout.pick(fields + _PAD)
        if self._delinquency_from_charge_off and not delinquency.strip():
            delinquency = charge_off
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
            warnings.append(("statute_of_limitations_date", time_barred(limitations_date)))

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
                errors.append(("state", state_mismatch(state, zip5, zip_state)))

        given = text[first_name]
        address1 = collapse_spaces(address_line1) or None
        address2 = text[address_line2]
        town = text[city]
        creditor_name = text[creditor]
        serviced_number = text[serviced]
        itemized_creditor_name = text[itemized_creditor]
        current_creditor_name = text[current_creditor]
        w = self._widths
        if (
            len(account) > w.client_account_number
            or len(surname or "") > w.last_name
            or len(given or "") > w.first_name
            or len(address1 or "") > w.address_line1
            or len(address2 or "") > w.address_line2
            or len(town or "") > w.city
            or len(creditor_name or "") > w.original_creditor
            or len(serviced_number or "") > w.serviced_account_number
            or len(itemized_creditor_name or "") > w.creditor_on_itemization_date
            or len(current_creditor_name or "") > w.current_creditor
        ):
            errors += longer_than_allowed(
                {
                    "client_account_number": account, "first_name": given,
                    "last_name": surname, "address_line1": address1, "address_line2": address2,
                    "city": town, "original_creditor": creditor_name,
                    "serviced_account_number": serviced_number,
                    "creditor_on_itemization_date": itemized_creditor_name,
                    "current_creditor": current_creditor_name,
                },
                TEXT_WIDTHS,
            )  # fmt: skip

        itemization = None
        if itemized_on or itemized_balance or interest_since or fees_since or payments_since:
            itemization = self._itemization(
                (itemized_on, itemized_balance, interest_since, fees_since, payments_since),
                {"charge_off_date": charge_off_date, "last_payment_date": last_payment_date},
                (principal_cents, interest_cents, fees_cents),
                errors,
            )

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
            given,
            surname,  # type: ignore[arg-type]
            birth_date,  # type: ignore[arg-type]  # the tests above leave date | None
            ssn_last4,
            ssn_hash,
            address1,
            address2,
            town,
            zip_state,
            zip5,
            zone,
            tuple(phones),
            email_address,
            creditor_name,
            principal_cents,  # type: ignore[arg-type]
            interest_cents,  # type: ignore[arg-type]
            fees_cents,  # type: ignore[arg-type]
            delinquency_date,  # type: ignore[arg-type]
            charge_off_date,  # type: ignore[arg-type]
            last_payment_date,  # type: ignore[arg-type]
            limitations_date,  # type: ignore[arg-type]
            self._issues(line, warnings) if warnings else (),
            serviced_number,
            itemization,
            itemized_creditor_name,
            current_creditor_name,
        )

    def _itemization(
        self,
        raw: tuple[str, str, str, str, str],
        dates_by_column: dict[str, date | Problem | None],
        amounts: tuple[int | Problem | None, int | Problem, int | Problem],
        errors: list[tuple[str, Problem]],
    ) -> Itemization | None:
        on, balance, interest, fees, payments = raw
        cells = StatedItemization(
            self._dates[on], self._amounts[balance], self._amounts[interest],
            self._amounts[fees], self._amounts[payments],
        )  # fmt: skip
        placed = sum(a for a in amounts if type(a) is int)
        known = {k: v for k, v in dates_by_column.items() if type(v) is date}
        whole = all(type(a) is int for a in amounts)
        return read_itemization(
            cells, self.ctx.itemization_date_kind, known, placed if whole else None,
            self._today, errors,
        )  # fmt: skip

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
                errors.append((field, future_date(value)))
        if isinstance(limitations, Problem):
            errors.append(("statute_of_limitations_date", limitations))
        if isinstance(birth, Problem):
            # The reason would quote the date: a date of birth is never quoted.
            written = people_formats(self.layout.column_map.date_formats)
            errors.append(
                ("date_of_birth", Problem(birth.code, f"is not a date written {written}"))
            )
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
                return invalid_zip(text)
            zip5 = text.zfill(5)
            warning = zip_padded(text, zip5)
        found = self._zip_table.get(zip5)
        if found is None:
            return unknown_zip(zip5)
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
