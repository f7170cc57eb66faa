"""Client column maps: which of a client's CSV columns carries which of our fields.

A client's files keep the layout of its own system ("Acct No", "Cell", "Chg Off Dt"…).
The client's record holds one column map per kind of file; `parse_column_map` checks a
stored or submitted map and reports every problem at once with a field path, so the API
can return them as `details`. `resolve_header` then matches a file's header row against
the map once per file, giving the positions the per-row code reads by index.

One mechanism serves every kind of file: a kind is only a list of our fields, each
required or not (`FIELDS`).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import itemgetter
from typing import Any, Final, cast


class FileKind(enum.StrEnum):
    NEW_BUSINESS = "new_business"
    FINANCIAL = "financial"
    MAINTENANCE = "maintenance"
    RECALL = "recall"


class AmountFormat(enum.StrEnum):
    DOLLARS = "dollars"  # "1,234.56", "$1234.56", "1234"
    CENTS = "cents"  # "123456"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    required: bool = False


_ADDRESS_AND_CONTACT: Final = (
    FieldSpec("address_line1"),
    FieldSpec("address_line2"),
    FieldSpec("city"),
    FieldSpec("state"),
)
_PHONES_AND_EMAIL: Final = (
    FieldSpec("phone_home"),
    FieldSpec("phone_mobile"),
    FieldSpec("phone_work"),
    FieldSpec("email"),
)

ITEMIZATION_FIELDS: Final = (
    FieldSpec("itemization_date"),
    FieldSpec("itemization_balance_cents"),
    FieldSpec("interest_since_itemization_cents"),
    FieldSpec("fees_since_itemization_cents"),
    FieldSpec("payments_since_itemization_cents"),
    FieldSpec("creditor_on_itemization_date"),
    FieldSpec("current_creditor"),
)

FIELDS: Final[dict[FileKind, tuple[FieldSpec, ...]]] = {
    FileKind.NEW_BUSINESS: (
        FieldSpec("client_account_number", required=True),
        FieldSpec("first_name"),
        FieldSpec("last_name", required=True),
        FieldSpec("date_of_birth"),
        FieldSpec("ssn"),
        *_ADDRESS_AND_CONTACT,
        FieldSpec("zip", required=True),
        *_PHONES_AND_EMAIL,
        FieldSpec("original_creditor"),
        FieldSpec("principal_cents", required=True),
        FieldSpec("interest_cents"),
        FieldSpec("fees_cents"),
        FieldSpec("delinquency_date", required=True),
        FieldSpec("charge_off_date"),
        FieldSpec("last_payment_date"),
        FieldSpec("statute_of_limitations_date"),
        # The account number the debt was serviced under, with others, when the client
        # obtained it (student loans: 12 CFR 1006.14(b)(4)). Only a new-business file sets
        # it; no other kind of file names it.
        FieldSpec("serviced_account_number"),
        # The validation notice's itemization (12 CFR 1006.34(b)(3), (c)(2)(iii)-(viii)):
        # the date (else the client's `itemization_date` kind names the column it is),
        # the amount owed on it, the interest, fees, payments and credits since; the
        # creditor on that date and the one owed now. See `placements.itemization`.
        *ITEMIZATION_FIELDS,
    ),
    # A maintenance row changes what it names and leaves the rest: every field but the
    # account number is optional. `status` is one of MAINTENANCE_STATUSES.
    FileKind.MAINTENANCE: (
        FieldSpec("client_account_number", required=True),
        *_ADDRESS_AND_CONTACT,
        FieldSpec("zip"),
        *_PHONES_AND_EMAIL,
        FieldSpec("status"),
        FieldSpec("status_reason"),
    ),
    FileKind.RECALL: (
        FieldSpec("client_account_number", required=True),
        FieldSpec("reason"),
    ),
    # Money the client received or a balance it changed, one movement a row.
    # `transaction_type` is one of FINANCIAL_TYPES; `amount_cents` is in the map's amount
    # format (an adjustment's sign says which way the balance moves); `transaction_date`
    # is when the debtor paid, the adjustment took effect or the bank returned the money.
    # `transaction_id` is the client's own id of the row, which makes a transaction sent
    # twice a duplicate; a reversal names the direct payment it undoes by its id in
    # `original_transaction_id`.
    FileKind.FINANCIAL: (
        FieldSpec("client_account_number", required=True),
        FieldSpec("transaction_type", required=True),
        FieldSpec("amount_cents", required=True),
        FieldSpec("transaction_date", required=True),
        FieldSpec("payment_method"),
        FieldSpec("transaction_id"),
        FieldSpec("original_transaction_id"),
        FieldSpec("reason"),
    ),
}

FINANCIAL_TYPES: Final = ("payment", "adjustment", "reversal")

MAINTENANCE_STATUSES: Final = frozenset(
    {"dispute", "cease", "bankruptcy", "deceased", "attorney_represented"}
)

DEFAULT_DATE_FORMATS: Final[tuple[str, ...]] = ("%Y-%m-%d", "%m/%d/%Y")

# A format must carry a full date: formatting this probe and parsing it back must give it
# back. The day and month differ and exceed 12 so that a swapped or missing part shows.
_FORMAT_PROBE: Final = date(1987, 11, 23)

_TOP_KEYS: Final = frozenset(
    {"columns", "date_formats", "amount_format", "delinquency_from_charge_off"}
)


@dataclass(frozen=True, slots=True)
class ColumnMap:
    kind: FileKind
    columns: dict[str, str]  # our field -> the client's header name
    date_formats: tuple[str, ...] = DEFAULT_DATE_FORMATS
    amount_format: AmountFormat = AmountFormat.DOLLARS
    # A client's own map is a contract: a column it names must be in the file. The default
    # map names every field, so there only the required ones must be present.
    strict: bool = True
    # New business only, and only when the client says so: a client whose system keeps a
    # charge-off date but no delinquency date has the charge-off date read as the
    # delinquency date (never guessed for a client that did not ask).
    delinquency_from_charge_off: bool = False


FieldError = tuple[str, str]  # (field path, reason)


class InvalidColumnMap(ValueError):
    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{path}: {reason}" for path, reason in errors))
        self.errors = errors


# (our field, the header as written, why it is refused)
Contradiction = tuple[str, str, str]


class HeaderMismatch(ValueError):
    """The header row does not carry the columns the map names, or names an amount in
    another unit than the map reads; the file is rejected whole."""

    def __init__(
        self,
        missing: list[str],
        duplicated: list[str],
        contradicted: list[Contradiction] | None = None,
        unknown: list[str] | None = None,
    ) -> None:
        self.missing = missing
        self.duplicated = duplicated
        self.contradicted = contradicted or []
        # The file's columns the map does not name (ignored when the file is read; named
        # when it is refused, so the client sees what its file has instead).
        self.unknown = unknown or []
        parts = []
        if missing:
            parts.append("missing columns: " + ", ".join(missing))
        if duplicated:
            parts.append("columns appearing more than once: " + ", ".join(duplicated))
        parts.extend(f"column {header}: {reason}" for _, header, reason in self.contradicted)
        super().__init__("; ".join(parts))

    @property
    def code(self) -> str:
        only_units = self.contradicted and not (self.missing or self.duplicated)
        return "amount_unit_mismatch" if only_units else "header_mismatch"


# The money fields (their keys keep `_cents`: the keys are the contract, and what we store
# is cents) and the header the default layout gives each. The default amount format is
# dollars, so a default header must not say cents: `principal_cents` holding "250" read
# as dollars made a $250 debt $25,000.00.
_DEFAULT_HEADERS: Final = {
    "principal_cents": "principal",
    "interest_cents": "interest",
    "fees_cents": "fees",
    "amount_cents": "amount",
    "itemization_balance_cents": "itemization_balance",
    "interest_since_itemization_cents": "interest_since_itemization",
    "fees_since_itemization_cents": "fees_since_itemization",
    "payments_since_itemization_cents": "payments_since_itemization",
}
AMOUNT_FIELDS: Final = frozenset(_DEFAULT_HEADERS)


def default_column_map(kind: FileKind = FileKind.NEW_BUSINESS) -> ColumnMap:
    columns = {f.name: _DEFAULT_HEADERS.get(f.name, f.name) for f in FIELDS[kind]}
    return ColumnMap(kind=kind, columns=columns, strict=False)


# Words in a header that state the unit of its amounts.
_UNIT_WORDS: Final = {
    "cents": AmountFormat.CENTS,
    "cent": AmountFormat.CENTS,
    "dollars": AmountFormat.DOLLARS,
    "dollar": AmountFormat.DOLLARS,
    "usd": AmountFormat.DOLLARS,
}
_WORDS: Final = re.compile(r"[a-z]+")


def stated_unit(header: str) -> AmountFormat | None:
    """The unit a header's own words state ("principal_cents", "Balance (USD)", "Fees $"),
    or None when it states none (or both)."""
    words = _WORDS.findall(header.casefold())
    units = {_UNIT_WORDS[w] for w in words if w in _UNIT_WORDS}
    if "$" in header:
        units.add(AmountFormat.DOLLARS)
    return units.pop() if len(units) == 1 else None


def _contradiction(spec: str, header: str, column_map: ColumnMap) -> Contradiction | None:
    """A money column whose name states another unit than the map reads: the file is
    refused rather than read in a meaning its sender did not give it."""
    says = stated_unit(header)
    reads = column_map.amount_format
    if spec not in AMOUNT_FIELDS or says is None or says == reads:
        return None
    if column_map.columns.get(spec) == _DEFAULT_HEADERS[spec]:
        rename = _DEFAULT_HEADERS[spec]
    else:
        rename = "a name without the unit"
    reason = (
        f"this column says {says} but your map reads {reads}: rename it to {rename},"
        f" or set your map to {says}"
    )
    return (spec, header, reason)


def _header_key(name: str) -> str:
    return name.strip().casefold()


def _check_date_format(fmt: str) -> str | None:
    if "%" not in fmt:
        return "not a date format"
    try:
        # A calendar date, not a moment: no time zone applies.
        parsed = datetime.strptime(_FORMAT_PROBE.strftime(fmt), fmt).date()  # noqa: DTZ007
    except ValueError:
        return "not a date format"
    if parsed != _FORMAT_PROBE:
        return "must contain a day, a month and a four-digit year"
    return None


def parse_column_map(raw: object, kind: FileKind = FileKind.NEW_BUSINESS) -> ColumnMap:
    """Check a column map as stored on the client or sent through the API.

    `raw` is `{"columns": {field: header}, "date_formats": [...], "amount_format": ...}`;
    each key may be left out for its default. Raises InvalidColumnMap with every problem.
    """
    if not isinstance(raw, dict):
        raise InvalidColumnMap([("", "must be an object")])
    errors: list[FieldError] = []
    errors.extend((key, "unknown key") for key in raw if key not in _TOP_KEYS)
    specs = {f.name: f for f in FIELDS[kind]}

    columns: dict[str, str] = {}
    raw_columns = raw.get("columns")
    if raw_columns is None:
        columns = dict(default_column_map(kind).columns)
    elif not isinstance(raw_columns, dict):
        errors.append(("columns", "must be an object"))
    else:
        seen: dict[str, str] = {}
        for name, header in raw_columns.items():
            path = f"columns.{name}"
            if name not in specs:
                errors.append((path, "unknown field"))
            elif not isinstance(header, str) or not header.strip():
                errors.append((path, "header must be a non-empty string"))
            elif (key := _header_key(header)) in seen:
                errors.append((path, f"duplicate header (also mapped to {seen[key]})"))
            else:
                seen[key] = name
                columns[name] = header.strip()
        errors.extend(
            (f"columns.{spec.name}", "required field is not mapped")
            for spec in specs.values()
            if spec.required
            and spec.name not in raw_columns
            and not (spec.name == "delinquency_date" and raw.get("delinquency_from_charge_off"))
        )

    from_charge_off = raw.get("delinquency_from_charge_off", False)
    if not isinstance(from_charge_off, bool):
        errors.append(("delinquency_from_charge_off", "must be true or false"))
    elif from_charge_off and kind is not FileKind.NEW_BUSINESS:
        errors.append(("delinquency_from_charge_off", "only a new-business map reads it"))
    elif from_charge_off and "charge_off_date" not in columns and raw_columns is not None:
        errors.append(
            ("columns.charge_off_date", "must be mapped: delinquency_from_charge_off reads it")
        )

    date_formats = DEFAULT_DATE_FORMATS
    raw_formats = raw.get("date_formats")
    if raw_formats is not None:
        if not isinstance(raw_formats, list) or not raw_formats:
            errors.append(("date_formats", "must be a non-empty list"))
        else:
            for i, fmt in enumerate(raw_formats):
                reason = _check_date_format(fmt) if isinstance(fmt, str) else "must be a string"
                if reason:
                    errors.append((f"date_formats[{i}]", reason))
            date_formats = tuple(str(fmt) for fmt in raw_formats)

    amount_format = AmountFormat.DOLLARS
    raw_amount = raw.get("amount_format")
    if raw_amount is not None:
        try:
            amount_format = AmountFormat(raw_amount)
        except ValueError:
            errors.append(("amount_format", "must be one of: dollars, cents"))

    if errors:
        raise InvalidColumnMap(errors)
    return ColumnMap(
        kind, columns, date_formats, amount_format, delinquency_from_charge_off=from_charge_off
    )


def column_map_for(client: dict[str, Any], kind: FileKind) -> ColumnMap:
    """The column map of a client's files of `kind` (its settings as stored), or our own
    field names when it set none."""
    raw = client["column_map"].get(kind)
    return default_column_map(kind) if raw is None else parse_column_map(raw, kind)


@dataclass(frozen=True, slots=True)
class HeaderLayout:
    """Where each of our fields sits in this file's records.

    `positions[field]` is the column index, or None when the field is not in the file;
    `pick` returns every field's raw value in `FIELDS[kind]` order from a record padded
    with one trailing empty string (where the absent fields point).
    """

    column_map: ColumnMap
    width: int
    positions: dict[str, int | None]
    headers: dict[str, str]  # our field -> the header as written in this file
    pick: Callable[[list[str]], tuple[str, ...]] = field(repr=False, compare=False)


def _read_elsewhere(spec: FieldSpec, column_map: ColumnMap) -> bool:
    return spec.name == "delinquency_date" and column_map.delinquency_from_charge_off


def resolve_header(header_row: list[str], column_map: ColumnMap) -> HeaderLayout:
    """Match a file's header row to the map (ignoring case and surrounding spaces).

    Columns the map does not name are ignored. Raises HeaderMismatch naming every missing
    column, and every mapped column that the file carries twice.
    """
    index: dict[str, int] = {}
    duplicated: set[str] = set()
    for i, name in enumerate(header_row):
        key = _header_key(name)
        if key in index:
            duplicated.add(key)
        index.setdefault(key, i)

    specs = FIELDS[column_map.kind]
    positions: dict[str, int | None] = {}
    headers: dict[str, str] = {}
    missing: list[str] = []
    ambiguous: list[str] = []
    contradicted: list[Contradiction] = []
    for spec in specs:
        header = column_map.columns.get(spec.name)
        position = None if header is None else index.get(_header_key(header))
        if position is None and header is not None and header == _DEFAULT_HEADERS.get(spec.name):
            # The default layout named its amounts by our keys (`principal_cents`) until
            # the headers said dollars: such a file is read when its map reads cents and
            # refused below, naming the unit, when it reads dollars.
            position = index.get(spec.name)
        if header is not None and position is None:
            if column_map.strict or (spec.required and not _read_elsewhere(spec, column_map)):
                missing.append(header)
        elif header is not None and _header_key(header) in duplicated:
            ambiguous.append(header)
        positions[spec.name] = position
        headers[spec.name] = header_row[position].strip() if position is not None else ""
        if position is not None and (
            found := _contradiction(spec.name, headers[spec.name], column_map)
        ):
            contradicted.append(found)
    if missing or ambiguous or contradicted:
        mapped = {_header_key(h) for h in column_map.columns.values()}
        mapped.update(_header_key(h) for h in headers.values() if h)
        unknown = [n.strip() for n in header_row if n.strip() and _header_key(n) not in mapped]
        raise HeaderMismatch(missing, ambiguous, contradicted, unknown)

    if column_map.delinquency_from_charge_off and not headers.get("delinquency_date"):
        # Read from the charge-off column: a problem of it is named at that column.
        headers["delinquency_date"] = headers.get("charge_off_date", "")
    width = len(header_row)
    pad = width  # the index of the empty string appended by the reader of the layout
    order = [pad if (p := positions[s.name]) is None else p for s in specs]
    # Every kind has at least two fields, so itemgetter always returns a tuple.
    pick = cast(Callable[[list[str]], tuple[str, ...]], itemgetter(*order))
    return HeaderLayout(column_map, width, positions, headers, pick)
