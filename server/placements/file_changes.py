"""Rows of the files that change accounts already placed: recall (account numbers the
client takes back), maintenance (a new address, phone or e-mail, or a status the client
learned of: dispute, cease, bankruptcy, deceased, attorney represented) and financial
(money the debtor paid the client directly, a balance the client adjusted, a direct
payment the bank returned).

Each row is normalized here into a staging record, or refused with its reasons; a row is
applied whole or not at all. The set-based SQL that applies recall and maintenance rows is
in repository.py; financial rows are money, applied by the settlements service.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, Final, NamedTuple

from server.accounts.field_widths import TEXT_WIDTHS
from server.accounts.statuses import OPEN, AccountStatus
from server.clients.column_map import (
    FIELDS,
    FINANCIAL_TYPES,
    MAINTENANCE_STATUSES,
    AmountFormat,
    FileKind,
    HeaderLayout,
)
from server.clients.schemas import PaymentMethod
from server.kit.cards import contains_card_number
from server.kit.zip_codes import zip_table
from server.placements.addresses import normalize_email
from server.placements.amounts_and_dates import date_parser, parse_cents, parse_dollars
from server.placements.normalize import collapse_spaces
from server.placements.phones import normalize_phone
from server.placements.rows import (
    INVALID_EMAIL,
    INVALID_PHONE,
    NOT_POSITIVE,
    REQUIRED,
    Problem,
    RejectedRow,
    RowError,
    column_count,
    future_date,
    longer_than_allowed,
    state_mismatch,
    unknown_zip,
)

# A maintenance file's status words, as our statuses.
MAINTENANCE_TARGETS = {
    "dispute": AccountStatus.DISPUTED,
    "cease": AccountStatus.CEASE_COMMUNICATION,
    "bankruptcy": AccountStatus.BANKRUPTCY,
    "deceased": AccountStatus.DECEASED,
    "attorney_represented": AccountStatus.ATTORNEY_REPRESENTED,
}
assert set(MAINTENANCE_TARGETS) == set(MAINTENANCE_STATUSES)


def maintenance_transitions() -> list[tuple[str, str]]:
    """(from, to) pairs a maintenance row may make: any block added to an account still in
    collection, as the actions add them (blocks stack: statuses.decide). A block of the
    kind already in force is left as it is."""
    return [(s.value, t.value) for s in OPEN for t in MAINTENANCE_TARGETS.values() if s != t]


# A staged record, with its warnings; or the row refused.
Staged = tuple[tuple[Any, ...], list[RowError]]
ChangeNormalizer = Callable[[int, list[str]], Staged | RejectedRow]


def _values(layout: HeaderLayout, fields: list[str]) -> dict[str, str]:
    names = [spec.name for spec in FIELDS[layout.column_map.kind]]
    return dict(zip(names, layout.pick([*fields, ""]), strict=True))


def _column_count(layout: HeaderLayout, line: int, fields: list[str]) -> RejectedRow | None:
    """A record whose field count is not the header's: its values cannot be placed in
    their columns (and a short one would be read past its end)."""
    if len(fields) == layout.width:
        return None
    reason = column_count(layout.width, len(fields))
    return RejectedRow(line, (RowError(line, "", "", "column_count", reason),), ())


def recall_normalizer(layout: HeaderLayout) -> ChangeNormalizer:
    def normalize(line: int, fields: list[str]) -> Staged | RejectedRow:
        if refused := _column_count(layout, line, fields):
            return refused
        values = _values(layout, fields)
        number = values["client_account_number"].strip()
        column = layout.headers.get("client_account_number", "")
        too_long = longer_than_allowed({"client_account_number": number}, TEXT_WIDTHS)
        if not number or too_long:
            found = too_long[0][1] if too_long else REQUIRED
            error = RowError(line, column, "client_account_number", found.code, found.reason)
            return RejectedRow(line, (error,), ())
        return (line, number, collapse_spaces(values.get("reason", "")) or None), []

    return normalize


def maintenance_normalizer(layout: HeaderLayout) -> ChangeNormalizer:
    zips = zip_table()

    def normalize(line: int, fields: list[str]) -> Staged | RejectedRow:
        if refused := _column_count(layout, line, fields):
            return refused
        values = {k: v.strip() for k, v in _values(layout, fields).items()}
        errors: list[RowError] = []
        warnings: list[RowError] = []

        def problem(into: list[RowError], field: str, code: str, reason: str) -> None:
            into.append(RowError(line, layout.headers.get(field, ""), field, code, reason))

        if not values["client_account_number"]:
            problem(errors, "client_account_number", REQUIRED.code, REQUIRED.reason)
        texts = {
            "address_line1": collapse_spaces(values.get("address_line1", "")),
            "address_line2": collapse_spaces(values.get("address_line2", "")),
            "city": collapse_spaces(values.get("city", "")),
        }
        texts_checked = {"client_account_number": values["client_account_number"], **texts}
        for field, too_long in longer_than_allowed(texts_checked, TEXT_WIDTHS):
            problem(errors, field, too_long.code, too_long.reason)
        zip5 = state = zone = None
        if values.get("zip"):
            digits = values["zip"].split("-", 1)[0].zfill(5)
            found = zips.get(digits)
            if found is None:
                found_zip = unknown_zip(digits)
                problem(errors, "zip", found_zip.code, found_zip.reason)
            else:
                zip5, (state, zone) = digits, found
                if values.get("state") and values["state"].upper() != state:
                    given = state_mismatch(values["state"].upper(), digits, state)
                    problem(errors, "state", given.code, given.reason)
        elif any(values.get(f) for f in ("address_line1", "city", "state")):
            problem(errors, "zip", "required", "is empty; a new address needs its ZIP")
        phones: dict[str, tuple[str | None, list[str] | None]] = {}
        for kind in ("home", "mobile", "work"):
            raw = values.get(f"phone_{kind}", "")
            phone = normalize_phone(raw, kind) if raw else None
            if raw and phone is None:
                problem(warnings, f"phone_{kind}", INVALID_PHONE.code, INVALID_PHONE.reason)
            phones[kind] = (phone.e164, list(phone.time_zones)) if phone else (None, None)
        email = None
        if values.get("email"):
            email = normalize_email(values["email"])
            if email is None:
                problem(warnings, "email", INVALID_EMAIL.code, INVALID_EMAIL.reason)
        target = None
        if values.get("status"):
            word = values["status"].lower()
            if word not in MAINTENANCE_TARGETS:
                problem(
                    errors,
                    "status",
                    "invalid_status",
                    "must be one of: " + ", ".join(sorted(MAINTENANCE_TARGETS)),
                )
            else:
                target = MAINTENANCE_TARGETS[word].value
        if errors:
            return RejectedRow(line, tuple(errors), tuple(warnings))
        record = (
            line, values["client_account_number"],
            texts["address_line1"] or None, texts["address_line2"] or None,
            texts["city"] or None,
            state, zip5, zone, email,
            phones["home"][0], phones["home"][1], phones["mobile"][0], phones["mobile"][1],
            phones["work"][0], phones["work"][1],
            target, collapse_spaces(values.get("status_reason", "")) or None,
        )  # fmt: skip
        return record, warnings

    return normalize


class FinancialRow(NamedTuple):
    """A financial file's row, checked: what the settlements service applies."""

    line: int
    client_account_number: str
    transaction_type: str  # one of FINANCIAL_TYPES
    # Positive for a payment or a reversal; an adjustment's sign is the balance's move.
    amount_cents: int
    transaction_date: date
    payment_method: str
    transaction_id: str | None
    original_transaction_id: str | None
    reason: str | None


