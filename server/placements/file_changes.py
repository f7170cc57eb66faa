"""Rows of the files that change accounts already placed: recall (account numbers the
client takes back) and maintenance (a new address, phone or e-mail, or a status the
client learned of: dispute, cease, bankruptcy, deceased, attorney represented).

Each row is normalized here into a staging record, or refused with its reasons; a row is
applied whole or not at all. The set-based SQL that applies them is in repository.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from server.placements.column_map import FIELDS, MAINTENANCE_STATUSES, FileKind, HeaderLayout
from server.placements.normalize import (
    RejectedRow,
    RowError,
    collapse_spaces,
    normalize_email,
    normalize_phone,
    zip_table,
)
from server.placements.statuses import OPEN, STATUS_TARGETS, AccountStatus

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
    """(from, to) pairs a maintenance row may make: a dispute only of an active account
    (as the dispute action), a written cease of any open one, the others as the status
    action allows."""
    pairs = [(AccountStatus.ACTIVE.value, AccountStatus.DISPUTED.value)]
    pairs += [
        (s.value, AccountStatus.CEASE_COMMUNICATION.value)
        for s in OPEN
        if s != AccountStatus.CEASE_COMMUNICATION
    ]
    for target in (
        AccountStatus.BANKRUPTCY,
        AccountStatus.DECEASED,
        AccountStatus.ATTORNEY_REPRESENTED,
    ):
        pairs += [(s.value, target.value) for s in STATUS_TARGETS[target]]
    return pairs


# A staged record, with its warnings; or the row refused.
Staged = tuple[tuple[Any, ...], list[RowError]]
ChangeNormalizer = Callable[[int, list[str]], Staged | RejectedRow]


def _values(layout: HeaderLayout, fields: list[str]) -> dict[str, str]:
    names = [spec.name for spec in FIELDS[layout.column_map.kind]]
    return dict(zip(names, layout.pick([*fields, ""]), strict=True))


def recall_normalizer(layout: HeaderLayout) -> ChangeNormalizer:
    def normalize(line: int, fields: list[str]) -> Staged | RejectedRow:
        values = _values(layout, fields)
        number = values["client_account_number"].strip()
        if not number:
            column = layout.headers.get("client_account_number", "")
            error = RowError(line, column, "client_account_number", "required", "is required")
            return RejectedRow(line, (error,), ())
        return (line, number, collapse_spaces(values.get("reason", "")) or None), []

    return normalize


def maintenance_normalizer(layout: HeaderLayout) -> ChangeNormalizer:
    zips = zip_table()

    def normalize(line: int, fields: list[str]) -> Staged | RejectedRow:
        values = {k: v.strip() for k, v in _values(layout, fields).items()}
        errors: list[RowError] = []
        warnings: list[RowError] = []

        def problem(into: list[RowError], field: str, code: str, reason: str) -> None:
            into.append(RowError(line, layout.headers.get(field, ""), field, code, reason))

        if not values["client_account_number"]:
            problem(errors, "client_account_number", "required", "is required")
        zip5 = state = zone = None
        if values.get("zip"):
            digits = values["zip"].split("-", 1)[0].zfill(5)
            found = zips.get(digits)
            if found is None:
                problem(errors, "zip", "unknown_zip", "unknown ZIP code")
            else:
                zip5, (state, zone) = digits, found
                if values.get("state") and values["state"].upper() != state:
                    problem(errors, "state", "state_mismatch", "does not match the ZIP code")
        elif any(values.get(f) for f in ("address_line1", "city", "state")):
            problem(errors, "zip", "required", "is required with a new address")
        phones: dict[str, tuple[str | None, list[str] | None]] = {}
        for kind in ("home", "mobile", "work"):
            raw = values.get(f"phone_{kind}", "")
            phone = normalize_phone(raw, kind) if raw else None
            if raw and phone is None:
                problem(
                    warnings,
                    f"phone_{kind}",
                    "invalid_phone",
                    "not a valid phone number; not loaded",
                )
            phones[kind] = (phone.e164, list(phone.time_zones)) if phone else (None, None)
        email = None
        if values.get("email"):
            email = normalize_email(values["email"])
            if email is None:
                problem(
                    warnings, "email", "invalid_email", "not a valid e-mail address; not loaded"
                )
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
            collapse_spaces(values.get("address_line1", "")) or None,
            collapse_spaces(values.get("address_line2", "")) or None,
            collapse_spaces(values.get("city", "")) or None,
            state, zip5, zone, email,
            phones["home"][0], phones["home"][1], phones["mobile"][0], phones["mobile"][1],
            phones["work"][0], phones["work"][1],
            target, collapse_spaces(values.get("status_reason", "")) or None,
        )  # fmt: skip
        return record, warnings

    return normalize


NORMALIZERS: dict[FileKind, Callable[[HeaderLayout], ChangeNormalizer]] = {
    FileKind.RECALL: recall_normalizer,
    FileKind.MAINTENANCE: maintenance_normalizer,
}
