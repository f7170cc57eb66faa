from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec


class NoticeData(msgspec.Struct, frozen=True):
    """Everything a validation notice says, as it was when the notice was made (kept with
    the letter: 12 CFR 1006.100). Amounts in cents."""

    agency_name: str
    agency_address: list[str]
    agency_phone: str | None
    # Only when the agency accepts disputes electronically (one setting).
    agency_dispute_address: str | None
    consumer_name: str
    consumer_address: list[str]
    account_number: str
    creditor_on_itemization_date: str
    current_creditor: str
    itemization_date: date
    amount_on_itemization_date_cents: int
    interest_since_cents: int
    fees_since_cents: int
    payments_and_credits_since_cents: int
    current_amount_cents: int
    validation_period_ends_on: date
    planned_mailing_on: date


class LetterBatchRead(msgspec.Struct):
    batch_id: UUID
    planned_mailing_on: date
    letter_count: int
    page_count: int
    created_at: datetime


class LetterRead(msgspec.Struct):
    letter_id: UUID
    batch_id: UUID
    account_id: UUID
    kind: str
    address_text: str
    page_count: int
    planned_mailing_on: date
    printed_period_ends_on: date | None
    created_at: datetime
    # mailed, returned, void: what the vendor reported and what followed.
    events: dict[str, date]


class LetterDetail(msgspec.Struct):
    letter: LetterRead
    # The data the letter was made from (a notice's: NoticeData).
    data: dict[str, Any]


class ReturnRowError(msgspec.Struct):
    line: int
    field: str
    reason: str


class ReturnImportRead(msgspec.Struct):
    import_id: UUID
    rows_read: int
    mailed: int
    returned: int
    voided: int
    unchanged: int
    errors: list[ReturnRowError]


class BatchRunRead(msgspec.Struct):
    """What one run of the batch job did: the batch made (none when nothing was due) and
    the accounts due that no notice could be made for, by reason."""

    batch: LetterBatchRead | None
    held: dict[str, int]


class NoticeFindingRead(msgspec.Struct):
    """An account whose first communication was more than five days ago with no
    validation notice mailed (12 CFR 1006.34(a)(1)(i))."""

    account_id: UUID
    client_id: UUID
    client_account_number: str
    status: str
    first_communication_at: datetime
    days_since: int