# The longest reason kept: a reversal's reason is at most this long (as through the API).
REASON_MAX = 500
# Older than any debt the agency could hold (as for payments through the API).
EARLIEST_TRANSACTION = date(1970, 1, 1)
_ZERO: Final = Problem("amount_zero", "must not be zero")
_CARD_NUMBER: Final = Problem("card_number_refused", "must not contain a card number")


def financial_normalizer(
    layout: HeaderLayout, today: date, widths: Mapping[str, int]
) -> ChangeNormalizer:
    """Rows of a financial file: each names an account, a type, an amount and a date.
    Refused here, with every reason: a missing or unreadable value, a date after `today`,
    a payment or reversal of zero or less, an adjustment of zero, an unknown payment
    method, a reversal without the transaction it reverses, a value too long (for the
    transaction ids, the widths of the columns the row owner keeps them in: `widths`), a
    card number in what is kept as a reference or a reason."""
    widths = {**widths, "client_account_number": TEXT_WIDTHS["client_account_number"],
              "reason": REASON_MAX}  # fmt: skip
    parse_amount = (
        parse_cents if layout.column_map.amount_format is AmountFormat.CENTS else parse_dollars
    )
    parse_date = date_parser(layout.column_map.date_formats)
    methods = {m.value for m in PaymentMethod}

    def normalize(line: int, fields: list[str]) -> Staged | RejectedRow:
        if refused := _column_count(layout, line, fields):
            return refused
        values = {k: v.strip() for k, v in _values(layout, fields).items()}
        errors: list[RowError] = []

        def problem(field: str, found: Problem) -> None:
            errors.append(
                RowError(line, layout.headers.get(field, ""), field, found.code, found.reason)
            )

        for field in ("client_account_number", "transaction_type", "amount_cents"):
            if not values[field]:
                problem(field, REQUIRED)
        kind = values["transaction_type"].lower()
        if kind and kind not in FINANCIAL_TYPES:
            reason = "must be one of: " + ", ".join(FINANCIAL_TYPES)
            problem("transaction_type", Problem("invalid_transaction_type", reason))
        amount = parse_amount(values["amount_cents"]) if values["amount_cents"] else 0
        if isinstance(amount, Problem):
            problem("amount_cents", amount)
        elif values["amount_cents"] and kind == "adjustment" and amount == 0:
            problem("amount_cents", _ZERO)
        elif values["amount_cents"] and kind != "adjustment" and amount <= 0:
            problem("amount_cents", NOT_POSITIVE)
        day = parse_date(values["transaction_date"]) if values["transaction_date"] else None
        if day is None:
            problem("transaction_date", REQUIRED)
        elif isinstance(day, Problem):
            problem("transaction_date", day)
        elif day > today:
            problem("transaction_date", future_date(day))
        elif day < EARLIEST_TRANSACTION:
            reason = f"must not be before {EARLIEST_TRANSACTION.isoformat()}"
            problem("transaction_date", Problem("invalid_date", reason))
        method = values.get("payment_method", "").lower() or PaymentMethod.OTHER.value
        if method not in methods:
            reason = "must be one of: " + ", ".join(sorted(methods))
            problem("payment_method", Problem("invalid_payment_method", reason))
        values["reason"] = collapse_spaces(values.get("reason", ""))
        for field, found in longer_than_allowed(
            {field: values.get(field) for field in widths}, widths
        ):
            problem(field, found)
        if kind == "reversal" and not values.get("original_transaction_id"):
            reason = "is required for a reversal: the id of the direct payment it reverses"
            problem("original_transaction_id", Problem("required", reason))
        # What is kept as the payment's reference, notes or reversal reason, where a card
        # number is never stored (the account number is the client's, as placed).
        for field in ("transaction_id", "original_transaction_id", "reason"):
            if contains_card_number(values.get(field, "")):
                problem(field, _CARD_NUMBER)
        if errors:
            return RejectedRow(line, tuple(errors), ())
        assert isinstance(amount, int)
        assert isinstance(day, date)
        row = FinancialRow(
            line, values["client_account_number"], kind, amount, day, method,
            values.get("transaction_id") or None, values.get("original_transaction_id") or None,
            values["reason"] or None,
        )  # fmt: skip
        return row, []

    return normalize


NORMALIZERS: dict[FileKind, Callable[[HeaderLayout], ChangeNormalizer]] = {
    FileKind.RECALL: recall_normalizer,
    FileKind.MAINTENANCE: maintenance_normalizer,
}
